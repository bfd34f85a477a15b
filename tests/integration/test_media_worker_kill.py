"""A worker SIGKILLed in the middle of a transcode: the job is not lost, the
redelivered task takes it over at once (not after the sweeper's delay), finishes
it, and no temporary file or orphan ffmpeg survives."""

from __future__ import annotations

import os
import signal
import socket
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files import File

from media_pipeline.models import LoaMedia, RenditionJob
from tests.media import speechlike_wav

from .conftest import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def _processes_mentioning(text: str) -> list[int]:
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            continue
        if text.encode() in cmdline:
            found.append(int(proc.name))
    return found


def test_sigkilled_worker_mid_job_is_taken_over_promptly_and_cleaned_up(
    celery_worker_process, tmp_path
):
    from wagtail.models import Collection

    # An earlier transactional test may have flushed the migrations' root collection.
    if not Collection.get_first_root_node():
        Collection.add_root(name="Root")
    # Long enough that the kill lands mid-render on this 2-core machine.
    wav = speechlike_wav(tmp_path / "dai-phat-thanh.wav", seconds=240, rate=48000)
    with open(wav, "rb") as fh:
        media = LoaMedia(title="Chương trình phát thanh", type="audio")
        media.file.save(wav.name, File(fh), save=True)

    def running_job():
        job = (
            RenditionJob.objects.filter(media=media, status="running")
            .order_by("pk")
            .first()
        )
        return job if job and job.progress >= 5 else None

    job = wait_for(running_job, timeout=120, interval=0.2, what="a job mid-render")
    host, _, pid = job.worker.rpartition(":")
    assert host == socket.gethostname()
    work = Path(settings.LOA_PRIVATE_ROOT) / "tmp" / f"job-{job.pk}"
    assert work.exists()
    killed_at = time.monotonic()
    os.kill(int(pid), signal.SIGKILL)

    def taken_over():
        j = RenditionJob.objects.get(pk=job.pk)
        # The lost run is not counted as an attempt.
        return j.attempts == 1 and j.worker != job.worker and j.status == "running"

    # Redelivery takes it over at once: well before the heartbeat could go stale
    # (LOA_JOB_STALE_SECONDS) or the 5-minute sweeper runs.
    wait_for(
        taken_over, timeout=30, interval=0.2, what="another worker process to take over"
    )
    assert time.monotonic() - killed_at < settings.LOA_JOB_STALE_SECONDS

    def done():
        jobs = list(RenditionJob.objects.filter(media=media))
        if any(j.status == "failed" for j in jobs):
            return jobs
        return jobs if jobs and all(j.status == "done" for j in jobs) else None

    jobs = wait_for(done, timeout=240, what="the jobs to finish after the kill")
    for j in jobs:
        assert j.status == "done", (j.profile, j.error_code, j.log[-1000:])
        assert j.attempts == 1, j.profile
        assert j.worker != job.worker
        assert Path(j.file.path).exists()
    assert not any(
        (Path(settings.LOA_PRIVATE_ROOT) / "tmp" / f"job-{j.pk}").exists() for j in jobs
    )
    # The killed worker's ffmpeg died with it (PR_SET_PDEATHSIG), no orphan left.
    assert _processes_mentioning(media.file.name) == []
    log = celery_worker_process.log_path.read_text(errors="replace")
    assert f"job {job.pk}: its worker {job.worker} was lost" in log
