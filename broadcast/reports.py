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
from datetime import date

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext_lazy as _

from .models import DistributionEvent, PlannedAiring, Station, Unit
from .selectors import local_day_bounds
from .textsafe import spreadsheet_text

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
    qs = PlannedAiring.objects.filter(planned_at__gte=a, planned_at__lte=b)
    if station_ids is not None:
        qs = qs.filter(station_id__in=station_ids)
    if f.unit:
        unit = Unit.objects.filter(code=f.unit).first()
        qs = qs.filter(station__unit_id__in=unit.descendant_ids() if unit else [])
    if f.station:
        qs = qs.filter(station__code=f.station)
    if f.item:
        qs = qs.filter(schedule__item_id=f.item)
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

        qs = qs.filter(
            schedule__item_id__in=ContentItemPage.objects.filter(**item_filter).values(
                "pk"
            )
        )
    return qs


# group_by → (query field, output column) pairs; "airing" is one row per airing.
GROUPINGS = {
    "airing": (),
    "station": (("station__code", "station"), ("station__name", "station_name")),
    "item": (("schedule__item_id", "content_id"), ("schedule__item_title", "title")),
    "unit": (("station__unit__code", "unit"), ("station__unit__name", "unit_name")),
    "district": (
        ("station__unit__parent__code", "district"),
        ("station__unit__parent__name", "district_name"),
    ),
    "day": (("planned_at__date", "day"),),
}

_COUNTS = [
    ("planned", _("Planned")),
    ("aired", _("Aired")),
    ("missed", _("Not aired")),
    ("cancelled", _("Cancelled")),
]


def status_counts():
    # "planned" counts every airing that was planned, whatever became of it.
    counts = {"planned": Count("pk")}
    counts.update(
        {n: Count("pk", filter=Q(status=n)) for n, _l in _COUNTS if n != "planned"}
    )
    counts["waiting"] = Count("pk", filter=Q(status=PlannedAiring.Status.PLANNED))
    return counts


def airing_rows(
    *,
    station_ids: set[int] | None,
    start: date,
    end: date,
    group_by: str,
    f: ReportFilter | None = None,
) -> list[dict]:
    f = f or ReportFilter(start=start, end=end)
    qs = airings(station_ids=station_ids, f=f)
    if group_by == "airing":
        rows = []
        for x in (
            qs.select_related("station__unit", "schedule")
            .prefetch_related("confirmations")
            .order_by("planned_at", "station__code")
        ):
            conf = next(iter(x.confirmations.all()), None)
            rows.append(
                OrderedDict(
                    airing_id=x.pk,
                    station=x.station.code,
                    unit=x.station.unit.name,
                    content_id=x.schedule.item_id,
                    title=x.schedule.item_title,
                    planned_at=x.planned_at.isoformat(),
                    status=x.status,
                    aired_at=conf.aired_at.isoformat()
                    if conf and conf.aired_at
                    else "",
                    reason=conf.reason if conf else "",
                    source=conf.source if conf else "",
                )
            )
        return rows
    pairs = GROUPINGS[group_by]
    fields = [fld for fld, _col in pairs]
    return [
        OrderedDict(
            [(col, r[fld]) for fld, col in pairs]
            + [
                (n, r[n])
                for n in ("planned", "aired", "missed", "cancelled", "waiting")
            ]
        )
        for r in qs.values(*fields).annotate(**status_counts()).order_by(*fields)
    ]


def summary(*, station_ids: set[int] | None, f: ReportFilter) -> dict:
    """The figures of the periodic report: totals, missed by reason, coverage per
    item (share of communes that aired it at least once), downloads."""
    qs = airings(station_ids=station_ids, f=f)
    totals = qs.aggregate(**status_counts())
    reasons = dict(
        qs.filter(status=PlannedAiring.Status.MISSED)
        .values_list("confirmations__reason")
        .annotate(n=Count("pk"))
        .order_by()
    )
    # Coverage counts communes (the unit of a commune station), not stations: a
    # commune with a loudspeaker system and a bulletin board counts once.
    commune_q = Q(station__unit__level=Unit.Level.COMMUNE)
    coverage = []
    for r in (
        qs.filter(commune_q)
        .values("schedule__item_id", "schedule__item_title")
        .annotate(
            communes=Count("station__unit", distinct=True),
            aired_communes=Count(
                "station__unit",
                distinct=True,
                filter=Q(status=PlannedAiring.Status.AIRED),
            ),
        )
        .order_by("schedule__item_title", "schedule__item_id")
    ):
        coverage.append(
            {
                "content_id": r["schedule__item_id"],
                "title": r["schedule__item_title"],
                "communes": r["communes"],
                "aired_communes": r["aired_communes"],
                "coverage": round(r["aired_communes"] / r["communes"], 4)
                if r["communes"]
                else 0.0,
            }
        )
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
        "totals": totals,
        "missed_reasons": {k or "unknown": v for k, v in reasons.items()},
        "coverage": coverage,
        "downloads": downloads.count(),
        "by_district": airing_rows(
            station_ids=station_ids, start=f.start, end=f.end, group_by="district", f=f
        ),
    }


def _cell(value):
    """Numbers as they are; text through the one owner of spreadsheet safety."""
    return value if isinstance(value, int | float) else spreadsheet_text(value)


def _xlsx_cell(ws, value):
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, int | float):
        return value
    cell = WriteOnlyCell(ws, value=spreadsheet_text(value))
    cell.data_type = "s"  # never a formula, whatever the text starts with
    return cell


class _Echo:
    def write(self, value):
        return value


def csv_response(rows: list[dict], filename: str) -> StreamingHttpResponse:
    """CSV with a BOM so Excel opens Vietnamese text correctly."""
    writer = csv.writer(_Echo())

    def gen():
        yield "\ufeff"
        if rows:
            yield writer.writerow(list(rows[0].keys()))
        for r in rows:
            yield writer.writerow([_cell(v) for v in r.values()])

    resp = StreamingHttpResponse(gen(), content_type="text/csv; charset=utf-8")
    resp["Content-Disposition"] = f'attachment; filename="{filename}"'
    return resp


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(
    rows: list[dict], filename: str, *, title: str = "Loa"
) -> HttpResponse:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title[:31])
    if rows:
        ws.append(list(rows[0].keys()))
    for r in rows:
        ws.append([_xlsx_cell(ws, v) for v in r.values()])
    buf = io.BytesIO()
    wb.save(buf)
    resp = HttpResponse(buf.getvalue(), content_type=XLSX_TYPE)
    resp["Content-Disposition"] = f'attachment; filename="{filename}"'
    return resp


def json_bytes(rows: list[dict]) -> bytes:
    return json.dumps({"rows": rows}, ensure_ascii=False, default=str).encode()
