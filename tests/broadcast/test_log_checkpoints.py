"""Signed checkpoints witness the log: verify_log catches a cut tail, an emptied
log, and a rewrite with recomputed hashes, which the chain alone cannot; a
station's copy of the checkpoints catches deleted checkpoints too."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from broadcast.log import checkpoint_sign, log_event, verify_chain
from broadcast.models import LogCheckpoint, Station
from tests import log_tamper

pytestmark = pytest.mark.django_db


def _events(n: int, start: int = 0):
    for i in range(start, start + n):
        log_event(kind="package_built", source="task", station_code=f"s{i}")


def _verify_fails(*args) -> str:
    with pytest.raises(CommandError) as failed:
        call_command("verify_log", *args, stdout=io.StringIO())
    return str(failed.value)


@pytest.mark.parametrize("tamper", list(log_tamper.TAMPERS))
def test_verify_log_detects_tampering_before_a_checkpoint(tamper):
    _events(6)
    checkpoint_sign()
    _events(2, start=6)
    out = io.StringIO()
    call_command("verify_log", stdout=out)
    assert "OK: 8 events" in out.getvalue() and "1 signed checkpoints" in out.getvalue()
    # Each case reaches back before the checkpoint (the tail case removes 3 of the
    # 2 events after it): what happened since the last checkpoint is what the
    # README says a database owner can still hide until the next one.
    log_tamper.TAMPERS[tamper]()
    assert not verify_chain().ok
    assert "checkpoint" in _verify_fails() or "Broken" in _verify_fails()


def test_a_forged_checkpoint_is_refused():
    _events(3)
    cp = checkpoint_sign()
    forged = json.loads(cp.payload) | {"events": 2}
    with log_tamper.triggers_off("broadcast_logcheckpoint") as cur:
        cur.execute(
            "UPDATE broadcast_logcheckpoint SET payload = %s WHERE id = %s",
            [json.dumps(forged), cp.pk],
        )
    assert "not signed" in _verify_fails()


def test_witness_file_catches_deleted_checkpoints_and_a_cut_tail(
    station_client, tmp_path
):
    _events(4)
    checkpoint_sign()
    _events(3, start=4)
    checkpoint_sign()
    kept = station_client("dx-tan-phu-loa").get("/api/v1/log/checkpoints")
    assert kept.status_code == 200 and [c["events"] for c in kept.json()] == [4, 7]
    witness = tmp_path / "checkpoints.json"
    witness.write_text(kept.text)
    call_command("verify_log", "--witness", str(witness), stdout=io.StringIO())

    # Someone with database rights cuts the tail and the checkpoint covering it.
    log_tamper.delete_tail(3)
    log_tamper.delete_checkpoints_after(4)
    call_command("verify_log", stdout=io.StringIO())  # the database alone agrees
    assert "missing from the database" in _verify_fails("--witness", str(witness))


def test_each_package_build_signs_a_checkpoint_its_manifest_carries(
    audio_item, schedule_today, tmp_path
):
    from broadcast.packages import package_build

    schedule_today(audio_item(), ["dx-tan-phu-loa"], days=1)
    _events(2)
    today = timezone.localdate()
    p = package_build(
        station_id=Station.objects.get(code="dx-tan-phu-loa").pk, start=today, end=today
    )
    cp = p.manifest["log_checkpoint"]
    latest = LogCheckpoint.objects.latest("pk")
    assert cp["payload"] == latest.payload and cp["events"] == latest.events >= 2
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps(p.manifest))
    out = io.StringIO()
    call_command("verify_log", "--witness", str(manifest), stdout=out)
    assert "chain intact" in out.getvalue()


def test_hourly_task_signs_only_when_the_log_grew(settings):
    from broadcast.tasks import sign_log_checkpoint

    schedule = settings.CELERY_BEAT_SCHEDULE["sign-log-checkpoint"]
    assert schedule["task"] == "broadcast.tasks.sign_log_checkpoint"
    assert schedule["schedule"].total_seconds() == 3600
    _events(1)
    first = sign_log_checkpoint.delay().get()
    assert sign_log_checkpoint.delay().get() == first
    _events(1, start=1)
    assert sign_log_checkpoint.delay().get() != first
    assert LogCheckpoint.objects.count() == 2


def test_checkpoints_need_a_token_or_session():
    assert Client().get("/api/v1/log/checkpoints").status_code == 401
