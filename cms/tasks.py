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


@shared_task(time_limit=120, soft_time_limit=110)
def speech_preview_render(preview_id: str) -> None:
    """An editor's speech preview; idempotent (only a queued one is made)."""
    from .services import speech_preview_render as render

    render(preview_id=preview_id)


@shared_task
def speech_previews_purge() -> int:
    """Hourly: remove speech previews older than LOA_SPEECH_PREVIEW_HOURS."""
    from datetime import timedelta

    from django.conf import settings

    from .services import speech_previews_purge as purge

    return purge(older_than=timedelta(hours=settings.LOA_SPEECH_PREVIEW_HOURS))


@shared_task(acks_late=True, soft_time_limit=600, time_limit=660)
def place_page_files(page_id: int) -> int:
    """Renditions of a page's media moved public or private; idempotent."""
    from .services import page_files_place

    return page_files_place(page_id=page_id)


@shared_task(acks_late=True, soft_time_limit=3000, time_limit=3300)
def place_all_renditions() -> int:
    """The daily catch-up for changes no publication signal announces."""
    from media_pipeline.services import renditions_place_all

    return renditions_place_all()
