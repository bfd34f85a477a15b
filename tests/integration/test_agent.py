"""The station agent for real: Loa under a live server, the agent as a subprocess
with the `file:` player, whose output shows what aired and when."""

from __future__ import annotations

import json
import os
import re
import signal
import time
import zipfile
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.utils import timezone

from broadcast.models import (
    Confirmation,
    DistributionEvent,
    Package,
    PlannedAiring,
    Station,
)
from broadcast.services import schedule_withdraw

from .agent_support import (
    STATION,
    CuttingProxy,
    agent,
    agent_popen,
    audio_item,
    build,
    local_instant,
    schedule,
    sidecar,
    slot_today,
    token,
)
from .conftest import wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def enroll(server: str, d: Path) -> None:
    out = agent("enroll", "--server", server, "--token", token(), "--dir", d)
    assert "fingerprint" in out.stdout.lower()


def stop(proc) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(10)
        except Exception:
            proc.kill()


def test_agent_syncs_plays_by_priority_in_compressed_time_and_confirms(
    live_server, library, tmp_path
):
    normal = audio_item(library, tmp_path, "Bản tin thường")
    urgent_first = audio_item(library, tmp_path, "Thông báo ưu tiên")
    s1 = slot_today(30)
    s2 = (local_instant(s1) + timedelta(minutes=2)).strftime("%H:%M")
    schedule(normal, [s1, s2])
    schedule(urgent_first, [s1], priority="priority")
    package = build()
    d, out = tmp_path / "agent", tmp_path / "amp.mp3"
    enroll(live_server.url, d)
    assert (d / "token").stat().st_mode & 0o777 == 0o600

    result = json.loads(agent("sync", "--dir", d).stdout)
    assert result["outcome"] == "switched" and result["package_id"] == str(
        package.public_id
    )
    assert (d / "current").resolve().name == str(package.public_id)
    status = json.loads(agent("status", "--dir", d).stdout)
    assert status["station"] == STATION
    assert status["current_package"] == str(package.public_id)
    assert (d / "witness" / str(package.public_id) / "manifest.json.sig").exists()

    start = (local_instant(s1) - timedelta(seconds=5)).isoformat()
    proc = agent_popen(
        "run",
        "--dir",
        d,
        "--player",
        f"file:{out}",
        "--start-at",
        start,
        "--speed",
        "30",
        "--sync-every",
        "2",
        "--urgent-every",
        "1",
        log=tmp_path / "agent.log",
    )
    try:
        wait_for(
            lambda: len([e for e in sidecar(out) if e["outcome"] == "played"]) == 3,
            timeout=60,
            what="three plays",
        )
        wait_for(
            lambda: Confirmation.objects.filter(source="agent").count() == 3,
            timeout=60,
            what="three confirmations",
        )
    finally:
        stop(proc)
    plays = sidecar(out)
    assert [(p["title"], p["priority"]) for p in plays] == [
        ("Thông báo ưu tiên", "priority"),
        ("Bản tin thường", "normal"),
        ("Bản tin thường", "normal"),
    ]
    # Each started at or after its slot, one after the other.
    assert plays[0]["start"] >= local_instant(s1).isoformat()
    assert plays[1]["start"] >= plays[0]["stop"]
    assert plays[2]["start"] >= local_instant(s2).isoformat()
    assert out.stat().st_size > 0
    confs = Confirmation.objects.filter(source="agent").select_related("airing")
    assert {c.airing.status for c in confs} == {"aired"}
    # Each note carries the file's sha256 and the clock offset (in seconds).
    assert all("sha256" in c.note and re.search(r"[+-]\d+\.\d", c.note) for c in confs)
    assert _logged_by_agent() == 3
    # Sent once: a manual report finds nothing queued.
    assert json.loads(agent("report", "--dir", d).stdout)["queued"] == 0


def test_urgent_announcement_interrupts_a_playing_item_then_it_resumes(
    live_server, library, tmp_path
):
    from broadcast.agent_services import urgent_create
    from broadcast.models import UrgentDelivery
    from loa.units.models import Unit

    long_item = audio_item(library, tmp_path, "Phóng sự dài", seconds=8)
    alarm = audio_item(library, tmp_path, "Báo động lũ", seconds=3)
    s1 = slot_today(10)
    schedule(long_item, [s1])
    build()
    d, out = tmp_path / "agent", tmp_path / "amp.mp3"
    enroll(live_server.url, d)
    agent("sync", "--dir", d)
    proc = agent_popen(
        "run",
        "--dir",
        d,
        "--player",
        f"file:{out}",
        "--start-at",
        (local_instant(s1) - timedelta(seconds=1)).isoformat(),
        "--urgent-every",
        "0.5",
        "--sync-every",
        "2",
        log=tmp_path / "agent.log",
    )
    try:
        wait_for(
            lambda: any(e["outcome"] == "playing" for e in sidecar(out)),
            timeout=30,
            what="the item on air",
        )
        time.sleep(1)
        sent = time.time()
        a = urgent_create(
            title="Báo động lũ",
            units=[Unit.objects.get(code=Station.objects.get(code=STATION).unit.code)],
            repeat=2,
            item=alarm,
        )
        wait_for(
            lambda: UrgentDelivery.objects.filter(
                announcement=a, station__code=STATION, state="played"
            ).exists(),
            timeout=60,
            what="urgent played",
        )
        wait_for(
            lambda: (
                [e["outcome"] for e in sidecar(out)][-1:] == ["played"]
                and len(sidecar(out)) == 4
            ),
            timeout=30,
            what="the item resumed",
        )
        wait_for(
            lambda: Confirmation.objects.filter(source="agent").exists(),
            timeout=30,
            what="the resumed item's confirmation",
        )
    finally:
        stop(proc)
    plays = sidecar(out)
    assert [(p["kind"], p["outcome"]) for p in plays] == [
        ("schedule", "interrupted"),
        ("urgent", "played"),
        ("urgent", "played"),
        ("schedule", "played"),
    ]
    # Learned and on air within seconds (the agent polled every 0.5 s).
    assert plays[1]["real_start"] - sent < 5
    assert plays[0]["real_stop"] <= plays[1]["real_start"] + 0.5
    assert plays[0]["real_stop"] - plays[0]["real_start"] < 8
    assert plays[3]["real_start"] >= plays[2]["real_stop"]
    delivery = UrgentDelivery.objects.get(announcement=a, station__code=STATION)
    assert delivery.plays == 2
    states = [
        e.data["state"]
        for e in DistributionEvent.objects.filter(
            kind="urgent_state", station_code=STATION
        ).order_by("pk")
    ]
    assert states == ["delivered", "playing", "played"]
    # The interrupted item aired in full afterwards: one confirmation, aired.
    assert Confirmation.objects.get(source="agent").airing.status == "aired"


def test_tampered_package_is_refused_kept_aside_and_previous_keeps_playing(
    live_server, library, tmp_path
):
    item = audio_item(library, tmp_path, "Bản tin")
    schedule(item, [slot_today(30)])
    first = build()
    d = tmp_path / "agent"
    enroll(live_server.url, d)
    agent("sync", "--dir", d)

    # Pinning from a key file: the server's own key enrolls, another one does not.
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from broadcast.signing import public_key_pem

    good, bad = tmp_path / "good.pem", tmp_path / "bad.pem"
    good.write_text(public_key_pem())
    bad.write_bytes(
        Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    args = ["enroll", "--server", live_server.url, "--token", token()]
    refused = agent(*args, "--dir", tmp_path / "b", "--key-file", bad, check=False)
    assert refused.returncode == 3 and not (tmp_path / "b" / "config.json").exists()
    assert agent(*args, "--dir", tmp_path / "g", "--key-file", good).returncode == 0

    # A second package whose manifest was altered after signing, with SHA256SUMS
    # and the stored checksum recomputed: only the signature can catch it.
    item2 = audio_item(library, tmp_path, "Bản tin hai")
    schedule(item2, [slot_today(20)])
    second = build()
    forged = Path(second.path).with_suffix(".forged")
    with zipfile.ZipFile(second.path) as src, zipfile.ZipFile(forged, "w") as dst:
        manifest = json.loads(src.read("manifest.json"))
        manifest["items"][0]["title"] = "Tin giả"
        mbytes = json.dumps(manifest).encode()
        import hashlib

        sums = []
        for info in src.infolist():
            data = mbytes if info.filename == "manifest.json" else src.read(info)
            if info.filename != "SHA256SUMS":
                dst.writestr(info.filename, data)
                sums.append(f"{hashlib.sha256(data).hexdigest()}  {info.filename}\n")
        dst.writestr("SHA256SUMS", "".join(sorted(sums, key=lambda s: s[66:])))
    os.replace(forged, second.path)
    Package.objects.filter(pk=second.pk).update(
        sha256=hashlib.sha256(Path(second.path).read_bytes()).hexdigest()
    )
    done = agent("sync", "--dir", d, check=False)
    assert done.returncode == 4, done.stdout + done.stderr
    assert json.loads(done.stdout)["code"] == "bad_signature"
    assert (d / "current").resolve().name == str(first.public_id)
    assert len(list((d / "rejected").iterdir())) == 1
    assert not list((d / "packages").glob(".staging-*"))

    # A byte flipped in transit (the file no longer matches its listed sha256).
    raw = bytearray(Path(second.path).read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    Path(second.path).write_bytes(bytes(raw))
    done = agent("sync", "--dir", d, check=False)
    assert json.loads(done.stdout)["code"] in ("bad_download", "bad_checksums")
    assert (d / "current").resolve().name == str(first.public_id)
    status = json.loads(agent("status", "--dir", d).stdout)
    assert status["last_error"]["code"] in ("bad_download", "bad_checksums")


def test_withdrawn_item_is_deleted_and_never_played(live_server, library, tmp_path):
    keep = audio_item(library, tmp_path, "Giữ lại")
    gone = audio_item(library, tmp_path, "Bị rút")
    s1 = slot_today(30)
    s2 = (local_instant(s1) + timedelta(minutes=1)).strftime("%H:%M")
    schedule(keep, [s2])
    withdrawn = schedule(gone, [s1])
    first = build()
    d, out = tmp_path / "agent", tmp_path / "amp.mp3"
    enroll(live_server.url, d)
    agent("sync", "--dir", d)
    media = (
        d
        / "current"
        / next(i["path"] for i in first.manifest["items"] if i["content_id"] == gone.pk)
    )
    assert media.exists()

    schedule_withdraw(schedule=withdrawn, reason="Sai thông tin", actor="duyet.tinh")
    second = build()
    assert second.pk != first.pk
    result = json.loads(agent("sync", "--dir", d).stdout)
    assert result["outcome"] == "switched" and gone.pk in result["withdrawn"]
    assert not any(
        f.name.startswith(f"{gone.pk}-") for f in (d / "packages").rglob("*.mp3")
    )
    proc = agent_popen(
        "run",
        "--dir",
        d,
        "--player",
        f"file:{out}",
        "--start-at",
        (local_instant(s1) - timedelta(seconds=2)).isoformat(),
        "--speed",
        "30",
        "--sync-every",
        "60",
        log=tmp_path / "agent.log",
    )
    try:
        wait_for(
            lambda: any(e["outcome"] == "played" for e in sidecar(out)),
            timeout=60,
            what="the kept item",
        )
    finally:
        stop(proc)
    assert [e["title"] for e in sidecar(out)] == ["Giữ lại"]


def test_download_cut_mid_way_resumes_with_range(live_server, library, tmp_path):
    from broadcast.tasks import PACKAGE_DAYS

    item = audio_item(library, tmp_path, "Bản tin dài", seconds=6)
    schedule(item, [slot_today(30)])
    # The period the schedule's own rebuild (queued on commit) uses: whichever
    # build runs first, the other finds the same inputs, so this one stays current.
    package = build(days=PACKAGE_DAYS)
    u = urlparse(live_server.url)
    proxy = CuttingProxy((u.hostname, u.port), cut_after=package.bytes // 2)
    d = tmp_path / "agent"
    try:
        enroll(proxy.url, d)
        first = agent("sync", "--dir", d, check=False)
        assert first.returncode == 6, first.stdout + first.stderr
        assert proxy.cuts == 1
        part = d / "downloads" / f"{package.public_id}.zip.part"
        have = part.stat().st_size
        assert 0 < have < package.bytes
        assert not (d / "current").exists()
        second = json.loads(agent("sync", "--dir", d).stdout)
        assert second["outcome"] == "switched"
    finally:
        proxy.close()
    ranges = [
        e.data
        for e in DistributionEvent.objects.filter(
            kind="package_downloaded", package_id=package.pk
        ).order_by("pk")
    ]
    # Counted once, however many requests it took. Which request sent the last
    # byte depends on the proxy's buffering (it may have read the whole first
    # response before cutting the link), so only the normalised form is pinned.
    assert len(ranges) == 1
    assert ranges[0]["range"] in ("", f"{have}-{package.bytes - 1}")


def test_kill_9_mid_unpack_leaves_the_previous_package_and_no_half_folder(
    live_server, library, tmp_path
):
    item = audio_item(library, tmp_path, "Bản tin")
    schedule(item, [slot_today(30)])
    first = build()
    d = tmp_path / "agent"
    enroll(live_server.url, d)
    agent("sync", "--dir", d)
    items = [audio_item(library, tmp_path, f"Mục {n}", seconds=3) for n in range(4)]
    for n, it in enumerate(items):
        schedule(it, [slot_today(25 - n)])
    second = build()

    import subprocess
    import sys

    from .agent_support import ROOT

    caught = False
    for _attempt in range(15):
        proc = subprocess.Popen(
            [sys.executable, "-m", "broadcast.agent", "sync", "--dir", str(d)],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while proc.poll() is None and time.monotonic() < deadline:
            if list((d / "packages").glob(".staging-*/*")):
                os.kill(proc.pid, signal.SIGKILL)
                caught = True
                break
            time.sleep(0.001)
        proc.wait()
        if caught:
            break
        agent_state = json.loads((d / "state.json").read_text())
        if agent_state.get("current_package") == str(second.public_id):
            pytest.skip("the unpack finished before it could be interrupted")
    assert caught
    # The power came back: the previous package is still the one playing.
    assert (d / "current").resolve().name == str(first.public_id)
    assert ((d / "current") / ".complete").exists()
    status = json.loads(agent("status", "--dir", d).stdout)
    assert status["current_package"] == str(first.public_id)
    result = json.loads(agent("sync", "--dir", d).stdout)
    assert result["outcome"] == "switched"
    assert (d / "current").resolve().name == str(second.public_id)
    assert not list((d / "packages").glob(".staging-*"))
    assert [p.name for p in (d / "packages").iterdir()] == [str(second.public_id)]


def test_offline_for_days_then_every_confirmation_arrives_exactly_once(
    live_server, library, tmp_path
):
    item = audio_item(library, tmp_path, "Bản tin hằng ngày")
    today = timezone.localdate()
    start = today - timedelta(days=3)
    schedule(item, ["06:00"], days=3, start=start)
    build(start=start, days=4)
    u = urlparse(live_server.url)
    proxy = CuttingProxy((u.hostname, u.port))
    d, out = tmp_path / "agent", tmp_path / "amp.mp3"
    try:
        enroll(proxy.url, d)
        agent("sync", "--dir", d)
        proxy.down = True
        proc = agent_popen(
            "run",
            "--dir",
            d,
            "--player",
            f"file:{out}",
            "--start-at",
            local_instant("05:59", start).isoformat(),
            "--speed",
            "20000",
            "--late-minutes",
            "600",
            "--sync-every",
            "1",
            log=tmp_path / "agent.log",
        )
        try:
            wait_for(
                lambda: len([e for e in sidecar(out) if e["outcome"] == "played"]) == 3,
                timeout=60,
                what="three days of plays offline",
            )
            status = json.loads(agent("status", "--dir", d).stdout)
            assert status["queued_confirmations"] == 3
            assert status["last_error"]["code"] == "link"
            assert Confirmation.objects.count() == 0
            proxy.down = False
            wait_for(
                lambda: Confirmation.objects.filter(source="agent").count() == 3,
                timeout=60,
                what="confirmations after the link came back",
            )
        finally:
            stop(proc)
        assert json.loads(agent("report", "--dir", d).stdout) == {
            "sent": 0,
            "queued": 0,
        }
        # The acknowledgements were lost (say, the power went as they arrived):
        # sending everything again records nothing twice.
        (d / "sent.jsonl").unlink()
        again = json.loads(agent("report", "--dir", d).stdout)
        assert again == {"sent": 3, "queued": 0}
    finally:
        proxy.close()
    assert Confirmation.objects.filter(source="agent").count() == 3
    aired = PlannedAiring.objects.filter(station__code=STATION, status="aired")
    assert aired.count() == 3
    assert _logged_by_agent() == 3


def _logged_by_agent() -> int:
    """Confirmations the log holds from the agent: one per airing event, a batch's
    count per batch event (an agent back online sends its queue in one request),
    each held against its batch root by verify_log."""
    from broadcast.log import verify_chain

    report = verify_chain()
    assert report.ok, report.reason
    return sum(
        e.data.get("count", 1)
        for e in DistributionEvent.objects.filter(
            kind__in=["airing_confirmed", "confirmations"], source="agent"
        )
    )
