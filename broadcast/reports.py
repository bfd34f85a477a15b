"""What aired where: report rows for the Department, as JSON, CSV (and more)."""

from __future__ import annotations

import csv
import json
from collections import OrderedDict
from datetime import date

from django.db.models import Count, Q
from django.http import StreamingHttpResponse
from django.utils.translation import gettext_lazy as _

from .models import PlannedAiring
from .selectors import local_day_bounds

# group_by → (query field, output column) pairs; "airing" is one row per airing.
GROUPINGS = {
    "airing": (),
    "station": (("station__code", "station"), ("station__name", "station_name")),
    "item": (("schedule__item_id", "content_id"), ("schedule__item_title", "title")),
    "unit": (("station__unit__code", "unit"), ("station__unit__name", "unit_name")),
}

_COUNTS = [
    ("planned", _("Planned")),
    ("aired", _("Aired")),
    ("missed", _("Not aired")),
    ("cancelled", _("Cancelled")),
]


def airing_rows(
    *, station_ids: set[int] | None, start: date, end: date, group_by: str
) -> list[dict]:
    a, _x = local_day_bounds(start)
    _y, b = local_day_bounds(end)
    qs = PlannedAiring.objects.filter(planned_at__gte=a, planned_at__lte=b)
    if station_ids is not None:
        qs = qs.filter(station_id__in=station_ids)
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
    fields = [f for f, _col in pairs]
    counts = {name: Count("pk", filter=Q(status=name)) for name, _label in _COUNTS}
    return [
        OrderedDict(
            [(col, r[f]) for f, col in pairs]
            + [(name, r[name]) for name, _label in _COUNTS]
        )
        for r in qs.values(*fields).annotate(**counts).order_by(*fields)
    ]


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
            yield writer.writerow(list(r.values()))

    resp = StreamingHttpResponse(gen(), content_type="text/csv; charset=utf-8")
    resp["Content-Disposition"] = f'attachment; filename="{filename}"'
    return resp


def json_bytes(rows: list[dict]) -> bytes:
    return json.dumps({"rows": rows}, ensure_ascii=False, default=str).encode()
