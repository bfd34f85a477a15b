"""Apply a province's official list of unit changes on a date (merges of communes,
dissolution of districts, renames), keeping every past airing attributed to the
units of its time.

A plan is a CSV with the columns::

    kind,old_code,new_code,new_name,new_level,new_parent_code

- ``merge``: ``old_code`` joins ``new_code`` (several rows share one new code).
- ``dissolve``: ``old_code`` (a district) closes; its open children move under
  ``new_code`` (the province), as new units of the same name and code + "-2025"
  unless a row names them.
- ``rename``: ``old_code`` becomes the new unit ``new_code`` called ``new_name``.

New units are created when missing (``new_name``, ``new_level``,
``new_parent_code`` describe them). Old units are never deleted or re-parented:
they close the day before and name their successor. Their media library and
editors' group follow the successor by the rule in ``cms.setup.district_succession``.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils.translation import gettext as _

from loa.units.models import Unit

from .log import log_events
from .models import DistributionEvent, PlannedAiring, Schedule, Station
from .selectors import LOCAL_TZ

KINDS = ("merge", "dissolve", "rename")
COLUMNS = ("kind", "old_code", "new_code", "new_name", "new_level", "new_parent_code")


class PlanError(ValueError):
    """The plan cannot be applied; `problems` lists each line's problem."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class PlanRow:
    line: int
    kind: str
    old_code: str
    new_code: str
    new_name: str = ""
    new_level: str = ""
    new_parent_code: str = ""


@dataclass
class Change:
    what: str
    detail: dict = field(default_factory=dict)

    def __str__(self) -> str:
        return self.what


class _DryRun(Exception):
    pass


def plan_read(text: str) -> list[PlanRow]:
    """Parse a plan; every problem is reported with its line number."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [
        c
        for c in ("kind", "old_code", "new_code")
        if c not in (reader.fieldnames or [])
    ]
    if missing:
        raise PlanError(
            [_("The plan lacks the columns: %(cols)s.") % {"cols": ", ".join(missing)}]
        )
    rows, problems = [], []
    for n, raw in enumerate(reader, start=2):
        values = {k: (raw.get(k) or "").strip() for k in COLUMNS}
        if values["kind"] not in KINDS:
            problems.append(
                _("Line %(n)d: unknown kind %(kind)r (merge, dissolve or rename).")
                % {"n": n, "kind": values["kind"][:40]}
            )
            continue
        if not values["old_code"] or not values["new_code"]:
            problems.append(
                _("Line %(n)d: old_code and new_code are required.") % {"n": n}
            )
            continue
        if values["new_level"] and values["new_level"] not in Unit.Level.values:
            problems.append(
                _("Line %(n)d: unknown level %(level)r.")
                % {"n": n, "level": values["new_level"][:40]}
            )
            continue
        rows.append(PlanRow(line=n, **values))
    if problems:
        raise PlanError(problems)
    return rows


def reorganisation_apply(
    *, rows: list[PlanRow], effective: date, actor: str, dry_run: bool = False
) -> list[Change]:
    """Apply the plan on `effective` (the first day of the new map). All or nothing;
    a dry run does everything, reports it, and rolls back."""
    changes: list[Change] = []
    try:
        with transaction.atomic():
            _apply(rows, effective, actor, changes)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return changes


def _apply(rows, effective, actor, changes):
    units = {u.code: u for u in Unit.objects.select_for_update()}
    problems = [
        _("Line %(n)d: no unit has the code %(code)s.")
        % {"n": r.line, "code": r.old_code}
        for r in rows
        if r.old_code not in units
    ]
    if problems:
        raise PlanError(problems)
    closed_on = effective - timedelta(days=1)
    cutoff = datetime.combine(effective, datetime.min.time(), LOCAL_TZ)
    events = []

    def new_unit(row: PlanRow) -> Unit:
        if row.new_code in units:
            return units[row.new_code]
        parent = units.get(row.new_parent_code) if row.new_parent_code else None
        if row.new_parent_code and parent is None:
            raise PlanError(
                [
                    _("Line %(n)d: no unit has the code %(code)s.")
                    % {"n": row.line, "code": row.new_parent_code}
                ]
            )
        old = units[row.old_code]
        unit = Unit.objects.create(
            code=row.new_code,
            name=row.new_name or old.name,
            level=row.new_level or old.level,
            parent=parent,
            valid_from=effective,
        )
        units[unit.code] = unit
        changes.append(
            Change(
                _("New unit %(name)s (%(code)s).")
                % {"name": unit.name, "code": unit.code}
            )
        )
        return unit

    def close(old: Unit, successor: Unit, kind: str) -> None:
        if old.successor_id:
            raise PlanError(
                [_("%(code)s was already reorganised.") % {"code": old.code}]
            )
        old.valid_until = closed_on
        old.successor = successor
        old.save(update_fields=["valid_until", "successor"])
        changes.append(
            Change(
                _("%(old)s closes on %(day)s; succeeded by %(new)s.")
                % {
                    "old": old.name,
                    "day": closed_on.strftime("%d/%m/%Y"),
                    "new": successor.name,
                }
            )
        )
        _move_stations(old, successor)
        _retarget_schedules(old, successor)
        # Libraries and editors' groups are cms's (Wagtail collections, groups).
        from cms.setup import district_succession

        said, followed = district_succession(old=old, successor=successor)
        changes.extend(Change(line) for line in said)
        events.append(
            dict(
                kind=DistributionEvent.Kind.REORGANISATION,
                actor=actor,
                source="admin",
                unit_code=old.code,
                data={
                    "change": kind,
                    "successor": successor.code,
                    "effective": effective.isoformat(),
                    **followed,
                },
            )
        )

    def _move_stations(old: Unit, successor: Unit) -> None:
        for station in Station.objects.filter(unit=old):
            # Airings before the change stay counted under the unit of their time.
            PlannedAiring.objects.filter(
                station=station, unit__isnull=True, planned_at__lt=cutoff
            ).update(unit=old)
            station.unit = successor
            station.save(update_fields=["unit"])
            changes.append(
                Change(
                    _("Station %(station)s moves to %(unit)s.")
                    % {"station": station.name, "unit": successor.name}
                )
            )

    def _retarget_schedules(old: Unit, successor: Unit) -> None:
        future = Schedule.objects.filter(
            target_unit=old, end_date__gte=effective, withdrawn_at__isnull=True
        )
        for schedule in future:
            schedule.target_unit = successor
            schedule.save(update_fields=["target_unit"])
            changes.append(
                Change(
                    _("Schedule of %(title)s now targets %(unit)s.")
                    % {"title": schedule.item_title, "unit": successor.name}
                )
            )

    explicit = {r.old_code for r in rows}
    for row in rows:
        old = units[row.old_code]
        if row.kind in ("merge", "rename"):
            close(old, new_unit(row), row.kind)
        else:  # dissolve: the district closes into the province; its communes move.
            target = units.get(row.new_code)
            if target is None:
                raise PlanError(
                    [
                        _("Line %(n)d: no unit has the code %(code)s.")
                        % {"n": row.line, "code": row.new_code}
                    ]
                )
            for child in Unit.objects.filter(parent=old, valid_until__isnull=True):
                if child.code in explicit:
                    continue  # the plan says where this one goes
                moved = PlanRow(
                    line=row.line,
                    kind="dissolve",
                    old_code=child.code,
                    new_code=f"{child.code}-{effective.year}",
                    new_name=child.name,
                    new_level=child.level,
                    new_parent_code=target.code,
                )
                close(child, new_unit(moved), "dissolve")
            close(old, target, "dissolve")
    log_events(events)
