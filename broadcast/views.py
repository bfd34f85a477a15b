"""Commune staff's page: today's airings and one button each, light enough for a
cheap phone on 3G. Works as plain form posts; JavaScript only adds an offline queue."""

from __future__ import annotations

import os
import uuid
from datetime import date, datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import reports, selectors, services
from .agent_services import urgent_active_in_scope
from .downloads import resumable_file_response
from .models import Confirmation, DistributionEvent, PlannedAiring, Unit


def _own_stations(user) -> set[int]:
    scope = selectors.user_station_scope(user)
    if scope is None:
        raise PermissionDenied
    if not scope:
        raise PermissionDenied
    return scope


@login_required
def today(request):
    scope = _own_stations(request.user)
    day = timezone.localdate()
    start, end = selectors.local_day_bounds(day)
    airings = list(selectors.airings_between(station_ids=scope, start=start, end=end))
    for a in airings:
        a.form_uuid = uuid.uuid4()
    return render(
        request,
        "broadcast/today.html",
        {
            "airings": airings,
            "day": day,
            "now_local": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "reasons": Confirmation.Reason.choices,
            "all_uuid": uuid.uuid4(),
            "pending_count": sum(
                1 for a in airings if a.status == PlannedAiring.Status.PLANNED
            ),
            # For stations without an agent: the announcement to air now, on top.
            "urgent": urgent_active_in_scope(scope),
        },
    )


@login_required
def urgent_audio(request, pk: int):
    """An urgent announcement's recording, for staff of a station it targets."""
    scope = _own_stations(request.user)
    a = next((x for x in urgent_active_in_scope(scope) if x.pk == pk), None)
    if a is None or not os.path.exists(a.audio_path):
        raise Http404
    return resumable_file_response(
        request,
        a.audio_path,
        sha256_hex=a.audio_sha256,
        filename=f"loa-urgent-{a.pk}{os.path.splitext(a.audio_path)[1]}",
        content_type="audio/mpeg",
    )


def _parse_local(value: str) -> datetime | None:
    if not value:
        return None
    dt = parse_datetime(value)
    if dt is None:
        return None
    if timezone.is_naive(dt):
        dt = timezone.make_aware(dt, timezone.get_current_timezone())
    return dt


@login_required
@require_POST
def confirm(request):
    scope = _own_stations(request.user)
    post = request.POST
    items: list[services.ConfirmationInput] = []
    if post.get("all_aired"):
        # "Everything today aired": one confirmation per still-planned airing. The
        # uuid is derived from the form's uuid, so a re-sent form changes nothing.
        base = post.get("uuid", "")
        start, end = selectors.local_day_bounds(timezone.localdate())
        for a in selectors.airings_between(
            station_ids=scope, start=start, end=end
        ).filter(status=PlannedAiring.Status.PLANNED, planned_at__lte=timezone.now()):
            try:
                derived = uuid.uuid5(uuid.UUID(base), str(a.pk))
            except ValueError:
                break
            items.append(
                services.ConfirmationInput(
                    uuid=str(derived),
                    airing=a.pk,
                    status="aired",
                    aired_at=a.planned_at,
                )
            )
    else:
        try:
            airing_id = int(post.get("airing", ""))
        except ValueError:
            airing_id = -1
        items.append(
            services.ConfirmationInput(
                uuid=post.get("uuid", ""),
                airing=airing_id,
                status=post.get("status", ""),
                aired_at=_parse_local(post.get("aired_at", "")),
                reason=post.get("reason", ""),
                note=post.get("note", ""),
            )
        )
    results = services.confirmations_record(
        items=items,
        station_ids=scope,
        source=Confirmation.Source.WEB,
        actor=request.user,
    )
    if request.headers.get("Accept", "").startswith("application/json"):
        # The offline queue (queue.js) reloads the page after sending, so messages
        # about newly recorded confirmations still show; its re-sends stay quiet.
        _flash(request, results, count=("created",))
        return JsonResponse(
            {
                "results": [
                    {**r.__dict__, "airing": c.airing}
                    for c, r in zip(items, results, strict=True)
                ]
            }
        )
    _flash(request, results, count=("created", "duplicate"))
    return redirect("broadcast:today")


def _flash(request, results, *, count: tuple[str, ...]) -> None:
    for r in results:
        if r.result in ("rejected", "conflict"):
            messages.error(
                request,
                r.message or _("This confirmation conflicts with an earlier one."),
            )
    saved = sum(1 for r in results if r.result in count)
    if saved:
        messages.success(request, _("Saved %(n)d confirmation(s).") % {"n": saved})


@login_required
def distribution_log(request):
    scope = selectors.user_station_scope(request.user)
    qs = DistributionEvent.objects.order_by("-pk")
    if scope is not None:
        if not scope:
            raise PermissionDenied
        from .models import Station

        codes = list(
            Station.objects.filter(pk__in=scope).values_list("code", flat=True)
        )
        qs = qs.filter(station_code__in=codes)
    return render(request, "broadcast/log.html", {"events": qs[:500]})


def _report_filter(request) -> reports.ReportFilter:
    """The report's filters from the query string; bad values fall back to defaults."""
    g = request.GET
    today = timezone.localdate()

    def as_int(name):
        try:
            return int(g.get(name, ""))
        except ValueError:
            return None

    def as_date(name, default):
        try:
            return date.fromisoformat(g.get(name, ""))
        except ValueError:
            return default

    period = g.get("period", "")
    if period in reports.report_periods():
        start, end, _due = reports.period_dates(period, as_int("year") or today.year)
    else:
        start = as_date("from", today.replace(day=1))
        end = as_date("to", today)
    if end < start:
        start, end = end, start
    return reports.ReportFilter(
        start=start,
        end=end,
        unit=g.get("unit", ""),
        station=g.get("station", ""),
        campaign=as_int("campaign"),
        plan_task=as_int("plan_task"),
        item=as_int("item"),
        language=g.get("language", ""),
        audience=g.get("audience", ""),
    )


def _bars(rows: list[dict], label: str, width: int = 240) -> list[dict]:
    """Bar lengths (in SVG units) for planned/aired/missed per row."""
    top = max([r["planned"] for r in rows] + [1])
    return [
        {
            "label": r.get(f"{label}_name") or r.get(label) or "—",
            "planned": r["planned"],
            "aired": r["aired"],
            "missed": r["missed"],
            "w_planned": round(width * r["planned"] / top),
            "w_aired": round(width * r["aired"] / top),
            "w_missed": round(width * r["missed"] / top),
            "y": 22 * i,
        }
        for i, r in enumerate(rows)
    ]


@login_required
def report(request):
    """The periodic report as a page (charts in inline SVG), printable as is."""
    user = request.user
    assignment = getattr(user, "assignment", None)
    if not user.is_superuser and (assignment is None or assignment.station_id):
        raise PermissionDenied
    scope = selectors.user_station_scope(user)
    f = _report_filter(request)
    data = reports.summary(station_ids=scope, f=f)
    totals = data["totals"]
    units = Unit.objects.filter(level=Unit.Level.DISTRICT)
    if scope is not None:
        units = units.filter(stations__pk__in=scope).distinct()
    from cms.models import Audience, Campaign, Language

    query = request.GET.copy()
    query.pop("print", None)
    return render(
        request,
        "broadcast/report.html",
        {
            "f": f,
            "data": data,
            "totals": totals,
            "share_aired": round(100 * totals["aired"] / totals["planned"])
            if totals["planned"]
            else 0,
            "bars": _bars(data["by_district"], "district"),
            "chart_height": 22 * max(len(data["by_district"]), 1),
            "coverage": [
                {
                    **c,
                    "percent": round(100 * c["coverage"]),
                    "w": round(200 * c["coverage"]),
                }
                for c in data["coverage"]
            ],
            "reasons": [
                (dict(Confirmation.Reason.choices).get(k, k), v)
                for k, v in data["missed_reasons"].items()
            ],
            "periods": [(k, v["label"]) for k, v in reports.report_periods().items()],
            "units": units.order_by("name"),
            "campaigns": Campaign.objects.order_by("name"),
            "languages": Language.objects.order_by("name"),
            "audiences": Audience.objects.order_by("name"),
            "printing": bool(request.GET.get("print")),
            "query": query.urlencode(),
            "generated": timezone.localtime(),
        },
    )
