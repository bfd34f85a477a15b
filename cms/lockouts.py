"""Locked sign-ins in the Wagtail admin: administrators see who is locked out by
django-axes and unlock a username or an address."""

from __future__ import annotations

from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import UserPassesTestMixin
from django.db.models import Max, Sum
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin


def locked_out_usernames() -> list[dict]:
    """Usernames at or over the failure limit, with their last attempt."""
    rows = (
        AccessAttempt.objects.exclude(username=None)
        .values("username")
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
        .order_by("-last")
    )
    return list(rows)


def locked_out_addresses() -> list[dict]:
    rows = (
        AccessAttempt.objects.exclude(ip_address=None)
        .values("ip_address")
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
        .order_by("-last")
    )
    return list(rows)


class LockoutsView(UserPassesTestMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "cms/admin/lockouts.html"
    page_title = gettext_lazy("Locked sign-ins")
    header_icon = "lock"
    raise_exception = True  # 403, not a redirect to a login the user already passed

    def test_func(self):
        return self.request.user.is_superuser

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["usernames"] = locked_out_usernames()
        ctx["addresses"] = locked_out_addresses()
        return ctx

    def post(self, request, *args, **kwargs):
        username = request.POST.get("username", "")
        address = request.POST.get("ip_address", "")
        if username:
            reset(username=username)
            messages.success(request, _("Unlocked %(who)s.") % {"who": username})
        elif address:
            reset(ip=address)
            messages.success(request, _("Unlocked %(who)s.") % {"who": address})
        return redirect("cms_admin:lockouts")
