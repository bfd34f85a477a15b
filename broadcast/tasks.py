from datetime import date, timedelta

from celery import shared_task
from django.utils import timezone

from .log import checkpoint_sign, seal_pending
from .models import Station
from .packages import package_build, package_holders, stations_waiting_on_rendition

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


def _coming_period() -> tuple[date, date]:
    start = timezone.localdate()
    return start, start + timedelta(days=PACKAGE_DAYS - 1)


def _queue_builds(station_ids: set[int]) -> int:
    start, end = _coming_period()
    for pk in sorted(station_ids):
        build_package.delay(pk, start.isoformat(), end.isoformat())
    return len(station_ids)


@shared_task
def build_packages_for_rendition(job_id: int) -> int:
    """A rendition finished: build now the packages that wait on it, rather than on
    the next beat."""
    start, end = _coming_period()
    waiting = stations_waiting_on_rendition(job_id=job_id, start=start, end=end)
    return _queue_builds(package_holders(waiting))


@shared_task
def build_packages_for_stations(station_ids: list[int]) -> int:
    """The coming week's packages of these stations (and of their districts)."""
    return _queue_builds(package_holders(set(station_ids)))


@shared_task
def build_due_packages() -> int:
    """Queue the coming week's package for every station that receives packages.
    Unchanged inputs are not rebuilt, so running this often is cheap."""
    start, end = _coming_period()
    n = 0
    for pk in Station.objects.filter(active=True).values_list("pk", flat=True):
        build_package.delay(pk, start.isoformat(), end.isoformat())
        n += 1
    return n


@shared_task
def sign_log_checkpoint() -> int:
    """Hourly: sign the log's length and head hash (a no-op when nothing changed)."""
    return checkpoint_sign().pk


@shared_task
def seal_log() -> int:
    """Every minute: chain the confirmation batches that found the log's lock busy
    (any append does it too; this bounds the wait when none comes)."""
    return seal_pending()
