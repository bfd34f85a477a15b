"""Wagtail admin screens for scheduling (editors) — thin, over services."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from .forms import ScheduleForm
from .services import ServiceError, schedule_create


class ScheduleCreateView(WagtailAdminTemplateMixin, FormView):
    form_class = ScheduleForm
    template_name = "broadcast/admin/schedule_form.html"
    page_title = _("Schedule for broadcast")
    header_icon = "date"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("broadcast.add_schedule"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

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
