"""Celery tasks: thin wrappers that take ids and call services.

Media tasks are acknowledged late and rejected when the worker is lost, so a worker
killed mid-job (SIGKILL, OOM, machine gone) leaves the message for another worker.
That is safe because services are idempotent: a done job is never redone.
"""

from celery import shared_task

from . import services

_MEDIA_TASK = dict(acks_late=True, reject_on_worker_lost=True)


@shared_task(**_MEDIA_TASK, soft_time_limit=3600, time_limit=3700)
def ingest(kind: str, pk: int) -> None:
    if kind == "media":
        services.media_ingest(media_id=pk)
    else:
        services.image_ingest(image_id=pk)


# The hard limit is a backstop; each ffmpeg run has its own duration-scaled timeout.
@shared_task(**_MEDIA_TASK, soft_time_limit=6 * 3600, time_limit=6 * 3600 + 300)
def run_jobs(job_ids: list[int]) -> None:
    services.jobs_run(job_ids=job_ids)


@shared_task
def sweep_stuck_jobs() -> int:
    return services.jobs_sweep_stuck()
