"""Writes on the distribution path: tokens, schedules, confirmations, withdrawals.

Packages are in packages.py, reads in selectors.py, the log in log.py.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid as uuidlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .log import log_event, log_events
from .models import (
    Confirmation,
    DistributionEvent,
    PlannedAiring,
    Priority,
    Schedule,
    Station,
    StationToken,
    Unit,
)

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
    return list(qs.order_by("code"))


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
) -> Schedule:
    """Plan an item for air and create one planned airing per station and occurrence."""
    if not item_is_schedulable(item, on=start_date):
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
    PlannedAiring.objects.bulk_create(
        [
            PlannedAiring(schedule=schedule, station=s, planned_at=at, flexible=flex)
            for s in stations
            for at, flex in occ
        ]
    )
    return schedule


@transaction.atomic
def schedule_withdraw(*, schedule: Schedule, reason: str, actor: str) -> int:
    """Withdraw an item from air: future airings are cancelled and the next package
    of each station carries the withdrawal."""
    now = timezone.now()
    Schedule.objects.filter(pk=schedule.pk).update(
        withdrawn_at=now, withdrawn_reason=reason
    )
    cancelled = PlannedAiring.objects.filter(
        schedule=schedule, planned_at__gte=now, status=PlannedAiring.Status.PLANNED
    ).update(status=PlannedAiring.Status.CANCELLED)
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
    return cancelled


# --- confirmations ----------------------------------------------------------


@dataclass
class ConfirmationInput:
    uuid: str
    airing: int
    status: str
    aired_at: datetime | None = None
    reason: str = ""
    note: str = ""


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


def _same(existing: Confirmation, c: ConfirmationInput) -> bool:
    return (
        existing.airing_id == c.airing
        and existing.status == c.status
        and (existing.reason or "") == (c.reason or "")
        and (c.aired_at is None or existing.aired_at == c.aired_at)
    )


def _record(items, station_ids, source, actor, actor_station):
    now = timezone.now()
    results: list[ConfirmationResult | None] = [None] * len(items)
    keys: dict[int, uuidlib.UUID] = {}
    for n, c in enumerate(items):
        try:
            keys[n] = uuidlib.UUID(str(c.uuid))
        except ValueError:
            results[n] = _reject(
                c, "bad_uuid", _("The confirmation id is not a valid UUID.")
            )
    airings = {
        a.pk: a
        for a in PlannedAiring.objects.select_related(
            "station", "station__unit", "schedule"
        ).filter(pk__in=[c.airing for c in items if isinstance(c.airing, int)])
    }
    accepted: list[tuple[int, datetime | None]] = []
    for n, c in enumerate(items):
        if results[n] is not None:
            continue
        airing = airings.get(c.airing)
        if airing is None or (
            station_ids is not None and airing.station_id not in station_ids
        ):
            # Another station's airing reads as unknown: ids are not an oracle.
            results[n] = _reject(
                c, "unknown_airing", _("No such planned airing for this station.")
            )
        elif c.status not in Confirmation.Status.values:
            results[n] = _reject(
                c, "bad_status", _("Status must be “aired” or “missed”.")
            )
        elif (
            c.status == Confirmation.Status.MISSED
            and c.reason not in Confirmation.Reason.values
        ):
            results[n] = _reject(c, "reason_required", _("Say why it did not air."))
        else:
            aired_at = c.aired_at or (
                now if c.status == Confirmation.Status.AIRED else None
            )
            problem = _time_problem(airing, aired_at, now)
            if problem:
                results[n] = _reject(c, *problem)
            else:
                accepted.append((n, aired_at))
    if not accepted:
        return results  # type: ignore[return-value]

    with transaction.atomic():
        # Locks in pk order, so two batches never wait on each other in a cycle.
        locked = {
            a.pk: a
            for a in PlannedAiring.objects.select_for_update()
            .filter(pk__in=sorted({items[n].airing for n, _at in accepted}))
            .order_by("pk")
        }
        # Read after the locks: a re-send racing its original sees it committed.
        seen = {
            conf.uuid: conf
            for conf in Confirmation.objects.filter(
                uuid__in={keys[n] for n, _at in accepted}
            ).only("uuid", "airing_id", "status", "reason", "aired_at")
        }
        new: list[Confirmation] = []
        events: list[dict] = []
        for n, aired_at in accepted:
            c, key = items[n], keys[n]
            if key in seen:
                results[n] = ConfirmationResult(
                    str(key), "duplicate" if _same(seen[key], c) else "conflict"
                )
                continue
            airing = locked[c.airing]
            if airing.status == PlannedAiring.Status.CANCELLED:
                results[n] = _reject(
                    c, "cancelled", _("This airing was cancelled (item withdrawn).")
                )
                continue
            if airing.status != PlannedAiring.Status.PLANNED:
                results[n] = _reject(
                    c, "already_confirmed", _("This airing is already confirmed.")
                )
                continue
            conf = Confirmation(
                uuid=key,
                airing=airing,
                status=c.status,
                aired_at=aired_at,
                reason=c.reason or "",
                note=(c.note or "")[:2000],
                source=source,
                actor=actor if getattr(actor, "is_authenticated", False) else None,
                actor_station=actor_station,
            )
            airing.status = c.status
            seen[key] = conf  # the same uuid again in this batch is a duplicate
            new.append(conf)
            full = airings[c.airing]
            events.append(
                dict(
                    kind=(
                        DistributionEvent.Kind.AIRING_CONFIRMED
                        if c.status == Confirmation.Status.AIRED
                        else DistributionEvent.Kind.AIRING_MISSED
                    ),
                    actor=_actor_label(actor, actor_station),
                    source=source,
                    **airing_log_fields(full),
                    actual_at=aired_at,
                    data={
                        "confirmation": str(key),
                        "reason": conf.reason,
                        "note": conf.note,
                    },
                )
            )
            results[n] = ConfirmationResult(str(key), "created")
        Confirmation.objects.bulk_create(new)
        for status in (Confirmation.Status.AIRED, Confirmation.Status.MISSED):
            ids = [x.airing_id for x in new if x.status == status]
            if ids:
                PlannedAiring.objects.filter(pk__in=ids).update(status=status)
        log_events(events)
    return results  # type: ignore[return-value]


def _time_problem(airing, aired_at, now) -> tuple[str, str] | None:
    if aired_at is None:
        return None
    earliest = datetime.combine(
        airing.planned_at.astimezone(LOCAL_TZ).date(), time(0, 0), LOCAL_TZ
    )
    if aired_at < earliest:
        return "before_plan", _("The airing time is before the planned day.")
    if aired_at > now + timedelta(minutes=10):
        return "in_future", _("The airing time is in the future.")
    return None


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
    aired_at: datetime | None = None,
    reason: str = "",
    note: str = "",
) -> DistributionEvent:
    """Correct what was recorded for an airing (e.g. "aired" that in fact missed).

    Nothing recorded is edited: the confirmation stays as received and the log gets
    a correction event pointing at the event it corrects. Only the airing's status,
    which reports count, follows the correction.
    """
    if status not in Confirmation.Status.values:
        raise ServiceError("bad_status", _("Status must be “aired” or “missed”."))
    if (
        status == Confirmation.Status.MISSED
        and reason not in Confirmation.Reason.values
    ):
        raise ServiceError("reason_required", _("Say why it did not air."))
    airing = (
        PlannedAiring.objects.select_for_update()
        .select_related("station__unit", "schedule")
        .get(pk=airing.pk)
    )
    previous = (
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
            "note": note[:2000],
        },
    )
    PlannedAiring.objects.filter(pk=airing.pk).update(status=status)
    return event


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
