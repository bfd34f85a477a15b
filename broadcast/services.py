"""Writes on the distribution path: tokens, schedules, confirmations, withdrawals.

Packages are in packages.py, reads in selectors.py, the log in log.py.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid as uuidlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from loa.textsafe import has_control_characters
from loa.units.models import Unit
from media_pipeline import rules

from .log import LEAF_FIELDS, batch_root, log_event, log_events
from .models import (
    Confirmation,
    DistributionEvent,
    PlannedAiring,
    Priority,
    Schedule,
    Station,
    StationToken,
)
from .selectors import local_day_bounds

LOCAL_TZ = ZoneInfo(settings.TIME_ZONE)


class ServiceError(ValueError):
    """A request the rules refuse. `code` is stable for API clients; the message is
    translated for people."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


# --- tokens -----------------------------------------------------------------

TOKEN_PREFIX = "loa_"


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def station_token_create(
    *, station: Station, label: str = ""
) -> tuple[StationToken, str]:
    """Make a token; the raw value is returned once and only its hash is stored."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = StationToken.objects.create(
        station=station, prefix=raw[:12], token_hash=_hash_token(raw), label=label
    )
    return token, raw


def station_token_authenticate(raw: str) -> Station | None:
    if not raw or not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    token = (
        StationToken.objects.select_related("station", "station__unit")
        .filter(
            token_hash=_hash_token(raw), revoked_at__isnull=True, station__active=True
        )
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    # One write a minute at most: the token is checked on every request.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        StationToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.station


def station_token_revoke(*, token: StationToken) -> None:
    StationToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


# --- schedules --------------------------------------------------------------


def item_is_schedulable(item, *, on: date | None = None) -> bool:
    """Only approved (published), live, unexpired items within their validity air."""
    from cms.models import ContentItemPage

    on = on or timezone.localdate()
    if item is None:
        return False
    specific = item.specific
    if not isinstance(specific, ContentItemPage):
        return False
    if not specific.live or specific.expired:
        return False
    if specific.expire_at and specific.expire_at <= timezone.now():
        return False
    return not (specific.valid_until and specific.valid_until < on)


def schedule_target_stations(schedule: Schedule) -> list[Station]:
    qs = Station.objects.filter(active=True)
    if schedule.target_kind == Schedule.TargetKind.STATIONS:
        qs = qs.filter(pk__in=schedule.target_stations.values("pk"))
    elif schedule.target_kind == Schedule.TargetKind.STATION_KIND:
        qs = qs.filter(kind=schedule.target_station_kind)
        if schedule.target_unit_id:
            qs = qs.filter(unit_id__in=schedule.target_unit.descendant_ids())
    else:
        qs = qs.filter(unit_id__in=schedule.target_unit.descendant_ids())
    stations = list(qs.order_by("code"))
    # A station that cannot play the item's media is never targeted (a board and
    # a recording): media_pipeline.rules answers, as it does for packages.
    item = schedule.item.specific if schedule.item_id else None
    source = getattr(item, "media_source", None)
    if source is None:
        return stations
    return [s for s in stations if rules.station_profile(s, source) is not None]


def _occurrences(schedule: Schedule) -> list[tuple[datetime, bool]]:
    """Planned instants (UTC) and whether each is flexible, from the schedule's rule."""
    days = []
    d = schedule.start_date
    while d <= schedule.end_date:
        if not schedule.weekdays or d.isoweekday() in schedule.weekdays:
            days.append(d)
        d += timedelta(days=1)
    out: list[tuple[datetime, bool]] = []
    if schedule.times_in_period:
        # Spread N airings over the days; the commune picks the hour.
        n = schedule.times_in_period
        for i in range(n):
            day = days[(i * len(days)) // n] if days else schedule.start_date
            local = datetime.combine(day, time(0, 0), LOCAL_TZ) + timedelta(minutes=i)
            out.append((local.astimezone(ZoneInfo("UTC")), True))
        return out
    for day in days:
        for slot in schedule.slot_times:
            hh, mm = (int(x) for x in slot.split(":"))
            local = datetime.combine(day, time(hh, mm), LOCAL_TZ)
            out.append((local.astimezone(ZoneInfo("UTC")), False))
    return out


def parse_slot_times(text: str) -> list[str]:
    """'06:00, 17:30' → ['06:00', '17:30'], refusing anything that is not a time."""
    slots = []
    for part in text.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            t = datetime.strptime(part, "%H:%M").time()
        except ValueError:
            raise ServiceError(
                "bad_time",
                _("“%(value)s” is not a time of day (HH:MM).") % {"value": part},
            ) from None
        slots.append(t.strftime("%H:%M"))
    return sorted(set(slots))


class ScheduleOverlap(ServiceError):
    """Some of the slots asked for are already planned for the same item: the
    caller chooses to add only the missing ones, or to give up."""

    def __init__(self, *, existing: int, missing: int):
        super().__init__(
            "overlap",
            _(
                "%(existing)d of these airings are already scheduled for this item "
                "(%(missing)d would be new)."
            )
            % {"existing": existing, "missing": missing},
        )
        self.existing = existing
        self.missing = missing


class OnOverlap:
    REFUSE = "refuse"
    ADD_MISSING = "add_missing"


def _check_schedule_rule(
    *, item, start_date, end_date, slot_times, times_in_period, on: date
) -> None:
    if not item_is_schedulable(item, on=on):
        raise ServiceError(
            "not_schedulable",
            _("Only approved, published and unexpired items can be scheduled."),
        )
    if end_date < start_date:
        raise ServiceError("bad_period", _("The end date is before the start date."))
    if (end_date - start_date).days > 366:
        raise ServiceError("bad_period", _("A schedule can cover at most one year."))
    if not slot_times and not times_in_period:
        raise ServiceError(
            "no_times",
            _("Give times of day, or a number of airings within the period."),
        )


def _taken_slots(
    *, item_id: int, station_ids: list[int], instants: list[datetime]
) -> set[tuple[int, datetime]]:
    """(station, instant) pairs already planned (not cancelled) for the item."""
    if not instants:
        return set()
    asked = set(instants)
    return {
        (station_id, at)
        for station_id, at in PlannedAiring.objects.filter(
            item_id=item_id,
            station_id__in=station_ids,
            planned_at__gte=min(instants),
            planned_at__lte=max(instants),
        )
        .exclude(status=PlannedAiring.Status.CANCELLED)
        .values_list("station_id", "planned_at")
        if at in asked
    }


def _plan_airings(
    schedule: Schedule,
    wanted: list[tuple[Station, datetime, bool]],
) -> int:
    """Insert airings; a slot planned meanwhile (a form submitted twice at once)
    hits the database constraint and reads as an overlap, never as a double."""
    try:
        with transaction.atomic():
            made = PlannedAiring.objects.bulk_create(
                [
                    PlannedAiring(
                        schedule=schedule,
                        station=s,
                        item_id=schedule.item_id,
                        planned_at=at,
                        flexible=flex,
                    )
                    for s, at, flex in wanted
                ]
            )
    except IntegrityError:
        raise ServiceError(
            "overlap",
            _("These airings were just scheduled by another request."),
        ) from None
    return len(made)


def packages_rebuild_on_commit(*, station_ids: set[int]) -> None:
    """After the change commits, rebuild the coming week's packages of these
    stations and of the district stations whose packages carry them."""
    from .tasks import PACKAGE_DAYS, build_package

    if not station_ids:
        return
    unit_ids = set(
        Station.objects.filter(pk__in=station_ids).values_list("unit_id", flat=True)
    )
    parents = set(
        Unit.objects.filter(pk__in=unit_ids).values_list("parent_id", flat=True)
    )
    ids = set(station_ids) | set(
        Station.objects.filter(
            active=True,
            kind=Station.Kind.DISTRICT_RADIO,
            unit_id__in=(unit_ids | parents) - {None},
        ).values_list("pk", flat=True)
    )
    start = timezone.localdate()
    end = start + timedelta(days=PACKAGE_DAYS - 1)

    def queue():
        for pk in sorted(ids):
            build_package.delay(pk, start.isoformat(), end.isoformat())

    transaction.on_commit(queue)


def schedule_priority(*, priority: str, times_in_period: int | None) -> str:
    """The one rule for a schedule's priority: "N times in the period" is normal,
    since the commune chooses when (Circular 39's definition of normal)."""
    if priority not in Priority.values:
        raise ServiceError(
            "bad_priority", _("Priority must be normal, priority or emergency.")
        )
    return Priority.NORMAL if times_in_period else priority


@transaction.atomic
def schedule_create(
    *,
    item,
    start_date: date,
    end_date: date,
    target_kind: str = Schedule.TargetKind.UNIT,
    target_unit: Unit | None = None,
    target_stations: list[Station] | None = None,
    target_station_kind: str = "",
    slot_times: list[str] | None = None,
    weekdays: list[int] | None = None,
    times_in_period: int | None = None,
    priority: str = "normal",
    created_by=None,
    on_overlap: str = OnOverlap.REFUSE,
) -> Schedule:
    """Plan an item for air and create one planned airing per station and occurrence.

    Slots already planned for the same item at the same station are never doubled:
    with `on_overlap="refuse"` they raise ScheduleOverlap, with "add_missing" only
    the new slots are planned.
    """
    _check_schedule_rule(
        item=item,
        start_date=start_date,
        end_date=end_date,
        slot_times=slot_times,
        times_in_period=times_in_period,
        on=start_date,
    )
    if target_kind == Schedule.TargetKind.UNIT and target_unit is None:
        raise ServiceError("no_target", _("Choose the unit to broadcast to."))
    schedule = Schedule.objects.create(
        item=item,
        item_title=item.title,
        target_kind=target_kind,
        target_unit=target_unit,
        target_station_kind=target_station_kind,
        start_date=start_date,
        end_date=end_date,
        slot_times=sorted(set(slot_times or [])),
        weekdays=sorted(set(weekdays or [])),
        times_in_period=times_in_period,
        priority=schedule_priority(priority=priority, times_in_period=times_in_period),
        created_by=created_by,
    )
    if target_stations:
        schedule.target_stations.set(target_stations)
    stations = schedule_target_stations(schedule)
    if not stations:
        raise ServiceError("no_stations", _("No active station matches this target."))
    occ = _occurrences(schedule)
    taken = _taken_slots(
        item_id=item.pk,
        station_ids=[s.pk for s in stations],
        instants=[at for at, _f in occ],
    )
    wanted = [
        (s, at, flex) for s in stations for at, flex in occ if (s.pk, at) not in taken
    ]
    if taken and on_overlap != OnOverlap.ADD_MISSING:
        raise ScheduleOverlap(existing=len(taken), missing=len(wanted))
    if not wanted:
        raise ServiceError(
            "nothing_new", _("Every one of these airings is already scheduled.")
        )
    _plan_airings(schedule, wanted)
    packages_rebuild_on_commit(station_ids={s.pk for s, _at, _f in wanted})
    return schedule


@transaction.atomic
def schedule_update(
    *,
    schedule: Schedule,
    start_date: date,
    end_date: date,
    target_kind: str,
    target_unit: Unit | None = None,
    target_stations: list[Station] | None = None,
    target_station_kind: str = "",
    slot_times: list[str] | None = None,
    weekdays: list[int] | None = None,
    times_in_period: int | None = None,
    priority: str | None = None,
) -> tuple[int, int]:
    """Change a schedule's future part: dates, slots, targets and priority.

    Airings already past, and airings already confirmed, never change. Future
    planned airings the new rule no longer wants are removed (they were never
    confirmed, so nothing refers to them); slots it newly wants are planned,
    except where the item is already planned there. Returns (added, removed).

    `priority` None keeps the schedule's own. Priority is read only when a
    package is built, and packages are rebuilt from today on, so a new priority
    reaches the future airings only: packages already built for past days, and
    what was confirmed, keep what they said. schedule_priority owns the rule that
    "N times in the period" is normal.
    """
    schedule = Schedule.objects.select_for_update().get(pk=schedule.pk)
    if schedule.withdrawn_at:
        raise ServiceError("withdrawn", _("This schedule has been cancelled."))
    _check_schedule_rule(
        item=schedule.item,
        start_date=start_date,
        end_date=end_date,
        slot_times=slot_times,
        times_in_period=times_in_period,
        on=max(start_date, timezone.localdate()),
    )
    if target_kind == Schedule.TargetKind.UNIT and target_unit is None:
        raise ServiceError("no_target", _("Choose the unit to broadcast to."))
    new_priority = schedule_priority(
        priority=schedule.priority if priority is None else priority,
        times_in_period=times_in_period,
    )
    reprioritised = new_priority != schedule.priority
    schedule.priority = new_priority
    schedule.start_date, schedule.end_date = start_date, end_date
    schedule.target_kind, schedule.target_unit = target_kind, target_unit
    schedule.target_station_kind = target_station_kind
    schedule.slot_times = sorted(set(slot_times or []))
    schedule.weekdays = sorted(set(weekdays or []))
    schedule.times_in_period = times_in_period
    schedule.save()
    schedule.target_stations.set(target_stations or [])
    stations = schedule_target_stations(schedule)
    if not stations:
        raise ServiceError("no_stations", _("No active station matches this target."))
    now = timezone.now()
    occ = [(at, flex) for at, flex in _occurrences(schedule) if at >= now]
    desired = {(s.pk, at): (s, flex) for s in stations for at, flex in occ}
    future = PlannedAiring.objects.filter(
        schedule=schedule, planned_at__gte=now, status=PlannedAiring.Status.PLANNED
    )
    have = {(a.station_id, a.planned_at): a.pk for a in future}
    gone = [pk for key, pk in have.items() if key not in desired]
    affected = {key[0] for key in have if key not in desired}
    PlannedAiring.objects.filter(pk__in=gone).delete()
    taken = _taken_slots(
        item_id=schedule.item_id,
        station_ids=[s.pk for s in stations],
        instants=[at for at, _f in occ],
    )
    wanted = [
        (s, at, flex)
        for (_pk, at), (s, flex) in desired.items()
        if (s.pk, at) not in taken
    ]
    added = _plan_airings(schedule, wanted) if wanted else 0
    affected |= {s.pk for s, _at, _f in wanted}
    if reprioritised:
        # Every station still to air it must hear of the new priority.
        affected |= set(
            schedule.airings.filter(
                planned_at__gte=now, status=PlannedAiring.Status.PLANNED
            ).values_list("station_id", flat=True)
        )
    packages_rebuild_on_commit(station_ids=affected)
    return added, len(gone)


@transaction.atomic
def schedule_withdraw(*, schedule: Schedule, reason: str, actor: str) -> int:
    """Cancel a schedule: future airings are cancelled and the next package of each
    station carries the withdrawal (rebuilt as soon as this commits)."""
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("reason_required", _("Say why the schedule is cancelled."))
    if has_control_characters(reason):
        # The reason travels into every manifest and the log.
        raise ServiceError(
            "bad_text",
            _("The reason must be one line, without tabs or other control characters."),
        )
    now = timezone.now()
    Schedule.objects.filter(pk=schedule.pk).update(
        withdrawn_at=now, withdrawn_reason=reason
    )
    future = PlannedAiring.objects.filter(
        schedule=schedule, planned_at__gte=now, status=PlannedAiring.Status.PLANNED
    )
    station_ids = set(future.values_list("station_id", flat=True))
    cancelled = future.update(status=PlannedAiring.Status.CANCELLED)
    log_event(
        kind=DistributionEvent.Kind.WITHDRAWAL,
        actor=actor,
        source="web",
        item_id=schedule.item_id,
        item_title=schedule.item_title,
        data={
            "schedule": schedule.pk,
            "reason": reason,
            "cancelled_airings": cancelled,
        },
    )
    packages_rebuild_on_commit(station_ids=station_ids)
    return cancelled


# --- confirmations ----------------------------------------------------------


# Choices.values builds a new list on every access: asked once per item of a
# 20,000-line import, that alone took seconds.
_STATUSES = frozenset(Confirmation.Status.values)
_REASONS = frozenset(Confirmation.Reason.values)


@dataclass
class ConfirmationInput:
    uuid: str | uuidlib.UUID
    airing: int
    status: str
    aired_at: datetime | None = None
    reason: str = ""
    note: str = ""
    # The phone's clock when it sent this (the page fills it in), for the offset.
    client_now: datetime | None = None


@dataclass
class ConfirmationResult:
    uuid: str
    result: str  # created | duplicate | conflict | rejected
    code: str = ""
    message: str = ""


def _reject(c: ConfirmationInput, code: str, message: str) -> ConfirmationResult:
    return ConfirmationResult(str(c.uuid), "rejected", code, message)


def confirmations_record(
    *,
    items: list[ConfirmationInput],
    station_ids: set[int] | None,
    source: str,
    actor=None,
    actor_station: Station | None = None,
) -> list[ConfirmationResult]:
    """Record airing confirmations, each on its own terms.

    `station_ids` is the set of stations the caller may confirm for (None: any).
    The client's uuid makes a re-send after lost signal a `duplicate`, never a
    second airing; the same uuid with a different payload is a `conflict`.

    Items are checked one by one, then the accepted ones are written in one
    transaction: their airings locked together, confirmations and log events
    inserted in bulk. Two phones confirming the same airing at once record one.
    """
    try:
        return _record(items, station_ids, source, actor, actor_station)
    except IntegrityError:
        # The same uuid arrived at the same moment in another request with a
        # different airing; the retry sees it committed and answers `conflict`.
        return _record(items, station_ids, source, actor, actor_station)


def _is_db_id(value) -> bool:
    """Whether a client's airing id can be a row id at all (a 64-bit integer);
    anything else is an unknown airing, never a database error."""
    return isinstance(value, int) and 0 < value < 2**63


def _same(existing: tuple, c: ConfirmationInput) -> bool:
    """Whether a re-sent confirmation says what the recorded one (uuid, airing,
    status, reason, aired_at) said."""
    _uuid, airing_id, status, reason, aired_at = existing
    return (
        airing_id == c.airing
        and status == c.status
        and (reason or "") == (c.reason or "")
        and (c.aired_at is None or aired_at == c.aired_at)
    )


class _Airing(NamedTuple):
    """What the confirmation rules read of an airing; a tuple, not a model: a
    20,000-line import would otherwise build 80,000 model instances."""

    pk: int
    station_id: int
    planned_at: datetime
    flexible: bool
    status: str
    station_code: str
    unit_code: str


def ids_subquery(ids, cast: str = "bigint") -> RawSQL:
    """A subquery of the given ids, passed as one parameter. `pk__in=[...]` with
    thousands of ids costs the ORM and the driver a parameter each (seconds on a
    20,000-line import); one string costs nothing."""
    if connection.vendor == "postgresql":
        return RawSQL(
            f"SELECT unnest(string_to_array(%s, ','))::{cast}",  # noqa: S608
            [",".join(str(i) for i in ids)],
        )
    return RawSQL("SELECT value FROM json_each(%s)", [json.dumps(list(ids))])


def uuids_subquery(keys) -> RawSQL:
    if connection.vendor == "postgresql":
        return ids_subquery(keys, cast="uuid")
    # SQLite keeps Django's UUIDField as 32 hex digits.
    return ids_subquery([k.hex for k in keys])


# The columns a confirmation is written with: the leaf's fields (broadcast.log)
# first, in the same order, then who sent it and its batch.
_INSERT_FIELDS = (*LEAF_FIELDS, "actor_id", "actor_station_id", "batch")


def _insert_confirmations(rows: list[tuple]) -> None:
    """Write confirmation rows as given (received_at included: the batch root was
    computed from these exact values). On PostgreSQL through COPY, which streams
    the rows in the driver's C code: the ORM's bulk_create spends more per row in
    Python than everything else a confirmation needs."""
    meta = Confirmation._meta
    fields = [meta.get_field(f) for f in _INSERT_FIELDS]
    cols = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(meta.db_table)
    with connection.cursor() as cur, connection.wrap_database_errors:
        if connection.vendor == "postgresql":
            with cur.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        cur.executemany(
            f"INSERT INTO {table} ({cols}) VALUES "  # noqa: S608
            f"({', '.join(['%s'] * len(fields))})",
            [
                [
                    f.get_db_prep_save(v, connection)
                    for f, v in zip(fields, row, strict=True)
                ]
                for row in rows
            ],
        )


def _record(items, station_ids, source, actor, actor_station):
    now = timezone.now()
    days = _days(now, source)
    results: list[ConfirmationResult | None] = [None] * len(items)
    keys: dict[int, uuidlib.UUID] = {}
    for n, c in enumerate(items):
        try:
            keys[n] = (
                c.uuid
                if isinstance(c.uuid, uuidlib.UUID)
                else uuidlib.UUID(str(c.uuid))
            )
        except ValueError:
            results[n] = _reject(
                c, "bad_uuid", _("The confirmation id is not a valid UUID.")
            )
    actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    actor_station_id = actor_station.pk if actor_station is not None else None
    with transaction.atomic():
        # The airings are read and locked in one statement, in pk order, so two
        # batches never wait on each other in a cycle; only the caller's own
        # airings, so nobody can hold another station's rows by naming them.
        # Every statement here is a round trip that the others waiting on these
        # rows and on the log's lock wait for too.
        mine = PlannedAiring.objects.filter(
            pk__in=ids_subquery({c.airing for c in items if _is_db_id(c.airing)})
        )
        if station_ids is not None:
            mine = mine.filter(station_id__in=station_ids)
        airings = {
            row[0]: _Airing(*row)
            for row in mine.select_for_update(of=("self",))
            .order_by("pk")
            .values_list(
                "pk",
                "station_id",
                "planned_at",
                "flexible",
                "status",
                "station__code",
                "station__unit__code",
            )
        }
        accepted: list[tuple[int, datetime | None]] = []
        for n, c in enumerate(items):
            if results[n] is not None:
                continue
            airing = airings.get(c.airing)
            if airing is None:
                # Another station's airing reads as unknown: ids are not an oracle.
                results[n] = _reject(
                    c, "unknown_airing", _("No such planned airing for this station.")
                )
            elif c.aired_at is not None and timezone.is_naive(c.aired_at):
                results[n] = _reject(
                    c,
                    "naive_time",
                    _("The airing time needs a UTC offset (for example +07:00)."),
                )
            elif c.status not in _STATUSES:
                results[n] = _reject(
                    c, "bad_status", _("Status must be “aired” or “missed”.")
                )
            else:
                aired_at = c.aired_at or (
                    now if c.status == Confirmation.Status.AIRED else None
                )
                problem = _status_problem(
                    airing, c.status, c.reason, aired_at, now
                ) or _age_problem(airing, source, days)
                if problem:
                    results[n] = _reject(c, *problem)
                else:
                    accepted.append((n, aired_at))
        if not accepted:
            return results  # type: ignore[return-value]
        locked = {pk: a.status for pk, a in airings.items()}
        # Read after the locks: a re-send racing its original sees it committed.
        seen = {
            row[0]: row
            for row in Confirmation.objects.filter(
                uuid__in=uuids_subquery({keys[n] for n, _at in accepted})
            ).values_list("uuid", "airing_id", "status", "reason", "aired_at")
        }
        # One batch per station: the chain event that holds its root is that
        # station's record, and the log's scope filters by station.
        by_station: dict[int, list[tuple]] = {}
        batch_of: dict[int, uuidlib.UUID] = {}
        for n, aired_at in accepted:
            c, key = items[n], keys[n]
            if key in seen:
                results[n] = ConfirmationResult(
                    str(key), "duplicate" if _same(seen[key], c) else "conflict"
                )
                continue
            if locked[c.airing] == PlannedAiring.Status.CANCELLED:
                results[n] = _reject(
                    c, "cancelled", _("This airing was cancelled (item withdrawn).")
                )
                continue
            if locked[c.airing] != PlannedAiring.Status.PLANNED:
                results[n] = _reject(
                    c, "already_confirmed", _("This airing is already confirmed.")
                )
                continue
            airing = airings[c.airing]
            station = airing.station_id
            if station not in batch_of:
                batch_of[station] = uuidlib.uuid4()
                by_station[station] = []
            reason = c.reason or ""
            # In LEAF_FIELDS order, then _INSERT_FIELDS' extras.
            by_station[station].append(
                (
                    key,
                    c.airing,
                    c.status,
                    aired_at,
                    reason,
                    (c.note or "")[:2000],
                    source,
                    now,
                    _clock_offset(c.client_now, now),
                    _is_late(airing, days),
                    actor_id,
                    actor_station_id,
                    batch_of[station],
                )
            )
            locked[c.airing] = c.status
            # The same uuid again in this batch is a duplicate.
            seen[key] = (key, c.airing, c.status, reason, aired_at)
            results[n] = ConfirmationResult(str(key), "created")
        if not by_station:
            return results  # type: ignore[return-value]
        _insert_confirmations([row for rows in by_station.values() for row in rows])
        _airings_follow_confirmations(list(batch_of.values()))
        # A batch never queues behind another appender: with the log's lock busy
        # its event waits in the pending table, root and all (broadcast.log).
        log_events(
            _batch_events(
                by_station,
                batch_of,
                airings,
                now,
                _actor_label(actor, actor_station),
                source,
            ),
            wait=False,
        )
    return results  # type: ignore[return-value]


def _batch_events(
    by_station, batch_of, airings, now, actor_label, source
) -> list[dict]:
    """One chain event per station's batch, holding its Merkle root. A batch of
    one (a phone confirming one airing) reads in the log as that airing, as
    before batches: item, station, planned and stated times copied in."""
    singles = {
        a.pk: a
        for a in PlannedAiring.objects.filter(
            pk__in=[rows[0][1] for rows in by_station.values() if len(rows) == 1]
        ).select_related("station__unit", "schedule")
    }
    events = []
    for station, rows in by_station.items():
        batch = batch_of[station]
        data = {
            "batch": str(batch),
            "root": batch_root([row[: len(LEAF_FIELDS)] for row in rows]),
            "count": len(rows),
            "aired": sum(1 for r in rows if r[2] == Confirmation.Status.AIRED),
            "missed": sum(1 for r in rows if r[2] == Confirmation.Status.MISSED),
            "received_at": now.isoformat(),
        }
        if len(rows) > 1:
            first = airings[rows[0][1]]
            events.append(
                dict(
                    kind=DistributionEvent.Kind.CONFIRMATIONS,
                    actor=actor_label,
                    source=source,
                    station_code=first.station_code,
                    unit_code=first.unit_code,
                    data=data,
                )
            )
            continue
        key, airing_id, status, aired_at, reason, note, *_r = rows[0]
        offset, late = rows[0][8], rows[0][9]
        events.append(
            dict(
                kind=(
                    DistributionEvent.Kind.AIRING_CONFIRMED
                    if status == Confirmation.Status.AIRED
                    else DistributionEvent.Kind.AIRING_MISSED
                ),
                actor=actor_label,
                source=source,
                **airing_log_fields(singles[airing_id]),
                actual_at=aired_at,
                data={
                    **data,
                    "confirmation": str(key),
                    "reason": reason,
                    "note": note,
                    # The stated time is actual_at; these say when the server
                    # heard it and how far the phone's clock was off.
                    "clock_offset": offset,
                    "late": late,
                },
            )
        )
    return events


def _airings_follow_confirmations(batches: list[uuidlib.UUID]) -> None:
    """Copy what each new confirmation says onto its airing, in one UPDATE ... FROM
    (PostgreSQL, and SQLite since 3.33). bulk_update writes a CASE with a branch
    per row that the database evaluates for every row (quadratic: 20,000 lines
    ran for over half an hour), and the ORM has no joined UPDATE."""
    if not batches:
        return
    airing, conf = PlannedAiring._meta.db_table, Confirmation._meta.db_table
    field = Confirmation._meta.get_field("batch")
    with connection.cursor() as cur:
        cur.execute(
            f"UPDATE {airing} SET status = c.status, aired_at = c.aired_at, "  # noqa: S608
            f"missed_reason = c.reason, late = c.late FROM {conf} AS c "
            f"WHERE c.airing_id = {airing}.id "
            f"AND c.batch IN ({', '.join(['%s'] * len(batches))})",
            [field.get_db_prep_value(b, connection) for b in batches],
        )


def confirm_window(airing: PlannedAiring) -> tuple[datetime, datetime]:
    """When an airing may be said to have aired: around a fixed slot (settings
    LOA_CONFIRM_WINDOW_BEFORE/AFTER_MINUTES, default 30 min before to 6 h after),
    or within the day for "N times in the period"."""
    if airing.flexible:
        return local_day_bounds(airing.planned_at.astimezone(LOCAL_TZ).date())
    before = getattr(settings, "LOA_CONFIRM_WINDOW_BEFORE_MINUTES", 30)
    after = getattr(settings, "LOA_CONFIRM_WINDOW_AFTER_MINUTES", 6 * 60)
    return (
        airing.planned_at - timedelta(minutes=before),
        airing.planned_at + timedelta(minutes=after),
    )


def confirm_days(source: str = "") -> int:
    """How many days back an airing may still be confirmed: by staff, the phone
    or the API (setting LOA_CONFIRM_DAYS, default 7), or by a station's as-run
    log import (LOA_ASRUN_IMPORT_DAYS, default 31).

    Imports get longer because their evidence does not fade: a playout PC writes
    each line as the file plays, so a log uploaded after weeks offline (no power,
    no 4G, a USB stick carried to the district) says exactly what it said on the
    day, whereas a person confirming from memory a week later is guessing, and
    past 7 days that goes to district staff as a correction. The limit is still
    finite so figures already filed do not keep moving; every other rule (not in
    the future, within the window around the planned time) is the same for all.
    """
    if source == Confirmation.Source.IMPORT:
        return getattr(settings, "LOA_ASRUN_IMPORT_DAYS", 31)
    return getattr(settings, "LOA_CONFIRM_DAYS", 7)


def _local(dt: datetime) -> str:
    return dt.astimezone(LOCAL_TZ).strftime("%d/%m/%Y %H:%M")


def _status_problem(airing, status, reason, aired_at, now) -> tuple[str, str] | None:
    """The one rule for what a confirmation or a correction may say."""
    if status not in _STATUSES:
        return "bad_status", _("Status must be “aired” or “missed”.")
    if status == Confirmation.Status.MISSED:
        if reason not in _REASONS:
            return "reason_required", _("Say why it did not air.")
        if now < airing.planned_at:
            return "not_yet", _(
                "This airing is not due until %(at)s; it cannot be missed yet."
            ) % {"at": _local(airing.planned_at)}
        return None
    if reason:
        return "reason_not_for_aired", _(
            "An airing that aired has no reason for not airing."
        )
    start, end = confirm_window(airing)
    if aired_at is not None and not (start <= aired_at <= end):
        return "outside_window", _(
            "The airing time must be between %(start)s and %(end)s."
        ) % {"start": _local(start), "end": _local(end)}
    if aired_at is not None and aired_at > now + timedelta(minutes=10):
        return "in_future", _("The airing time is in the future.")
    return None


class _Days(NamedTuple):
    """Local midnights, in UTC, that the age and lateness rules compare planned
    times with: worked out once per batch, since converting each airing's time to
    local time was a tenth of a 20,000-line import."""

    today: datetime  # today's local midnight
    oldest: datetime  # the oldest day's local midnight that may still be confirmed
    days: int


def _days(now: datetime, source: str = "") -> _Days:
    days = confirm_days(source)
    today = now.astimezone(LOCAL_TZ).date()
    return _Days(
        local_day_bounds(today)[0].astimezone(UTC),
        local_day_bounds(today - timedelta(days=days))[0].astimezone(UTC),
        days,
    )


def _age_problem(airing, source: str, days: _Days):
    """Too old to confirm: planned before the local day `confirm_days` ago."""
    if airing.planned_at >= days.oldest:
        return None
    if source == Confirmation.Source.IMPORT:
        return "too_old", _(
            "Playout logs older than %(n)d days are not imported; district staff "
            "correct these airings."
        ) % {"n": days.days}
    return "too_old", _(
        "Airings older than %(n)d days are corrected by district staff."
    ) % {"n": days.days}


def _is_late(airing, days: _Days) -> bool:
    """Confirmed on a later day than the one it was planned for."""
    return airing.planned_at < days.today


def _clock_offset(client_now: datetime | None, now: datetime) -> int | None:
    if client_now is None:
        return None
    return round((now - client_now).total_seconds())


def _actor_label(actor, station: Station | None) -> str:
    if getattr(actor, "is_authenticated", False):
        return actor.get_username()
    if station is not None:
        return f"station:{station.code}"
    return ""


@transaction.atomic
def airing_correct(
    *,
    airing: PlannedAiring,
    status: str,
    actor: str,
    why: str,
    aired_at: datetime | None = None,
    reason: str = "",
    note: str = "",
) -> DistributionEvent:
    """Correct what was recorded for an airing (e.g. "aired" that in fact missed).

    Nothing recorded is edited: the confirmation stays as received and the log gets
    a correction event, with why, pointing at the event it corrects. The airing's
    fields, which reports count, follow the correction.
    """
    why = (why or "").strip()
    if not why:
        raise ServiceError("why_required", _("Say why this is being corrected."))
    airing = (
        PlannedAiring.objects.select_for_update()
        .select_related("station__unit", "schedule")
        .get(pk=airing.pk)
    )
    now = timezone.now()
    if status == Confirmation.Status.AIRED and aired_at is None:
        aired_at = airing.aired_at or airing.planned_at
    if status == Confirmation.Status.MISSED:
        aired_at = None
    problem = _status_problem(airing, status, reason, aired_at, now)
    if problem:
        raise ServiceError(*problem)
    previous = _latest_airing_event(airing)
    if previous is None:
        raise ServiceError(
            "nothing_to_correct", _("Nothing has been recorded for this airing yet.")
        )
    event = log_event(
        kind=DistributionEvent.Kind.CORRECTION,
        actor=actor,
        source="web",
        **airing_log_fields(airing),
        actual_at=aired_at,
        corrects=previous,
        data={
            "status": status,
            "previous_status": airing.status,
            "reason": reason,
            "why": why[:2000],
            "note": note[:2000],
            "received_at": now.isoformat(),
        },
    )
    PlannedAiring.objects.filter(pk=airing.pk).update(
        status=status, aired_at=aired_at, missed_reason=reason
    )
    return event


def _latest_airing_event(airing: PlannedAiring) -> DistributionEvent | None:
    """The event a correction corrects: the airing's last correction, else the
    event that logged its confirmation (its own, or its batch's)."""
    own = (
        DistributionEvent.objects.filter(
            airing_id=airing.pk,
            kind__in=[
                DistributionEvent.Kind.AIRING_CONFIRMED,
                DistributionEvent.Kind.AIRING_MISSED,
                DistributionEvent.Kind.CORRECTION,
            ],
        )
        .order_by("-pk")
        .first()
    )
    if own is not None:
        return own
    batch = (
        Confirmation.objects.filter(airing=airing, batch__isnull=False)
        .order_by("-pk")
        .values_list("batch", flat=True)
        .first()
    )
    if batch is None:
        return None
    return DistributionEvent.objects.filter(
        kind=DistributionEvent.Kind.CONFIRMATIONS, data__batch=str(batch)
    ).first()


def airing_log_fields(airing: PlannedAiring) -> dict:
    """What a log event copies from an airing, so it reads right after the airing's
    station or item is gone."""
    return {
        "station_code": airing.station.code,
        "unit_code": airing.station.unit.code,
        "item_id": airing.schedule.item_id,
        "item_title": airing.schedule.item_title,
        "airing_id": airing.pk,
        "planned_at": airing.planned_at,
    }
