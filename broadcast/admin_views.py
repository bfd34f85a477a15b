"""Wagtail admin screens for scheduling (editors) — thin, over services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from .forms import ScheduleCancelForm, ScheduleFilterForm, ScheduleForm
from .models import Schedule, Station, StationToken
from .selectors import schedules_for, user_station_scope
from .services import (
    ScheduleOverlap,
    ServiceError,
    schedule_create,
    schedule_update,
    schedule_withdraw,
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
                **form.when_and_where(),
                priority=data.get("priority") or "normal",
                created_by=self.request.user,
                on_overlap=data.get("on_overlap") or "refuse",
            )
        except ScheduleOverlap as exc:
            # A second submit of the same form lands here: the editor chooses.
            form.add_error(None, exc.message)
            return self.render_to_response(
                self.get_context_data(form=form, overlap=exc)
            )
        except ServiceError as exc:
            form.add_error(None, exc.message)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Scheduled “%(title)s”: %(n)d planned airings.")
            % {"title": schedule.item_title, "n": schedule.airings.count()},
        )
        return redirect("broadcast_admin:schedules")


def _scoped_schedule(request, pk: int) -> Schedule:
    """A schedule the user may change: one they can see (anything else is a 404,
    not an oracle) and whose airings are all theirs (a district editor does not
    retarget the province's schedule)."""
    scope = user_station_scope(request.user)
    schedule = get_object_or_404(schedules_for(station_ids=scope), pk=pk)
    if scope is not None and schedule.airings.exclude(station_id__in=scope).exists():
        raise PermissionDenied
    return schedule


class ScheduleListView(
    PermissionRequiredMixin, WagtailAdminTemplateMixin, TemplateView
):
    """Schedules the user may see, with what became of their airings."""

    template_name = "broadcast/admin/schedule_list.html"
    page_title = _("Schedules")
    header_icon = "date"
    permission_required = "broadcast.view_schedule"
    raise_exception = True

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        filters = ScheduleFilterForm(self.request.GET or None)
        cleaned = filters.cleaned_data if filters.is_valid() else {}
        ctx["filters"] = filters
        ctx["schedules"] = schedules_for(
            station_ids=user_station_scope(self.request.user),
            text=cleaned.get("q") or "",
            unit=cleaned.get("unit"),
            kind=cleaned.get("kind") or "",
            on=cleaned.get("on"),
            with_counts=True,
        )[:200]
        ctx["can_change"] = self.request.user.has_perm("broadcast.change_schedule")
        return ctx


class _OneScheduleView(PermissionRequiredMixin, WagtailAdminTemplateMixin, FormView):
    """A screen acting on one schedule the user may change (in their scope)."""

    header_icon = "date"
    permission_required = "broadcast.change_schedule"
    raise_exception = True

    def dispatch(self, request, *args, **kwargs):
        self.schedule = _scoped_schedule(request, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)


class ScheduleEditView(_OneScheduleView):
    """Change a schedule's future: past and confirmed airings stay as they are."""

    form_class = ScheduleForm
    template_name = "broadcast/admin/schedule_form.html"
    page_title = _("Edit schedule")

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "user": self.request.user,
            "schedule": self.schedule,
        }

    def get_initial(self):
        return ScheduleForm.initial_for(self.schedule)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["action_url"] = reverse(
            "broadcast_admin:schedule_edit", args=[self.schedule.pk]
        )
        ctx["submit_button_label"] = _("Save the future airings")
        ctx["schedule"] = self.schedule
        return ctx

    def form_valid(self, form):
        try:
            added, removed = schedule_update(
                schedule=self.schedule,
                **form.when_and_where(),
                priority=form.cleaned_data.get("priority") or "normal",
            )
        except ServiceError as exc:
            form.add_error(None, exc.message)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Saved “%(title)s”: %(added)d airings added, %(removed)d removed.")
            % {"title": self.schedule.item_title, "added": added, "removed": removed},
        )
        return redirect("broadcast_admin:schedules")


class ScheduleCancelView(_OneScheduleView):
    form_class = ScheduleCancelForm
    template_name = "broadcast/admin/schedule_cancel.html"
    page_title = _("Cancel schedule")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["schedule"] = self.schedule
        return ctx

    def form_valid(self, form):
        try:
            n = schedule_withdraw(
                schedule=self.schedule,
                reason=form.cleaned_data["reason"],
                actor=self.request.user.get_username(),
            )
        except ServiceError as exc:
            form.add_error(None, exc.message)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Cancelled “%(title)s”: %(n)d future airings withdrawn.")
            % {"title": self.schedule.item_title, "n": n},
        )
        return redirect("broadcast_admin:schedules")


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
