from celery import shared_task
from django.core.management import call_command


@shared_task
def publish_scheduled() -> None:
    """Wagtail's scheduled go-live and expiry, run by Celery beat: no cron line needed."""
    call_command("publish_scheduled")
