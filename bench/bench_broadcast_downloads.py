"""Package downloads: 10 concurrent clients fetch a 2 GB package through gunicorn.

The web process's memory must stay flat (peak RSS of any gunicorn process under
150 MB) and the throughput at least 0.8x that of `python -m http.server` serving
the same file, measured in the same run. Downloads go through the real endpoint
(token auth, scope check, ETag/Repr-Digest headers, a log event per download).

BENCH_DOWNLOAD_MB=512 scales the file down. Uses the benchmark database, like
bench_broadcast_confirmations.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.bench_broadcast_confirmations import (
    free_port,
    make_network,
    reset_broadcast,
    setup_django,
    start_gunicorn,
)

CLIENTS = 10
CHUNK = 1024 * 1024


def make_file(path: Path, mb: int) -> str:
    h = hashlib.sha256()
    block = os.urandom(CHUNK)
    with open(path, "wb") as f:
        for i in range(mb):
            # Vary each block a little so nothing downstream can dedupe it.
            b = i.to_bytes(8, "big") + block[8:]
            f.write(b)
            h.update(b)
    return h.hexdigest()


def _rss_kb(pid: int) -> int:
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _family(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    return [pid] + [int(p) for p in out.stdout.split()]


def fetch_all(port: int, path: str, headers: dict) -> tuple[float, int]:
    got = [0] * CLIENTS

    def one(i):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        conn.request("GET", path, headers=headers)
        resp = conn.getresponse()
        assert resp.status == 200, resp.status
        while True:
            b = resp.read(CHUNK)
            if not b:
                break
            got[i] += len(b)
        conn.close()

    t0 = time.perf_counter()
    threads = [threading.Thread(target=one, args=(i,)) for i in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - t0, sum(got)


def main() -> None:
    setup_django()
    from django.utils import timezone

    from broadcast.models import DistributionEvent, Package
    from broadcast.services import station_token_create

    mb = int(os.environ.get("BENCH_DOWNLOAD_MB", 2048))
    reset_broadcast()
    fm, _stations = make_network(1)
    tmp = Path(tempfile.mkdtemp(prefix="loa-bench-dl-"))
    f = tmp / "package.zip"
    digest = make_file(f, mb)
    today = timezone.localdate()
    package = Package.objects.create(
        station=fm,
        period_start=today,
        period_end=today,
        inputs_hash="bench",
        status="ready",
        path=str(f),
        bytes=f.stat().st_size,
        sha256=digest,
    )
    _t, token = station_token_create(station=fm)
    size = f.stat().st_size

    # Baseline: the standard library's file server on the same file.
    port = free_port()
    base = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "http.server",
            str(port),
            "-b",
            "127.0.0.1",
            "-d",
            str(tmp),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(1.0)
    try:
        t_base, n_base = fetch_all(port, "/package.zip", {})
    finally:
        base.terminate()
        base.wait(10)
    assert n_base == CLIENTS * size

    port = free_port()
    server = start_gunicorn(port, workers=2, threads=CLIENTS)
    peak = {"max_process_kb": 0, "total_kb": 0}
    stop = threading.Event()

    def watch():
        while not stop.is_set():
            fam = _family(server.pid)
            rss = [_rss_kb(p) for p in fam]
            peak["max_process_kb"] = max(peak["max_process_kb"], max(rss))
            peak["total_kb"] = max(peak["total_kb"], sum(rss))
            time.sleep(0.1)

    w = threading.Thread(target=watch)
    w.start()
    try:
        t_loa, n_loa = fetch_all(
            port,
            f"/api/v1/packages/{package.public_id}/download",
            {"Authorization": f"Bearer {token}"},
        )
    finally:
        stop.set()
        w.join()
        server.terminate()
        server.wait(30)
    assert n_loa == CLIENTS * size
    logged = DistributionEvent.objects.filter(kind="package_downloaded").count()
    mbps_base = n_base / t_base / 2**20
    mbps_loa = n_loa / t_loa / 2**20
    print(f"downloads: {CLIENTS} concurrent x {size / 2**20:.0f} MiB")
    print(f"  python -m http.server: {t_base:.1f} s, {mbps_base:,.0f} MiB/s")
    print(
        f"  Loa (gunicorn, 2 workers x {CLIENTS} threads): {t_loa:.1f} s, {mbps_loa:,.0f} MiB/s"
    )
    print(
        f"  throughput ratio Loa/http.server: {mbps_loa / mbps_base:.2f} (target >= 0.8)"
    )
    print(
        f"  peak RSS: largest gunicorn process {peak['max_process_kb'] / 1024:.0f} MB "
        f"(target < 150), all processes {peak['total_kb'] / 1024:.0f} MB"
    )
    print(f"  download events logged: {logged}")
    f.unlink()
    tmp.rmdir()


if __name__ == "__main__":
    main()
