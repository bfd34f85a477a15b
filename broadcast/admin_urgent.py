"""Admin screens: urgent announcements (make, approve, follow live, end) and the
device status of station agents."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from loa.units.models import Unit

from . import agent_services, selectors
from .forms import schedulable_items
from .models import UrgentAnnouncement
from .services import ServiceError

MAX_UPLOAD = 50 * 2**20


def _scope_units(user):
    """Units a user may send to: everything for province staff, else their unit."""
    unit = selectors.user_unit(user)
    if user.is_superuser or (unit and unit.level == Unit.Level.PROVINCE):
        return Unit.objects.all()
    if unit is None:
        return Unit.objects.none()
    return Unit.objects.filter(pk__in=unit.descendant_ids())


class UrgentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=255)
    audio = forms.FileField(
        label=_("Recording to upload"),
        required=False,
        help_text=_("An MP3, WAV or other recording. Or choose an item below."),
    )
    item = forms.ModelChoiceField(
        queryset=None, required=False, label=_("Or: a content item")
    )
    units = forms.ModelMultipleChoiceField(
        queryset=None, label=_("Units"), widget=forms.CheckboxSelectMultiple
    )
    repeat = forms.IntegerField(
        label=_("Times to play"), min_value=1, max_value=10, initial=2
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = schedulable_items()
        self.fields["units"].queryset = _scope_units(user)

    def clean_audio(self):
        f = self.cleaned_data.get("audio")
        if f and f.size > MAX_UPLOAD:
            raise forms.ValidationError(_("The recording is larger than 50 MB."))
        return f

    def clean(self):
        data = super().clean()
        if bool(data.get("audio")) == bool(data.get("item")):
            raise forms.ValidationError(
                _("Give either a recording to upload or an item, not both.")
            )
        return data


class _Urgent(PermissionRequiredMixin, WagtailAdminTemplateMixin):
    permission_required = "broadcast.send_urgent"
    raise_exception = True
    header_icon = "warning"


class UrgentCreateView(_Urgent, FormView):
    form_class = UrgentForm
    template_name = "broadcast/admin/urgent_form.html"
    page_title = _("Urgent announcement")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        scope = selectors.user_station_scope(self.request.user)
        recent = UrgentAnnouncement.objects.order_by("-created_at")
        if scope is not None:
            recent = recent.filter(deliveries__station_id__in=scope).distinct()
        ctx["recent"] = recent[:20]
        ctx["second_approval"] = agent_services.second_approval_required()
        ctx["submit_button_label"] = _("Send now")
        return ctx

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            a = agent_services.urgent_create(
                title=data["title"],
                units=list(data["units"]),
                repeat=data["repeat"],
                upload=data.get("audio") or None,
                item=data.get("item"),
                created_by=self.request.user,
            )
        except ServiceError as exc:
            form.add_error(None, exc.message)
            return self.form_invalid(form)
        if a.status == UrgentAnnouncement.Status.SENT:
            messages.success(self.request, _("Sent. Follow each station below."))
        else:
            messages.warning(
                self.request, _("Waiting for a second person to approve it.")
            )
        return redirect("broadcast_admin:urgent_detail", pk=a.pk)


def _visible(request, pk: int) -> UrgentAnnouncement:
    a = get_object_or_404(UrgentAnnouncement, pk=pk)
    scope = selectors.user_station_scope(request.user)
    if scope is not None and a.created_by_id != request.user.pk:
        if not a.deliveries.filter(station_id__in=scope).exists():
            raise Http404  # another district's announcement reads as absent
    return a


class UrgentDetailView(_Urgent, TemplateView):
    template_name = "broadcast/admin/urgent_detail.html"
    page_title = _("Urgent announcement")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        a = _visible(self.request, kwargs["pk"])
        ctx.update(
            announcement=a,
            board=agent_services.urgent_board(a),
            minutes=agent_services.no_contact_minutes(),
        )
        return ctx

    def post(self, request, pk: int):
        a = _visible(request, pk)
        try:
            if "end" in request.POST:
                agent_services.urgent_end(announcement=a, actor=request.user)
                messages.success(request, _("Ended: stations stop receiving it."))
            elif "approve" in request.POST:
                agent_services.urgent_approve(announcement=a, user=request.user)
                messages.success(request, _("Approved and sent."))
        except ServiceError as exc:
            messages.error(request, exc.message)
        return redirect("broadcast_admin:urgent_detail", pk=a.pk)


class UrgentBoardView(_Urgent, TemplateView):
    """The board alone, fetched every few seconds by the detail page."""

    def get(self, request, pk: int):
        a = _visible(request, pk)
        return render(
            request,
            "broadcast/admin/urgent_board.html",
            {
                "announcement": a,
                "board": agent_services.urgent_board(a),
                "minutes": agent_services.no_contact_minutes(),
            },
        )


class DeviceStatusView(
    PermissionRequiredMixin, WagtailAdminTemplateMixin, TemplateView
):
    template_name = "broadcast/admin/devices.html"
    page_title = _("Station devices")
    header_icon = "media"
    permission_required = "broadcast.view_agentstatus"
    raise_exception = True

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        rows = agent_services.device_status_rows(
            station_ids=selectors.user_station_scope(self.request.user),
            silent_after=timedelta(days=1),
        )
        ctx["silent"] = [r for r in rows if r.silent]
        ctx["rows"] = rows
        return ctx


urgent_urls = [
    path("urgent/new/", UrgentCreateView.as_view(), name="urgent_add"),
    path("urgent/<int:pk>/", UrgentDetailView.as_view(), name="urgent_detail"),
    path("urgent/<int:pk>/board/", UrgentBoardView.as_view(), name="urgent_board"),
    path("devices/", DeviceStatusView.as_view(), name="devices"),
]
