from celery import shared_task
from django.core.management import call_command


@shared_task
def publish_scheduled() -> None:
    """Wagtail's scheduled go-live and expiry, run by Celery beat: no cron line needed."""
    call_command("publish_scheduled")


@shared_task(acks_late=True, time_limit=600, soft_time_limit=570)
def announcement_speech_render(
    media_id: int, text: str, voice: str, captions_id: int | None = None
) -> None:
    """Speech (and its timed captions) for a written announcement; idempotent (a
    made file is kept)."""
    from .services import media_speech_render

    media_speech_render(
        media_id=media_id, text=text, voice=voice, captions_id=captions_id
    )
