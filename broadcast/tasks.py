from datetime import date, timedelta

from celery import shared_task
from django.utils import timezone

from .log import checkpoint_sign
from .models import Station
from .packages import package_build

PACKAGE_DAYS = 7


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=3 * 3600,
    time_limit=3 * 3600 + 300,
)
def build_package(station_id: int, start: str, end: str) -> int:
    return package_build(
        station_id=station_id,
        start=date.fromisoformat(start),
        end=date.fromisoformat(end),
    ).pk


@shared_task
def build_due_packages() -> int:
    """Queue the coming week's package for every station that receives packages.
    Unchanged inputs are not rebuilt, so running this often is cheap."""
    start = timezone.localdate()
    end = start + timedelta(days=PACKAGE_DAYS - 1)
    n = 0
    for pk in Station.objects.filter(active=True).values_list("pk", flat=True):
        build_package.delay(pk, start.isoformat(), end.isoformat())
        n += 1
    return n


@shared_task
def sign_log_checkpoint() -> int:
    """Hourly: sign the log's length and head hash (a no-op when nothing changed)."""
    return checkpoint_sign().pk
