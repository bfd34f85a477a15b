"""Reads on the distribution path, scoped to who is asking."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Now

from loa.units.models import Unit

from .models import Package, PlannedAiring, Schedule, Station
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


def schedules_for(
    *,
    station_ids: set[int] | None,
    text: str = "",
    unit: Unit | None = None,
    kind: str = "",
    on: date | None = None,
    with_counts: bool = False,
) -> QuerySet[Schedule]:
    """Schedules with an airing at one of these stations (None: all), filtered by
    item title, unit (and below), station kind and a day they cover; with counts,
    what became of those airings."""
    airings = PlannedAiring.objects.filter(schedule=OuterRef("pk"))
    if station_ids is not None:
        airings = airings.filter(station_id__in=station_ids)
    if unit is not None:
        airings = airings.filter(station__unit_id__in=unit.descendant_ids())
    if kind:
        airings = airings.filter(station__kind=kind)
    qs = Schedule.objects.filter(Exists(airings))
    if text:
        qs = qs.filter(item_title__icontains=text)
    if on is not None:
        qs = qs.filter(start_date__lte=on, end_date__gte=on)
    if with_counts:
        mine = Q()
        if station_ids is not None:
            mine = Q(airings__station_id__in=station_ids)
        S = PlannedAiring.Status
        qs = qs.annotate(
            n_planned=Count("airings", filter=mine),
            n_aired=Count("airings", filter=mine & Q(airings__status=S.AIRED)),
            n_missed=Count("airings", filter=mine & Q(airings__status=S.MISSED)),
            n_waiting=Count(
                "airings",
                filter=mine
                & Q(airings__status=S.PLANNED, airings__planned_at__lte=Now()),
            ),
            n_cancelled=Count("airings", filter=mine & Q(airings__status=S.CANCELLED)),
        )
    return qs.order_by("-start_date", "-pk")


def ready_package(*, public_id, station_ids: set[int] | None) -> Package | None:
    """A built package by its public id, if it belongs to a station in scope
    (None = every station): the API and the station page look it up alike."""
    qs = Package.objects.filter(
        public_id=public_id, status=Package.Status.READY
    ).select_related("station", "station__unit")
    if station_ids is not None:
        qs = qs.filter(station_id__in=station_ids)
    return qs.first()
