"""Packages follow the media pipeline: a finished rendition rebuilds, at once, the
packages of the stations waiting on it. media_pipeline sends the signal and never
imports broadcast."""

from django.dispatch import receiver

from media_pipeline.signals import rendition_done


@receiver(rendition_done)
def build_packages_waiting_on_rendition(sender, job_id: int, **kwargs) -> None:
    from .tasks import build_packages_for_rendition

    # Sent after the job's DONE commit, so the task sees the finished rendition.
    build_packages_for_rendition.delay(job_id)
