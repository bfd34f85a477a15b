"""Commune staff's page: today's airings and one button each, light enough for a
cheap phone on 3G. Works as plain form posts; JavaScript only adds an offline queue."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import selectors, services
from .models import Confirmation, DistributionEvent, PlannedAiring


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
        },
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
