"""Wagtail admin screens for scheduling (editors) — thin, over services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from .forms import ScheduleForm
from .models import Station, StationToken
from .services import (
    ServiceError,
    schedule_create,
    station_token_create,
    station_token_revoke,
)


class ScheduleCreateView(PermissionRequiredMixin, WagtailAdminTemplateMixin, FormView):
    form_class = ScheduleForm
    template_name = "broadcast/admin/schedule_form.html"
    page_title = _("Schedule for broadcast")
    header_icon = "date"

    permission_required = "broadcast.add_schedule"
    raise_exception = True  # 403, not a redirect to a login the user already passed

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        initial = super().get_initial()
        if self.request.GET.get("item", "").isdigit():
            initial["item"] = int(self.request.GET["item"])
        return initial

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["action_url"] = reverse("broadcast_admin:schedule_add")
        ctx["submit_button_label"] = _("Schedule")
        return ctx

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            schedule = schedule_create(
                item=data["item"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                target_kind=data["target_kind"],
                target_unit=data["target_unit"],
                target_stations=list(data["target_stations"]),
                target_station_kind=data["target_station_kind"],
                slot_times=data["slot_times"],
                weekdays=data["weekdays"],
                times_in_period=data["times_in_period"],
                priority=data.get("priority") or "normal",
                created_by=self.request.user,
            )
        except ServiceError as exc:
            form.add_error(None, exc.message)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Scheduled “%(title)s”: %(n)d planned airings.")
            % {"title": schedule.item_title, "n": schedule.airings.count()},
        )
        return redirect("broadcast_admin:schedule_add")


class StationTokensView(
    PermissionRequiredMixin, WagtailAdminTemplateMixin, TemplateView
):
    """Station API tokens: made here (shown once), listed with last use, revoked.
    Only their hashes are stored, so a lost token is revoked and replaced."""

    template_name = "broadcast/admin/tokens.html"
    page_title = _("Station tokens")
    header_icon = "key"

    permission_required = "broadcast.change_stationtoken"
    raise_exception = True  # 403, not a redirect to a login the user already passed

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["tokens"] = StationToken.objects.select_related("station").order_by(
            "station__code", "-created_at"
        )
        ctx["stations"] = Station.objects.filter(active=True).order_by("code")
        return ctx

    def post(self, request, *args, **kwargs):
        if "revoke" in request.POST:
            token = get_object_or_404(StationToken, pk=request.POST.get("revoke") or 0)
            station_token_revoke(token=token)
            messages.success(
                request,
                _("Revoked token %(prefix)s… of %(code)s.")
                % {"prefix": token.prefix, "code": token.station.code},
            )
            return redirect("broadcast_admin:tokens")
        station = get_object_or_404(Station, code=request.POST.get("station", ""))
        _token, raw = station_token_create(
            station=station, label=request.POST.get("label", "")[:120]
        )
        # Shown in this response only; never stored, never put in a message.
        return self.render_to_response(
            self.get_context_data(new_token=raw, new_station=station)
        )
