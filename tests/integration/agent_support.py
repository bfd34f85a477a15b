"""Helpers for the agent's integration tests: a published item with a real
loudspeaker rendition, a package, the agent as a subprocess, and a TCP proxy that
can cut the link."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from datetime import datetime, time, timedelta
from pathlib import Path

from django.core.files import File
from django.utils import timezone

from broadcast.models import Station
from broadcast.packages import LOCAL_TZ, package_build
from broadcast.services import schedule_create, station_token_create
from tests.media import speechlike_wav

ROOT = Path(__file__).resolve().parents[2]
STATION = "dx-tan-phu-loa"


def audio_item(library, tmp_path: Path, title: str, seconds: float = 3.0):
    """A published radio item whose recording went through the real pipeline."""
    from cms.models import RadioItemPage
    from media_pipeline.models import LoaMedia, RenditionJob
    from media_pipeline.services import jobs_run, media_ingest

    wav = speechlike_wav(
        tmp_path / f"src-{len(os.listdir(tmp_path))}.wav", seconds=seconds
    )
    with open(wav, "rb") as fh:
        media = LoaMedia(title=title, type="audio")
        media.file.save(Path(wav).name, File(fh), save=True)
    # Probe and render here, not in a worker: only the loudspeaker MP3 is needed.
    media = media_ingest(media_id=media.pk)
    assert media.ingest_status == "ready", (media.ingest_error, media.probe)
    jobs = RenditionJob.objects.filter(media=media, profile="commune-loudspeaker")
    assert jobs.exists(), list(RenditionJob.objects.values_list("media_id", "profile"))
    jobs_run(job_ids=list(jobs.values_list("pk", flat=True)))
    assert jobs.get().status == "done", jobs.get().error_code
    item = library.add_child(
        instance=RadioItemPage(
            title=title,
            slug=f"agent-{RadioItemPage.objects.count()}",
            audio=media,
            format="report",
        )
    )
    item.save_revision().publish()
    return item


def slot_today(minutes_ago: int) -> str:
    """A time of day today, in the past (so confirmations are not 'in the future')."""
    now = timezone.localtime()
    start = datetime.combine(now.date(), time(0, 0), LOCAL_TZ)
    at = max(start, now - timedelta(minutes=minutes_ago))
    return at.strftime("%H:%M")


def local_instant(hhmm: str, day=None) -> datetime:
    day = day or timezone.localdate()
    hh, mm = (int(x) for x in hhmm.split(":"))
    return datetime.combine(day, time(hh, mm), LOCAL_TZ)


def schedule(item, slots, *, days=1, start=None, **kw):
    start = start or timezone.localdate()
    return schedule_create(
        item=item,
        start_date=start,
        end_date=start + timedelta(days=days - 1),
        target_kind="stations",
        target_stations=[Station.objects.get(code=STATION)],
        slot_times=list(slots),
        **kw,
    )


def build(start=None, days=1):
    start = start or timezone.localdate()
    return package_build(
        station_id=Station.objects.get(code=STATION).pk,
        start=start,
        end=start + timedelta(days=days - 1),
    )


def token() -> str:
    return station_token_create(station=Station.objects.get(code=STATION))[1]


def agent(*args, check=True, timeout=60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "broadcast.agent", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=check,
    )


def agent_popen(*args, log: Path) -> subprocess.Popen:
    with open(log, "wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "broadcast.agent", *map(str, args)],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def sidecar(out: Path) -> list[dict]:
    p = Path(f"{out}.json")
    try:
        return json.loads(p.read_text())
    except (FileNotFoundError, ValueError):
        return []


class CuttingProxy:
    """Forwards TCP to the live server. `cut_after` bytes of a response, it closes
    the link (once); `down` refuses every connection (the station is offline)."""

    def __init__(self, target: tuple[str, int], cut_after: int | None = None):
        self.target, self.cut_after = target, cut_after
        self.down = False
        self.cuts = 0
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(50)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                client, _addr = self.sock.accept()
            except OSError:
                return
            if self.down:
                client.close()
                continue
            threading.Thread(target=self._pipe, args=(client,), daemon=True).start()

    def _pipe(self, client):
        upstream = socket.create_connection(self.target)

        def up():
            try:
                while data := client.recv(65536):
                    upstream.sendall(data)
            except OSError:
                pass

        threading.Thread(target=up, daemon=True).start()
        sent = 0
        try:
            while data := upstream.recv(16384):
                if self.cut_after is not None and sent + len(data) > self.cut_after:
                    client.sendall(data[: self.cut_after - sent])
                    self.cut_after = None
                    self.cuts += 1
                    break
                client.sendall(data)
                sent += len(data)
        except OSError:
            pass
        finally:
            for s in (client, upstream):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()

    def close(self):
        self.sock.close()
