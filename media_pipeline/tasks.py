"""Celery tasks: thin wrappers that take ids and call services.

Media tasks are acknowledged late and rejected when the worker is lost, so a worker
killed mid-job (SIGKILL, OOM, machine gone) leaves the message for another worker.
That is safe because services are idempotent: a done job is never redone.
"""

from celery import shared_task
from celery.signals import worker_ready
from django.db import InterfaceError, OperationalError

from . import services

_MEDIA_TASK = dict(acks_late=True, reject_on_worker_lost=True)
# Only errors that can pass by themselves are retried, with exponential backoff.
_TRANSIENT = dict(
    autoretry_for=(services.TransientError, OperationalError, InterfaceError),
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=5,
)


@shared_task(**_MEDIA_TASK, **_TRANSIENT, soft_time_limit=3600, time_limit=3700)
def ingest(kind: str, pk: int) -> None:
    if kind == "media":
        services.media_ingest(media_id=pk)
    else:
        services.image_ingest(image_id=pk)


# The hard limit is a backstop; each ffmpeg run has its own duration-scaled timeout.
@shared_task(
    **_MEDIA_TASK,
    **_TRANSIENT,
    bind=True,
    soft_time_limit=6 * 3600,
    time_limit=6 * 3600 + 300,
)
def run_jobs(self, job_ids: list[int]) -> None:
    _jobs, busy = services.jobs_run(job_ids=job_ids)
    if busy and not self.request.is_eager:
        # Another worker's job (or one whose worker may have died elsewhere): look
        # again once its heartbeat would be stale.
        countdown = services.stale_after().total_seconds() + 5
        run_jobs.apply_async((busy,), countdown=countdown)


@shared_task
def sweep_stuck_jobs() -> int:
    return services.jobs_sweep_stuck()


@worker_ready.connect
def recover_lost_jobs(**_kwargs) -> None:
    """A worker starting (after a crash, or `make run` restarting one) resumes the
    jobs dead workers left running, without waiting for the sweep."""
    services.jobs_recover_lost()
