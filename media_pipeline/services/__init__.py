"""The database side of the pipeline, by concern: ingest of audio and video
(ingest.py), rendition jobs (jobs.py), images (images.py), where renditions live (placement.py). The public names are
importable from here, as they were from the single module this package replaced.
"""

from .common import ERROR_MESSAGES, error_message, sha256_file
from .images import image_ingest
from .ingest import media_ingest
from .jobs import (
    TransientError,
    captions_attach,
    job_requeue,
    job_source,
    jobs_ensure,
    jobs_recover_lost,
    jobs_run,
    jobs_sweep_stuck,
    stale_after,
    work_dir,
)
from .placement import renditions_place, renditions_place_all

__all__ = [
    "ERROR_MESSAGES",
    "TransientError",
    "captions_attach",
    "error_message",
    "image_ingest",
    "job_requeue",
    "job_source",
    "jobs_ensure",
    "jobs_recover_lost",
    "jobs_run",
    "jobs_sweep_stuck",
    "media_ingest",
    "renditions_place",
    "renditions_place_all",
    "sha256_file",
    "stale_after",
    "work_dir",
]
