"""Real curl and wget against a real HTTP server: a download cut short resumes with
`curl -C -` / `wget -c` and the result verifies against the package's sha256."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import threading
from datetime import timedelta
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connections
from django.utils import timezone

from broadcast.models import DistributionEvent, Station
from broadcast.packages import package_build

pytestmark = pytest.mark.django_db


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def http_server(db):
    """A one-thread HTTP server sharing the test's (in-memory SQLite) connection, so
    it sees the test's uncommitted rows, as Django's own live server does, without a
    flush afterwards that would empty the tables the migrations filled."""
    conn = connections["default"]
    if not conn.is_in_memory_db():
        pytest.skip("needs the in-memory SQLite test database")
    conn.inc_thread_sharing()
    server = make_server("127.0.0.1", 0, WSGIHandler(), WSGIServer, _Quiet)

    def serve():
        connections["default"] = conn
        server.serve_forever(poll_interval=0.05)

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    t.join(5)
    conn.dec_thread_sharing()


@pytest.fixture
def package(audio_item, schedule_today):
    schedule_today(audio_item(), ["dx-fm", "dx-tan-phu-loa"], days=1)
    today = timezone.localdate()
    return package_build(
        station_id=Station.objects.get(code="dx-fm").pk,
        start=today,
        end=today + timedelta(days=0),
    )


def _sha(path) -> str:
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def test_curl_resumes_a_cut_download_and_the_file_verifies(
    http_server, package, tmp_path
):
    from broadcast.services import station_token_create

    _t, token = station_token_create(station=package.station)
    url = f"{http_server}/api/v1/packages/{package.public_id}/download"
    auth = ["-H", f"Authorization: Bearer {token}"]
    out = tmp_path / "p.zip"
    # The link drops after 1000 bytes.
    subprocess.run(
        ["curl", "-sf", *auth, "-r", "0-999", "-o", str(out), url], check=True
    )
    assert out.stat().st_size == 1000
    headers = tmp_path / "h.txt"
    subprocess.run(
        ["curl", "-sf", *auth, "-C", "-", "-D", str(headers), "-o", str(out), url],
        check=True,
    )
    h = headers.read_text().lower()
    assert "http/1.0 206" in h or "http/1.1 206" in h
    assert f"content-range: bytes 1000-{package.bytes - 1}/{package.bytes}" in h
    assert "repr-digest: sha-256=:" in h and f'etag: "{package.sha256}"' in h
    assert _sha(out) == package.sha256
    ranges = [
        e.data["range"]
        for e in DistributionEvent.objects.filter(kind="package_downloaded").order_by(
            "pk"
        )
    ]
    assert ranges == ["bytes=0-999", "bytes=1000-"]


@pytest.mark.skipif(not shutil.which("wget"), reason="wget not installed")
def test_wget_continues_a_partial_file_and_it_verifies(http_server, package, tmp_path):
    from broadcast.services import station_token_create

    _t, token = station_token_create(station=package.station)
    url = f"{http_server}/api/v1/packages/{package.public_id}/download"
    out = tmp_path / "p.zip"
    out.write_bytes(open(package.path, "rb").read()[:4321])
    subprocess.run(
        [
            "wget",
            "-q",
            "-c",
            f"--header=Authorization: Bearer {token}",
            "-O",
            str(out),
            url,
        ],
        check=True,
    )
    assert _sha(out) == package.sha256
    # Without a token nothing is served.
    r = subprocess.run(
        ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", url],
        capture_output=True,
        text=True,
    )
    assert r.stdout == "401"


def _readme_download_line() -> str:
    from pathlib import Path

    from django.conf import settings

    readme = (Path(settings.BASE_DIR) / "README.md").read_text()
    (line,) = [
        ln.strip() for ln in readme.splitlines() if "/download" in ln and "curl" in ln
    ]
    return line


def test_the_readme_download_recipe_runs_on_debian_curl_and_resumes(
    http_server, radio_item, schedule_today, tmp_path
):
    from broadcast.services import station_token_create

    schedule_today(radio_item(), ["dx-fm"], days=1)
    today = timezone.localdate()
    package = package_build(
        station_id=Station.objects.get(code="dx-fm").pk, start=today, end=today
    )
    _t, token = station_token_create(station=package.station)
    line = (
        _readme_download_line()
        .replace("http://127.0.0.1:8000", http_server)
        .replace("<id>", str(package.public_id))
    )
    env = {"TOKEN": token, "PATH": "/usr/bin:/bin"}
    # A first attempt cut short leaves part of the file the recipe names.
    out = tmp_path / "loa-package.zip"
    subprocess.run(
        [
            "curl",
            "-sf",
            "-H",
            f"Authorization: Bearer {token}",
            "-r",
            "0-99",
            "-o",
            str(out),
            line.split()[-1],
        ],
        check=True,
    )
    assert out.stat().st_size == 100
    done = subprocess.run(
        ["bash", "-c", line], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert _sha(out) == package.sha256
