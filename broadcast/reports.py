"""What aired where: figures for the Department, as JSON, CSV, XLSX and HTML.

The plan asks for a 6-month report (due 20 June) and an annual one (due 20
November); their periods are settings (`LOA_REPORT_PERIODS`) because the
Department has moved the cut-off dates before.
"""

from __future__ import annotations

import csv
import io
import json
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.http import HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext_lazy as _

from loa.textsafe import spreadsheet_text
from loa.units.models import Unit
from loa.units.tree import successor_map

from .models import AiringTally, DistributionEvent, PlannedAiring, Schedule, Station
from .selectors import LOCAL_TZ, local_day_bounds

# start/end are (month, day); a start after the end means "from the previous year".
DEFAULT_PERIODS = {
    "semiannual": {
        "label": _("6-month report"),
        "start": (12, 15),
        "end": (6, 14),
        "due": (6, 20),
    },
    "annual": {
        "label": _("Annual report"),
        "start": (11, 15),
        "end": (11, 14),
        "due": (11, 20),
    },
}


def report_periods() -> dict:
    return getattr(settings, "LOA_REPORT_PERIODS", DEFAULT_PERIODS)


def period_dates(kind: str, year: int) -> tuple[date, date, date]:
    """(first day, last day, due date) of the named reporting period ending in `year`."""
    p = report_periods()[kind]
    end = date(year, *p["end"])
    start_year = year - 1 if tuple(p["start"]) > tuple(p["end"]) else year
    return date(start_year, *p["start"]), end, date(year, *p["due"])


@dataclass
class ReportFilter:
    start: date
    end: date
    unit: str = ""  # a district or commune code: its stations and those below
    station: str = ""
    campaign: int | None = None
    plan_task: int | None = None
    item: int | None = None
    language: str = ""
    audience: str = ""


def airings(
    *, station_ids: set[int] | None, f: ReportFilter
) -> QuerySet[PlannedAiring]:
    a, _x = local_day_bounds(f.start)
    _y, b = local_day_bounds(f.end)
    return PlannedAiring.objects.filter(
        *_scope(station_ids=station_ids, f=f), planned_at__gte=a, planned_at__lte=b
    )


def _scope(*, station_ids: set[int] | None, f: ReportFilter) -> list[Q]:
    """The filter's stations and items as conditions on station_id and
    schedule_id, which the airings and their tally both carry."""
    conds = []
    if station_ids is not None:
        conds.append(Q(station_id__in=station_ids))
    if f.unit:
        unit = Unit.objects.filter(code=f.unit).first()
        conds.append(
            Q(
                station_id__in=Station.objects.filter(
                    unit_id__in=unit.descendant_ids() if unit else []
                ).values("pk")
            )
        )
    if f.station:
        conds.append(
            Q(station_id__in=Station.objects.filter(code=f.station).values("pk"))
        )
    schedules = None
    if f.item:
        schedules = Schedule.objects.filter(item_id=f.item)
    item_filter = {}
    if f.campaign:
        item_filter["campaign_id"] = f.campaign
    if f.plan_task:
        item_filter["campaign__task"] = f.plan_task
    if f.language:
        item_filter["language__code"] = f.language
    if f.audience:
        item_filter["audiences__code"] = f.audience
    if item_filter:
        from cms.models import ContentItemPage

        schedules = (schedules or Schedule.objects).filter(
            item_id__in=ContentItemPage.objects.filter(**item_filter).values("pk")
        )
    if schedules is not None:
        conds.append(Q(schedule_id__in=schedules.values("pk")))
    return conds


def _tally_period(start: date, end: date) -> Q:
    """The tally rows that cover these local days exactly once: month rows for
    the whole months, day rows for the rest."""
    first_full = start.replace(day=1)
    if first_full < start:
        first_full = (first_full + timedelta(days=32)).replace(day=1)
    after_full = (end + timedelta(days=1)).replace(day=1)
    S = AiringTally.Span
    if first_full >= after_full:
        return Q(span=S.DAY, day__gte=start, day__lte=end)
    return (
        Q(span=S.MONTH, day__gte=first_full, day__lt=after_full)
        | Q(span=S.DAY, day__gte=start, day__lt=first_full)
        | Q(span=S.DAY, day__gte=after_full, day__lte=end)
    )


def district_of(unit: Unit) -> tuple[str | None, str | None]:
    """The district an airing counts under, from its unit: a district's (or the
    province's) own station under its unit, a commune's under the commune's parent.
    With the two-tier tree that parent is the province, so communes count under it."""
    if unit.level == Unit.Level.COMMUNE:
        unit = unit.parent
    return (unit.code, unit.name) if unit else (None, None)


UNIT_MODES = ("time", "today")


class _UnitsOfAirings:
    """Which unit each airing counts under: the unit of its time (frozen on it by
    a reorganisation, else its station's: broadcast.units owns that rule), or, in
    the "today" mode, the unit that carries that one today."""

    def __init__(self, frozen_ids: set[int], stations: dict, mode: str):
        if mode not in UNIT_MODES:
            raise ValueError(mode)
        self.today = successor_map() if mode == "today" else None
        wanted = frozen_ids | {s.unit_id for s in stations.values()}
        if self.today is not None:
            wanted |= {self.today[u] for u in wanted}
        self.units = Unit.objects.select_related("parent").in_bulk(wanted)
        parents = {u.parent_id for u in self.units.values()} - set(self.units)
        self.units |= Unit.objects.in_bulk(parents - {None})

    def of(self, station: Station, frozen_id: int | None) -> Unit:
        unit_id = frozen_id or station.unit_id
        if self.today is not None:
            unit_id = self.today[unit_id]
        return self.units[unit_id]


# group_by → (output column, query expression) pairs; "airing" is one row per
# airing, "summary" the report's figures (JSON) or its district table (CSV, XLSX).
GROUPINGS = {
    "airing": (),
    "station": (("station", F("station__code")), ("station_name", F("station__name"))),
    "item": (
        ("content_id", F("schedule__item_id")),
        ("title", F("schedule__item_title")),
    ),
    # Unit and district are folded from per-station counts (by the units of the
    # airing's time, or today's): _UnitsOfAirings and district_of own the rules.
    "unit": (("unit", None), ("unit_name", None)),
    "district": (("district", None), ("district_name", None)),
    "day": (("day", TruncDate("planned_at", tzinfo=LOCAL_TZ)),),
}
# Tables of another shape, by the language each station got (reports_map).
LANGUAGE_TABLES = ("language", "language_coverage", "language_gaps")
GROUP_BY_CHOICES = [*GROUPINGS, "summary", *LANGUAGE_TABLES]

COUNT_COLUMNS = ("planned", "aired", "missed", "cancelled", "waiting", "late")

# Column key (stable, for machines) → header for people.
HEADERS = {
    "airing_id": _("Airing no."),
    "station": _("Station code"),
    "station_name": _("Station"),
    "unit": _("Unit"),
    "unit_name": _("Unit name"),
    "district": _("District code"),
    "district_name": _("District or province"),
    "content_id": _("Content no."),
    "title": _("Content title"),
    "day": _("Day"),
    "planned_at": _("Planned at"),
    "status": _("Status"),
    "aired_at": _("Aired at"),
    "reason": _("Reason not aired"),
    "source": _("Confirmed through"),
    "planned": _("Planned"),
    "aired": _("Aired"),
    "missed": _("Not aired"),
    "cancelled": _("Cancelled"),
    "waiting": _("Waiting for confirmation"),
    "late": _("Confirmed late"),
    "language": _("Language"),
    "communes": _("Communes that speak it"),
    "communes_aired": _("Communes that aired it"),
    "share": _("Share"),
    "stations": _("Stations that need it"),
}

TITLES = {
    "airing": _("Airings one by one"),
    "station": _("Airings by station"),
    "item": _("Airings by content item"),
    "unit": _("Airings by unit"),
    "district": _("Airings by district"),
    "day": _("Airings by day"),
    "summary": _("Airings by district"),
    "language": _("Airings by language"),
    "language_coverage": _("Coverage by language"),
    "language_gaps": _("Missing language versions"),
}

# The columns of the language tables when they have no rows (reports_map).
_LANGUAGE_KEYS = {
    "language": ["language", *COUNT_COLUMNS],
    "language_coverage": ["language", "communes", "communes_aired", "share"],
    "language_gaps": ["content_id", "title", "language", "stations"],
}


def status_counts():
    # "planned" counts every airing that was planned, whatever became of it. The
    # airing's status already follows corrections, so corrected figures count.
    S = PlannedAiring.Status
    return {
        "planned": Count("pk"),
        "aired": Count("pk", filter=Q(status=S.AIRED)),
        "missed": Count("pk", filter=Q(status=S.MISSED)),
        "cancelled": Count("pk", filter=Q(status=S.CANCELLED)),
        "waiting": Count("pk", filter=Q(status=S.PLANNED)),
        "late": Count("pk", filter=Q(late=True)),
    }


def airing_rows(
    *,
    station_ids: set[int] | None,
    start: date,
    end: date,
    group_by: str,
    f: ReportFilter | None = None,
    units: str = "time",
) -> list[dict]:
    """Rows with stable keys and typed values (datetimes aware, dates as dates);
    the writers below format them for machines or for people. `units` counts by the
    units of each airing's time, or ("today") rolled up to today's units."""
    f = f or ReportFilter(start=start, end=end)
    if group_by in LANGUAGE_TABLES:
        from .reports_map import LANGUAGE_TABLES as tables

        return tables[group_by](station_ids=station_ids, f=f)
    qs = airings(station_ids=station_ids, f=f)
    if group_by == "summary":
        group_by = "district"
    if group_by == "airing":
        rows = []
        for x in (
            qs.select_related("station__unit", "schedule")
            .prefetch_related("confirmations")
            .order_by("planned_at", "station__code")
        ):
            conf = max(x.confirmations.all(), key=lambda c: c.pk, default=None)
            rows.append(
                OrderedDict(
                    airing_id=x.pk,
                    station=x.station.code,
                    unit=x.station.unit.name,
                    content_id=x.schedule.item_id,
                    title=x.schedule.item_title,
                    planned_at=x.planned_at,
                    status=x.status,
                    aired_at=x.aired_at,
                    reason=x.missed_reason,
                    source=conf.source if conf else "",
                    late=x.late,
                )
            )
        return rows
    if group_by in ("district", "unit"):
        cells = _tallied_cells(station_ids=station_ids, f=f)
        return _fold(cells, units=units)[f"by_{group_by}"]
    pairs = GROUPINGS[group_by]
    keys = [f"g_{col}" for col, _e in pairs]
    return [
        OrderedDict(
            [(col, r[f"g_{col}"]) for col, _e in pairs]
            + [(n, r[n]) for n in COUNT_COLUMNS]
        )
        for r in qs.values(**{f"g_{col}": expr for col, expr in pairs})
        .annotate(**status_counts())
        .order_by(*keys)
    ]


def _tallied_cells(*, station_ids: set[int] | None, f: ReportFilter) -> list[tuple]:
    """The same cells as _cells(airings(...)), summed from the tally the
    database keeps on every write (broadcast.AiringTally): a few rows per month
    instead of every airing. Every ReportFilter field is a station or schedule
    condition, so every filter is carried; one-row-per-airing listings and the
    station, item and day groupings still read the airings."""
    return list(tally_cells_query(station_ids=station_ids, f=f))


def tally_cells_query(*, station_ids: set[int] | None, f: ReportFilter) -> QuerySet:
    """The one aggregate query of the summary (the benchmark explains it)."""
    return (
        AiringTally.objects.filter(
            _tally_period(f.start, f.end), *_scope(station_ids=station_ids, f=f)
        )
        .values_list(
            "schedule_id", "station_id", "unit_key", "status", "late", "missed_reason"
        )
        .annotate(n=Sum("n"))
        .order_by()
    )


def _cells(qs: QuerySet[PlannedAiring]) -> list[tuple]:
    """One pass over the airings: counts per schedule, station, status, late and
    reason. Grouping on integer keys keeps the aggregate small and fast; names and
    districts are joined on afterwards from the few stations and schedules."""
    return list(
        qs.values_list(
            "schedule_id", "station_id", "unit_id", "status", "late", "missed_reason"
        )
        .annotate(n=Count("pk"))
        .order_by()
    )


def _fold(cells: list[tuple], *, units: str = "time") -> dict:
    """Totals, by unit and district, missed reasons and coverage from the cells."""
    S = PlannedAiring.Status
    stations = {
        s.pk: s
        for s in Station.objects.select_related("unit__parent").filter(
            pk__in={c[1] for c in cells}
        )
    }
    schedules = {
        pk: (item_id, title)
        for pk, item_id, title in Schedule.objects.filter(
            pk__in={c[0] for c in cells}
        ).values_list("pk", "item_id", "item_title")
    }
    totals = dict.fromkeys(COUNT_COLUMNS, 0)
    of_airing = _UnitsOfAirings({c[2] for c in cells if c[2]}, stations, units)
    districts: dict[tuple, dict] = {}
    by_unit: dict[tuple, dict] = {}
    reasons: dict[str, int] = {}
    cover: dict[tuple, dict[int, bool]] = {}
    for schedule_id, station_id, frozen_unit, status, late, reason, n in cells:
        station = stations.get(station_id)
        if station is None:
            # The tally has no foreign keys: a row left by a station that is gone
            # has no airings behind it and counts nowhere.
            continue
        unit = of_airing.of(station, frozen_unit)
        counts = districts.setdefault(
            district_of(unit), dict.fromkeys(COUNT_COLUMNS, 0)
        )
        unit_counts = by_unit.setdefault(
            (unit.code, unit.name), dict.fromkeys(COUNT_COLUMNS, 0)
        )
        for bucket in (totals, counts, unit_counts):
            bucket["planned"] += n
            bucket["aired"] += n if status == S.AIRED else 0
            bucket["missed"] += n if status == S.MISSED else 0
            bucket["cancelled"] += n if status == S.CANCELLED else 0
            bucket["waiting"] += n if status == S.PLANNED else 0
            bucket["late"] += n if late else 0
        if status == S.MISSED:
            reasons[reason or "unknown"] = reasons.get(reason or "unknown", 0) + n
        # Coverage counts communes (the unit of a commune station), not stations:
        # a commune with a loudspeaker system and a bulletin board counts once.
        if unit.level == Unit.Level.COMMUNE:
            communes = cover.setdefault(schedules[schedule_id], {})
            communes[unit.pk] = communes.get(unit.pk, False) or (status == S.AIRED)
    by_district = [
        OrderedDict(district=code, district_name=name, **counts)
        for (code, name), counts in sorted(
            districts.items(), key=lambda kv: (kv[0][0] or "", kv[0][1] or "")
        )
    ]
    by_unit_rows = [
        OrderedDict(unit=code, unit_name=name, **counts)
        for (code, name), counts in sorted(by_unit.items(), key=lambda kv: kv[0])
    ]
    coverage = []
    for (item_id, title), units_aired in sorted(
        cover.items(), key=lambda kv: (kv[0][1], kv[0][0] or 0)
    ):
        aired = sum(units_aired.values())
        coverage.append(
            {
                "content_id": item_id,
                "title": title,
                "communes": len(units_aired),
                "aired_communes": aired,
                "coverage": round(aired / len(units_aired), 4) if units_aired else 0.0,
            }
        )
    return {
        "totals": totals,
        "by_district": by_district,
        "by_unit": by_unit_rows,
        "missed_reasons": reasons,
        "coverage": coverage,
    }


def summary(
    *, station_ids: set[int] | None, f: ReportFilter, units: str = "time"
) -> dict:
    """The figures of the periodic report: totals, missed by reason, coverage per
    item (share of communes that aired it at least once), downloads, by district.

    Exact on every call (no cache): one aggregate pass over the tally of the
    period's airings, which the database keeps with every write, folded in Python."""
    folded = _fold(_tallied_cells(station_ids=station_ids, f=f), units=units)
    a, _x = local_day_bounds(f.start)
    _y, b = local_day_bounds(f.end)
    downloads = DistributionEvent.objects.filter(
        kind=DistributionEvent.Kind.PACKAGE_DOWNLOADED,
        occurred_at__gte=a,
        occurred_at__lte=b,
    )
    # The same station and unit filters as the airings above.
    stations = Station.objects.all()
    if station_ids is not None:
        stations = stations.filter(pk__in=station_ids)
    if f.unit:
        unit = Unit.objects.filter(code=f.unit).first()
        stations = stations.filter(unit_id__in=unit.descendant_ids() if unit else [])
    if f.station:
        stations = stations.filter(code=f.station)
    if station_ids is not None or f.unit or f.station:
        downloads = downloads.filter(station_code__in=stations.values("code"))
    return {
        "period": {"from": f.start.isoformat(), "to": f.end.isoformat()},
        "totals": folded["totals"],
        "missed_reasons": folded["missed_reasons"],
        "coverage": folded["coverage"],
        "downloads": downloads.count(),
        "by_district": folded["by_district"],
    }


def _issuing_unit(user) -> Unit | None:
    assignment = getattr(user, "assignment", None)
    unit = assignment.unit if assignment else None
    return unit or Unit.objects.filter(level=Unit.Level.PROVINCE).order_by("pk").first()


def report_issuer(user) -> str:
    """The unit a report is issued by: the user's own, else the province."""
    unit = _issuing_unit(user)
    return unit.name if unit else ""


def report_heading(user) -> dict:
    """The heading of an administrative document (Decree 30/2020/NĐ-CP): the
    governing body, the issuing body, and the place for the date line. Province
    reports come from the Department (setting LOA_REPORT_PROVINCE_BODY), district
    reports from the district's People's Committee."""
    unit = _issuing_unit(user)
    province = unit
    while province is not None and province.parent_id:
        province = province.parent
    province_name = province.name if province else ""
    if unit is None or unit.level == Unit.Level.PROVINCE:
        governing = _("People's Committee of %(unit)s province") % {
            "unit": province_name
        }
        issuer = getattr(
            settings,
            "LOA_REPORT_PROVINCE_BODY",
            _("Department of Culture, Sports and Tourism"),
        )
    else:
        governing = _("People's Committee of %(unit)s province") % {
            "unit": province_name
        }
        issuer = _("People's Committee of %(unit)s") % {"unit": unit.name}
    return {"governing": governing, "issuer": issuer, "place": province_name}


class _Echo:
    def write(self, value):
        return value


def _machine(value) -> object:
    """A cell for machines: ISO 8601 local times with their offset (+07:00)."""
    if isinstance(value, datetime):
        return value.astimezone(LOCAL_TZ).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, int | float):
        return value
    return spreadsheet_text(value)


def totals_row(rows: list[dict], label_key: str) -> dict:
    """A row summing the count columns, labelled in the first column."""
    total = OrderedDict((k, "") for k in (rows[0] if rows else {}))
    total[label_key] = "total"
    for n in COUNT_COLUMNS:
        if n in total:
            total[n] = sum(r[n] for r in rows)
    return total


def csv_response(rows: list[dict], filename: str) -> StreamingHttpResponse:
    """CSV for machines: stable snake_case keys, ISO 8601 times with +07:00, and
    UTF-8 with a BOM so Excel still opens Vietnamese text correctly."""
    writer = csv.writer(_Echo())

    def gen():
        yield "\ufeff"
        if rows:
            yield writer.writerow(list(rows[0].keys()))
        for r in rows:
            yield writer.writerow([_machine(v) for v in r.values()])

    resp = StreamingHttpResponse(gen(), content_type="text/csv; charset=utf-8")
    resp["Content-Disposition"] = f'attachment; filename="{filename}"'
    return resp


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
DATE_FORMAT = "dd/mm/yyyy"
COUNT_FORMAT = "#,##0"
_WIDTHS = {"title": 48, "station_name": 36, "unit_name": 28, "district_name": 24}


def _local_dmy(d: date) -> str:
    return d.strftime("%d/%m/%Y")


def _human_value(key: str, value):
    """A cell for people: local naive datetimes (Excel has no time zones), status
    and reason in words."""
    if isinstance(value, datetime):
        return value.astimezone(LOCAL_TZ).replace(tzinfo=None)
    if isinstance(value, bool):
        return str(_("Yes")) if value else ""
    if key == "status" and value:
        return str(PlannedAiring.Status(value).label)
    if key == "reason" and value:
        from .models import Confirmation

        return str(dict(Confirmation.Reason.choices).get(value, value))
    if key == "source" and value:
        from .models import Confirmation

        return str(dict(Confirmation.Source.choices).get(value, value))
    return value


def xlsx_response(
    rows: list[dict],
    filename: str,
    *,
    group_by: str,
    start: date,
    end: date,
    issuer: str,
) -> HttpResponse:
    """XLSX for people: a title with the period and the issuing unit, Vietnamese
    headers, local dd/mm/yyyy HH:MM times, a frozen header, column widths, number
    formats and a totals row. Text cells are string cells, never formulas."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    keys = list(rows[0].keys()) if rows else _empty_keys(group_by)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(str(TITLES[group_by])[:31])
    for i, key in enumerate(keys, start=1):
        width = _WIDTHS.get(key, 14 if key in COUNT_COLUMNS else 18)
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A5"
    bold = Font(bold=True)

    def text(value, *, font=None):
        cell = WriteOnlyCell(ws, value=spreadsheet_text(value))
        cell.data_type = "s"  # a string cell, whatever the text starts with
        if font:
            cell.font = font
        return cell

    def cell(key, value, *, font=None):
        value = _human_value(key, value)
        if value is None or value == "":
            return text("", font=font)
        if isinstance(value, str):
            return text(value, font=font)
        c = WriteOnlyCell(ws, value=value)
        if isinstance(value, datetime):
            c.number_format = DATETIME_FORMAT
        elif isinstance(value, date):
            c.number_format = DATE_FORMAT
        elif key in COUNT_COLUMNS:
            c.number_format = COUNT_FORMAT
        if font:
            c.font = font
        return c

    ws.append(
        [
            text(
                str(_("BROADCAST REPORT")) + " — " + str(TITLES[group_by]),
                font=Font(bold=True, size=14),
            )
        ]
    )
    ws.append(
        [
            text(
                _("Period: from %(start)s to %(end)s")
                % {"start": _local_dmy(start), "end": _local_dmy(end)}
            )
        ]
    )
    ws.append([text(_("Issued by: %(unit)s") % {"unit": issuer})])
    header = []
    for key in keys:
        h = text(str(HEADERS.get(key, key)), font=bold)
        h.alignment = Alignment(wrap_text=True, vertical="top")
        header.append(h)
    ws.append(header)
    for r in rows:
        ws.append([cell(k, v) for k, v in r.items()])
    total = [text(_("Total"), font=bold)] + [text("") for _k in keys[1:]]
    for i, key in enumerate(keys):
        if key in COUNT_COLUMNS:
            total[i] = cell(key, sum(r[key] for r in rows), font=bold)
    if group_by == "airing":
        total[1] = cell("planned", len(rows), font=bold)
    ws.append(total)
    buf = io.BytesIO()
    wb.save(buf)
    resp = HttpResponse(buf.getvalue(), content_type=XLSX_TYPE)
    resp["Content-Disposition"] = f'attachment; filename="{filename}"'
    return resp


def _empty_keys(group_by: str) -> list[str]:
    if group_by == "airing":
        return ["airing_id", "station", "unit", "content_id", "title", "planned_at"]
    if group_by in _LANGUAGE_KEYS:
        return _LANGUAGE_KEYS[group_by]
    if group_by == "summary":
        group_by = "district"
    return [col for col, _e in GROUPINGS[group_by]] + list(COUNT_COLUMNS)


def json_bytes(rows: list[dict]) -> bytes:
    return json.dumps(
        {"rows": [{k: _json_value(v) for k, v in r.items()} for r in rows]},
        ensure_ascii=False,
    ).encode()


def _json_value(value):
    if isinstance(value, datetime | date):
        return _machine(value)
    return value
