"""Commune staff's page: today's airings and one button each, light enough for a
cheap phone on 3G. Works as plain form posts; JavaScript only adds an offline queue."""

from __future__ import annotations

import os
import uuid
from datetime import date, datetime, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from loa.units.models import Unit

from . import downloads, reports, selectors, services, station_packages
from .agent_services import urgent_active_in_scope
from .models import Confirmation, DistributionEvent, PlannedAiring
from .scope import scope_policy


def _own_stations(user) -> set[int]:
    scope = scope_policy.for_user(user)
    if scope.everything or not scope.station_ids:
        raise PermissionDenied
    return set(scope.station_ids)


def may_see_reports(user) -> bool:
    """Reports are for province and district staff, not for one station's staff."""
    return scope_policy.for_user(user).may_report


def may_see_log(user) -> bool:
    return not scope_policy.for_user(user).is_empty


def _recent_window() -> tuple[date, datetime, datetime]:
    """Today and the days before it that staff may still confirm."""
    today = timezone.localdate()
    first = today - timedelta(days=services.confirm_days())
    start, _x = selectors.local_day_bounds(first)
    _y, end = selectors.local_day_bounds(today)
    return today, start, end


def _due_unconfirmed(scope: set[int], ids: list[int] | None = None):
    """Airings that are due and still waiting, within the days staff may confirm."""
    _today, start, _end = _recent_window()
    qs = selectors.airings_between(
        station_ids=scope, start=start, end=timezone.now()
    ).filter(status=PlannedAiring.Status.PLANNED)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs


@login_required
def today(request):
    """The last days' airings (newest day first), each with its buttons; late ones
    (from an earlier day) say so."""
    scope = _own_stations(request.user)
    today, start, end = _recent_window()
    airings = list(selectors.airings_between(station_ids=scope, start=start, end=end))
    days: dict[date, list] = {}
    now = timezone.now()
    for a in airings:
        a.form_uuid = uuid.uuid4()
        local = timezone.localtime(a.planned_at)
        a.is_late = a.status == PlannedAiring.Status.PLANNED and local.date() < today
        a.is_due = a.planned_at <= now
        # The planned time, not "now": staff confirm what they did at the slot.
        a.default_aired = (
            timezone.localtime().strftime("%Y-%m-%dT%H:%M")
            if a.flexible and local.date() == today
            else ("" if a.flexible else local.strftime("%Y-%m-%dT%H:%M"))
        )
        days.setdefault(local.date(), []).append(a)
    return render(
        request,
        "broadcast/today.html",
        {
            "todays": days.pop(today, []),
            "earlier": sorted(days.items(), reverse=True),
            "day": today,
            "confirm_days": services.confirm_days(),
            "reasons": Confirmation.Reason.choices,
            "all_uuid": uuid.uuid4(),
            "pending_count": sum(
                1 for a in airings if a.status == PlannedAiring.Status.PLANNED
            ),
            "due_count": _due_unconfirmed(scope).count(),
            "may_see_log": may_see_log(request.user),
            "may_see_reports": may_see_reports(request.user),
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
    return downloads.urgent_audio_response(request, announcement=a)


def _parse_local(value: str) -> datetime | None:
    if not value:
        return None
    dt = parse_datetime(value)
    if dt is None:
        return None
    if timezone.is_naive(dt):
        dt = timezone.make_aware(dt, timezone.get_current_timezone())
    return dt


def _ids(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.isdigit()][:1000]


@login_required
@require_POST
def confirm(request):
    scope = _own_stations(request.user)
    post = request.POST
    client_now = _parse_local(post.get("client_now", ""))
    items: list[services.ConfirmationInput] = []
    if post.get("all_aired"):
        # "Everything due so far aired": first the list of what that means, then,
        # once the person says yes, one confirmation per listed airing still
        # waiting. Uuids derive from the form's, so a re-sent form changes nothing.
        base = post.get("uuid", "")
        try:
            uuid.UUID(base)
        except ValueError:
            messages.error(request, _("This form has expired; please try again."))
            return redirect("broadcast:today")
        if not post.get("confirmed"):
            due = list(_due_unconfirmed(scope))
            return render(
                request,
                "broadcast/confirm_all.html",
                {"airings": due, "all_uuid": base},
            )
        for a in _due_unconfirmed(scope, _ids(post.getlist("airing"))):
            items.append(
                services.ConfirmationInput(
                    uuid=str(uuid.uuid5(uuid.UUID(base), str(a.pk))),
                    airing=a.pk,
                    status="aired",
                    aired_at=a.planned_at,
                    client_now=client_now,
                )
            )
    else:
        try:
            airing_id = int(post.get("airing", ""))
        except ValueError:
            airing_id = -1
        status = post.get("status", "")
        items.append(
            services.ConfirmationInput(
                uuid=post.get("uuid", ""),
                airing=airing_id,
                status=status,
                aired_at=_parse_local(post.get("aired_at", ""))
                if status == "aired"
                else None,
                reason=post.get("reason", ""),
                note=post.get("note", ""),
                client_now=client_now,
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


def _correctable(user, pk: int) -> PlannedAiring:
    """An airing the user may correct: commune and station staff their own
    station's, within the days they may confirm; district and province staff any
    in their scope. Anything else is a 404."""
    scope = selectors.user_station_scope(user)
    qs = PlannedAiring.objects.select_related("station", "schedule").exclude(
        status__in=[PlannedAiring.Status.PLANNED, PlannedAiring.Status.CANCELLED]
    )
    if scope is not None:
        qs = qs.filter(station_id__in=scope)
    assignment = getattr(user, "assignment", None)
    if not user.is_superuser and assignment is not None and assignment.station_id:
        _today, start, _end = _recent_window()
        qs = qs.filter(planned_at__gte=start)
    return get_object_or_404(qs, pk=pk)


@login_required
def correct(request, pk: int):
    """Correct what was recorded for one airing: a new log event with a reason."""
    if selectors.user_station_scope(request.user) == set():
        raise PermissionDenied
    airing = _correctable(request.user, pk)
    values = {
        "status": airing.status,
        "aired_at": timezone.localtime(airing.aired_at or airing.planned_at).strftime(
            "%Y-%m-%dT%H:%M"
        ),
        "reason": airing.missed_reason,
        "why": "",
        "note": "",
    }
    error = ""
    if request.method == "POST":
        post = request.POST
        values.update({k: post.get(k, "").strip() for k in values})
        status = values["status"]
        try:
            services.airing_correct(
                airing=airing,
                status=status,
                actor=request.user.get_username(),
                why=values["why"],
                aired_at=_parse_local(values["aired_at"])
                if status == "aired"
                else None,
                reason=values["reason"] if status == "missed" else "",
                note=values["note"],
            )
        except services.ServiceError as exc:
            error = exc.message
        else:
            messages.success(request, _("The correction is recorded."))
            nxt = request.GET.get("next", "")
            if url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
                return redirect(nxt)
            return redirect("broadcast:today" if may_see_log(request.user) else "/")
    return render(
        request,
        "broadcast/correct.html",
        {
            "airing": airing,
            "values": values,
            "error": error,
            "reasons": Confirmation.Reason.choices,
        },
        status=400 if error else 200,
    )


@login_required
def distribution_log(request):
    scope = scope_policy.for_user(request.user)
    if scope.is_empty:
        raise PermissionDenied
    qs = scope.filter_log(DistributionEvent.objects.order_by("-pk"))
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
    user_scope = scope_policy.for_user(user)
    if not user_scope.may_report:
        raise PermissionDenied
    scope = user_scope.station_id_set()
    f = _report_filter(request)
    units = request.GET.get("units", "time")
    units = units if units in reports.UNIT_MODES else "time"
    data = reports.summary(station_ids=scope, f=f, units=units)
    totals = data["totals"]
    units = user_scope.units().filter(level=Unit.Level.DISTRICT)
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
            "units_mode": units,
            "heading": reports.report_heading(user),
            "query": query.urlencode(),
            "generated": timezone.localtime(),
        },
    )


@login_required
def packages(request):
    """The current package of each station the user may see, to download and check."""
    scope = selectors.user_station_scope(request.user)
    if scope is not None and not scope:
        raise PermissionDenied
    own = getattr(getattr(request.user, "assignment", None), "station", None)
    last = station_packages.last_token_download(station=own) if own else None
    cards = station_packages.current_packages(station_ids=scope)
    return render(
        request,
        "broadcast/packages.html",
        {
            "cards": cards,
            "own_station": own,
            "last_download": last,
            "last_download_is_current": last is not None
            and any(c.package.pk == last.package_id for c in cards),
        },
    )


@login_required
def package_download(request, package_id):
    """The page's download button: the API's resumable, logged serving function."""
    package = selectors.ready_package(
        public_id=package_id,
        station_ids=scope_policy.for_user(request.user).station_id_set(),
    )
    if package is None:
        raise Http404
    if package.superseded_by_id is not None:
        # A replaced package is history, never something to play: go to the list.
        messages.warning(request, _("That package was replaced by a newer one."))
        return redirect("broadcast:packages")
    try:
        return downloads.package_download_response(
            request, package=package, actor=request.user.get_username(), source="web"
        )
    except downloads.BadRange:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{package.bytes or 0}"
        return response
