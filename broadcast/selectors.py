"""Reads on the distribution path, scoped to who is asking."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import QuerySet

from .models import PlannedAiring, Station, Unit
from .scope import scope_policy

LOCAL_TZ = ZoneInfo(settings.TIME_ZONE)


def station_scope(station: Station) -> set[int]:
    """A station sees itself; a district station also sees its communes' stations.
    Kept for callers not yet converted: ask `scope.scope_policy` instead."""
    return set(scope_policy.for_station(station).station_ids)


def user_unit(user) -> Unit | None:
    assignment = getattr(user, "assignment", None) if user.is_authenticated else None
    return assignment.unit if assignment else None


def user_station_scope(user) -> set[int] | None:
    """Stations a signed-in user may see: None means all (province staff, superusers).
    Kept for callers not yet converted: ask `scope.scope_policy` instead."""
    return scope_policy.for_user(user).station_id_set()


def local_day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0, 0), LOCAL_TZ)
    return start, datetime.combine(day, time.max, LOCAL_TZ)


def airings_between(
    *, station_ids: set[int] | None, start: datetime, end: datetime
) -> QuerySet[PlannedAiring]:
    qs = PlannedAiring.objects.filter(planned_at__gte=start, planned_at__lte=end)
    if station_ids is not None:
        qs = qs.filter(station_id__in=station_ids)
    return qs.select_related("station", "schedule").order_by(
        "planned_at", "station__code"
    )
