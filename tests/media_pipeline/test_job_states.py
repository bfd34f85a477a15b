"""Rendition jobs as a state machine: queued → running → done | failed | cancelled,
running → queued when its worker is lost. Each transition checks where it starts."""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest
from celery.signals import worker_ready
from django.utils import timezone

from media_pipeline import services
from media_pipeline.models import InvalidTransition, LoaMedia, RenditionJob
from tests.media import speechlike_wav

pytestmark = pytest.mark.django_db

DEAD_LOCAL_WORKER = f"{socket.gethostname()}:{2**22 + 7}"  # no such pid


@pytest.fixture
def rendered(tmp_path, django_capture_on_commit_callbacks):
    """A 3 s WAV uploaded and rendered (Celery eager): its district-fm job."""
    from django.core.files import File

    wav = speechlike_wav(tmp_path / "a.wav", seconds=3)
    with django_capture_on_commit_callbacks(execute=True):
        media = LoaMedia(title="a", type="audio")
        with open(wav, "rb") as fh:
            media.file.save("a.wav", File(fh), save=True)
    return media.jobs.get(profile="district-fm")


def _job(**fields) -> RenditionJob:
    media = LoaMedia.objects.create(title="x", type="audio", sha256="ab" * 32)
    return RenditionJob.objects.create(
        media=media,
        profile="district-fm",
        profile_version="v",
        source_sha256=media.sha256,
        **fields,
    )


def test_each_transition_refuses_a_state_it_cannot_start_from():
    job = _job()
    with pytest.raises(InvalidTransition):
        job.finish()  # queued → done skips running
    with pytest.raises(InvalidTransition):
        job.requeue()  # already queued
    with pytest.raises(InvalidTransition):
        job.release(lost_worker=True)  # not running
    job.start(worker="w:1")
    assert (job.status, job.attempts, job.worker) == ("running", 1, "w:1")
    with pytest.raises(InvalidTransition):
        job.start(worker="w:2")  # two workers on one job
    job.fail(code="ffmpeg", detail="x")
    with pytest.raises(InvalidTransition):
        job.cancel()
    job.requeue()
    job.refresh_from_db()
    assert (job.status, job.attempts, job.error_code) == ("queued", 0, "")


def test_cancelling_a_queued_job_keeps_it_from_running():
    job = _job()
    job.cancel()
    ran, busy = services.jobs_run(job_ids=[job.pk])
    assert ran == [] and busy == []
    job.refresh_from_db()
    assert job.status == "cancelled"


def test_rerender_of_a_job_that_failed_three_times_renders_it(
    rendered, settings, django_capture_on_commit_callbacks
):
    # Found: Re-render kept the attempt count, so the job failed at once with a
    # false "worker lost".
    RenditionJob.objects.filter(pk=rendered.pk).update(
        status="failed",
        error_code="ffmpeg",
        attempts=settings.LOA_JOB_MAX_ATTEMPTS,
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.job_requeue(job_id=rendered.pk)  # eager: runs on commit
    rendered.refresh_from_db()
    assert (rendered.status, rendered.error_code) == ("done", "")
    assert rendered.attempts == 1


def test_a_lost_worker_does_not_count_as_an_attempt(rendered):
    RenditionJob.objects.filter(pk=rendered.pk).update(
        status="running",
        worker=DEAD_LOCAL_WORKER,
        heartbeat_at=timezone.now(),
        attempts=1,
        file="",
    )
    ran, _busy = services.jobs_run(job_ids=[rendered.pk])
    rendered.refresh_from_db()
    assert [j.pk for j in ran] == [rendered.pk]
    assert (rendered.status, rendered.attempts) == ("done", 1)
    assert rendered.extra.get("workers_lost") is None  # cleared once done


def test_a_job_that_keeps_killing_its_worker_is_given_up(rendered, settings):
    RenditionJob.objects.filter(pk=rendered.pk).update(
        status="running",
        worker=DEAD_LOCAL_WORKER,
        heartbeat_at=timezone.now(),
        extra={"workers_lost": settings.LOA_JOB_MAX_LOST_WORKERS - 1},
        file="",
    )
    services.jobs_run(job_ids=[rendered.pk])
    rendered.refresh_from_db()
    assert (rendered.status, rendered.error_code) == ("failed", "worker_lost")


def test_a_starting_worker_recovers_jobs_of_dead_workers_at_once(rendered, settings):
    RenditionJob.objects.filter(pk=rendered.pk).update(
        status="running",
        worker=DEAD_LOCAL_WORKER,
        heartbeat_at=timezone.now(),  # fresh: the sweeper would wait minutes
        attempts=1,
        file="",
    )
    other = _job(status="running", worker="other-host:1", heartbeat_at=timezone.now())
    worker_ready.send(sender=None)  # eager: the recovered job runs now
    rendered.refresh_from_db()
    other.refresh_from_db()
    assert (rendered.status, rendered.attempts) == ("done", 1)
    # Another machine's job with a fresh heartbeat may still be running.
    assert other.status == "running"
    stale = timezone.now() - timedelta(seconds=settings.LOA_JOB_STALE_SECONDS + 5)
    RenditionJob.objects.filter(pk=other.pk).update(heartbeat_at=stale)
    assert services.jobs_recover_lost() == [other.pk]


def test_a_failed_job_names_the_binary_and_ffmpegs_reason(
    tmp_path, settings, django_capture_on_commit_callbacks
):
    from django.core.files import File

    from media_pipeline.ffmpeg import ffmpeg_binary

    settings.LOA_PROFILE_OVERRIDES = {"district-fm": {"filters": ("nosuchfilter",)}}
    wav = speechlike_wav(tmp_path / "b.wav", seconds=3)
    with django_capture_on_commit_callbacks(execute=True):
        media = LoaMedia(title="b", type="audio")
        with open(wav, "rb") as fh:
            media.file.save("b.wav", File(fh), save=True)
    job = media.jobs.get(profile="district-fm")
    assert (job.status, job.error_code) == ("failed", "ffmpeg")
    assert job.error_detail.startswith(f"{ffmpeg_binary()}: ")
    assert "nosuchfilter" in job.error_detail
    # The log keeps ffmpeg's own stderr for staff.
    assert "No such filter: 'nosuchfilter'" in job.log
    assert not job.log.startswith(ffmpeg_binary())
