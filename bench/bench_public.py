"""Public pages served by gunicorn: the gallery listing and an item page, cold (every
cache emptied before each request: full render, filter options read afresh), missed
(page cache missed, other caches kept) and warm (page cache hit), against a static file of the
same size from the same server (WhiteNoise), as the library grows from 50 to 500
to 5,000 items. The gallery must stay flat: the cold listing at 5,000 items within
1.5x of 50 items, with the same number of queries (listing and search).

Times are wall-clock per request from a client on the same machine, one new
connection each (gunicorn's sync worker closes them), median of many runs.

    .venv/bin/python -m bench.bench_public [sizes, e.g. 50,500,5000]
"""

from __future__ import annotations

import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SIZES = (50, 500, 5000)
COLD_RUNS, WARM_RUNS = 30, 200


def _populate(start: int, stop: int) -> None:
    """In the bench's own database: the demo province (first call) and public items
    number `start` to `stop` (a tenth exhibitions, the rest posters, photos and
    radio features)."""
    import io

    from django.core.files.images import ImageFile
    from django.test import Client
    from django.utils import timezone
    from PIL import Image

    from cms.models import (
        HomePage,
        LibraryIndexPage,
        PhotoPage,
        PosterPage,
        RadioItemPage,
    )
    from demo.loader import load_demo
    from exhibitions.models import Exhibit, ExhibitionPage
    from exhibitions.services import renditions_prepare
    from media_pipeline.models import LoaImage

    if start == 0:
        load_demo(with_media=False)
    library = LibraryIndexPage.objects.get(slug="thu-vien")
    home = HomePage.objects.get()
    images = list(LoaImage.objects.filter(title__startswith="bench ").order_by("pk"))
    if not images:
        for i, colour in enumerate(["#a3120f", "#1e8449", "#2e86c1", "#b9770e"]):
            buf = io.BytesIO()
            Image.new("RGB", (1200, 1600), colour).save(buf, "JPEG")
            image = LoaImage(title=f"bench {i}", description=f"Hình {i}")
            image.file = ImageFile(buf, name=f"bench-{i}.jpg")
            image.save()
            images.append(image)
    pages = []
    for i in range(start, stop):
        image = images[i % len(images)]
        kind = i % 10
        if kind == 0:
            page = ExhibitionPage(title=f"Triển lãm {i}", slug=f"tl-{i}")
            page.exhibits.add(Exhibit(image=image, alt_text=f"Tranh {i}"))
            parent = home
        elif kind < 4:
            page = PosterPage(title=f"Tranh cổ động {i}", slug=f"p-{i}", image=image)
            parent = library
        elif kind < 6:
            page = PhotoPage(title=f"Ảnh tư liệu {i}", slug=f"a-{i}", image=image)
            parent = library
        else:
            page = RadioItemPage(
                title=f"Bản tin {i}",
                slug=f"r-{i}",
                format="news",
                summary="Quyền con người " * 10,
                transcript="<p>" + "Lời bản tin. " * 200 + "</p>",
            )
            parent = library
        if i < 10:
            parent.add_child(instance=page)
            page.save_revision().publish()
        else:
            # Live without a revision: what the gallery reads is the same, and
            # 5,000 publications would take most of the bench's time.
            now = timezone.now()
            page.live, page.first_published_at, page.last_published_at = True, now, now
            parent.add_child(instance=page)
        pages.append(page)
    for page in pages[:10]:
        renditions_prepare(page_id=page.pk)
    if start > 0:
        return
    client = Client()
    sizes = {
        "listing": len(client.get("/gallery/").content),
        "item": len(client.get(pages[1].url).content),
    }
    static = Path(os.environ["STATIC_ROOT"])
    static.mkdir(parents=True, exist_ok=True)
    for name, size in sizes.items():
        (static / f"bench-{name}.html").write_bytes(b"x" * size)
    (static / "bench-urls.txt").write_text(f"/gallery/\n{pages[1].url}\n")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(port: int, path: str) -> tuple[float, int, str]:
    start = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path, headers={"Accept-Language": "vi"})
    response = conn.getresponse()
    body = response.read()
    elapsed = time.perf_counter() - start
    conn.close()
    assert response.status == 200, (path, response.status)
    return elapsed, len(body), response.getheader("X-Loa-Cache", "")


def _median_ms(
    port: int, paths: list[str], expect_cache: str | None = None, before=None
) -> float:
    times = []
    for path in paths:
        if before is not None:
            before()
        elapsed, _size, cache = _get(port, path)
        if expect_cache is not None:
            assert cache == expect_cache, (path, cache)
        times.append(elapsed)
    return statistics.median(times) * 1000


def _queries() -> None:
    """Print the queries one cold listing and one search make (in-process)."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    counts = []
    for query in ({}, {"q": "quyen con nguoi"}):
        cache.clear()
        client.get("/gallery/", query)  # the site and content types, cached once
        cache.clear()
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/gallery/", query).status_code == 200
        counts.append(len(ctx.captured_queries))
    print(*counts)


def _in_django(env: dict, code: str) -> str:
    return subprocess.run(
        [PYTHON, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def main(sizes: tuple[int, ...] = SIZES) -> None:
    with tempfile.TemporaryDirectory(prefix="loa-bench-") as tmp:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "loa.settings.dev",
            "DEBUG": "0",
            "LOA_VAR_DIR": tmp,
            "STATIC_ROOT": f"{tmp}/static",
            "MEDIA_ROOT": f"{tmp}/media",
            "CELERY_TASK_ALWAYS_EAGER": "1",
            "LOG_LEVEL": "WARNING",
        }
        run = dict(cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
        subprocess.run([PYTHON, "manage.py", "migrate", "--noinput"], **run)
        subprocess.run(
            [PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], **run
        )
        cold_listing: dict[int, float] = {}
        queries: dict[int, str] = {}
        have = 0
        for items in sizes:
            t0 = time.perf_counter()
            populate = (
                f"from bench.bench_public import _populate; _populate({have}, {items})"
            )
            _in_django(env, populate)
            have = items
            print(
                f"setup ({items} items): {time.perf_counter() - t0:.0f} s", flush=True
            )
            queries[items] = _in_django(
                env, "from bench.bench_public import _queries; _queries()"
            ).strip()
            cold_listing[items] = _serve_and_time(env, tmp, items)
        base = sizes[0]
        for items in sizes:
            listing_q, search_q = queries[items].split()
            print(
                f"gallery at {items:5d} items: cold listing {cold_listing[items]:7.2f} ms "
                f"({cold_listing[items] / cold_listing[base]:4.2f}x {base} items), "
                f"queries: listing {listing_q}, search {search_q}",
                flush=True,
            )


def _serve_and_time(env: dict, tmp: str, items: int) -> float:
    listing, item = (Path(tmp) / "static" / "bench-urls.txt").read_text().split()
    cache_dir = Path(tmp) / "cache"  # the file cache of loa.settings (LOA_VAR_DIR)

    def empty_caches() -> None:
        for entry in cache_dir.glob("*"):
            entry.unlink(missing_ok=True)

    port = _free_port()
    server = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "gunicorn",
            "loa.wsgi:application",
            "--workers",
            "1",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(100):
            try:
                _get(port, "/static/bench-listing.html")
                break
            except OSError:
                time.sleep(0.1)
        cold_listing = 0.0
        for name, path in [("listing", listing), ("item", item)]:
            _get(port, path)  # first request of the process: imports, connections
            static = _median_ms(port, [f"/static/bench-{name}.html"] * WARM_RUNS)
            cold = _median_ms(port, [path] * COLD_RUNS, "miss", before=empty_caches)
            missed = _median_ms(
                port, [f"{path}?run={items}-{i}" for i in range(COLD_RUNS)], "miss"
            )
            warm = _median_ms(port, [path] * WARM_RUNS, "hit")
            size = _get(port, path)[1]
            print(
                f"{items:5d} items {name:8s} {size / 1024:6.1f} KiB  "
                f"static {static:6.2f} ms  "
                f"cold {cold:7.2f} ms ({cold / static:5.1f}× static)  "
                f"missed {missed:7.2f} ms  "
                f"warm {warm:6.2f} ms ({warm / static:4.1f}× static)",
                flush=True,
            )
            if name == "listing":
                cold_listing = cold
        return cold_listing
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main(tuple(int(n) for n in sys.argv[1].split(",")) if len(sys.argv) > 1 else SIZES)
