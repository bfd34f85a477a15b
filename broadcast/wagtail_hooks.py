from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from loa.units.models import Unit

from .admin_reorganise import ReorganiseView
from .admin_urgent import urgent_urls
from .admin_views import (
    ScheduleCancelView,
    ScheduleCreateView,
    ScheduleEditView,
    ScheduleListView,
    StationTokensView,
)
from .models import DistributionEvent, Station
from .scope_admin import ScopedLogInspectView, log_queryset


@hooks.register("register_admin_urls")
def register_admin_urls():
    urls = [
        path("schedules/", ScheduleListView.as_view(), name="schedules"),
        path("schedule/new/", ScheduleCreateView.as_view(), name="schedule_add"),
        path(
            "schedule/<int:pk>/edit/", ScheduleEditView.as_view(), name="schedule_edit"
        ),
        path(
            "schedule/<int:pk>/cancel/",
            ScheduleCancelView.as_view(),
            name="schedule_cancel",
        ),
        path("tokens/", StationTokensView.as_view(), name="tokens"),
        *urgent_urls,
        path("reorganise/", ReorganiseView.as_view(), name="reorganise"),
    ]
    return [path("broadcast/", include((urls, "broadcast_admin")))]


class _CanSchedule(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("broadcast.view_schedule")


@hooks.register("register_admin_menu_item")
def schedule_menu_item():
    return _CanSchedule(
        _("Schedules"),
        reverse("broadcast_admin:schedules"),
        icon_name="date",
        order=250,
    )


class _CanReorganise(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("units.change_unit")


@hooks.register("register_settings_menu_item")
def reorganise_menu_item():
    return _CanReorganise(
        _("Administrative reorganisation"),
        reverse("broadcast_admin:reorganise"),
        icon_name="site",
        order=910,
    )


class _CanSeeReports(MenuItem):
    def is_shown(self, request):
        from .views import may_see_reports

        return may_see_reports(request.user)


@hooks.register("register_admin_menu_item")
def report_menu_item():
    return _CanSeeReports(
        _("Broadcast report"),
        reverse("broadcast:report"),
        icon_name="table",
        order=251,
    )


class _CanSendUrgent(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("broadcast.send_urgent")


@hooks.register("register_admin_menu_item")
def urgent_menu_item():
    return _CanSendUrgent(
        _("Urgent announcement"),
        reverse("broadcast_admin:urgent_add"),
        icon_name="warning",
        order=253,
    )


class _CanSeeLog(MenuItem):
    def is_shown(self, request):
        from .views import may_see_log

        return may_see_log(request.user)


@hooks.register("register_admin_menu_item")
def log_menu_item():
    return _CanSeeLog(
        _("Distribution log"),
        reverse("broadcast:log"),
        icon_name="list-ul",
        order=252,
    )


class _CanSeeDevices(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("broadcast.view_agentstatus")


@hooks.register("register_admin_menu_item")
def devices_menu_item():
    return _CanSeeDevices(
        _("Station devices"),
        reverse("broadcast_admin:devices"),
        icon_name="media",
        order=254,
    )


class _CanManageTokens(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("broadcast.change_stationtoken")


@hooks.register("register_settings_menu_item")
def tokens_menu_item():
    return _CanManageTokens(
        _("Station tokens"),
        reverse("broadcast_admin:tokens"),
        icon_name="key",
        order=900,
    )


class UnitViewSet(SnippetViewSet):
    model = Unit
    icon = "site"
    list_display = ["name", "code", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["name", "code"]


class StationViewSet(SnippetViewSet):
    model = Station
    icon = "media"
    list_display = ["name", "code", "kind", "unit"]
    list_filter = ["kind", "transmission"]
    search_fields = ["name", "code"]


_WRITES = {"add", "change", "delete", "lock", "unlock", "publish"}


class ReadOnlyPolicy(ModelPermissionPolicy):
    """The distribution log is append-only: nobody, superusers included, adds,
    edits or deletes events through the admin. Corrections are new events."""

    def user_has_permission(self, user, action):
        return action not in _WRITES and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, a) for a in actions)

    def users_with_any_permission(self, actions):
        return super().users_with_any_permission(
            [a for a in actions if a not in _WRITES] or ["view"]
        )


register_permission_policy(DistributionEvent, ReadOnlyPolicy(DistributionEvent))


class LogInspectView(ScopedLogInspectView):
    """Scoped like /station/log/ (broadcast.scope). Wagtail prints an empty number
    as "None"; an empty cell reads right in any language."""

    def get_field_display_value(self, field_name, field):
        value = super().get_field_display_value(field_name, field)
        return "" if value is None else value


class DistributionLogViewSet(SnippetViewSet):
    model = DistributionEvent
    icon = "list-ul"
    inspect_view_enabled = True
    inspect_view_class = LogInspectView
    list_display = [
        Column("pk", label=_("No.")),
        "kind",
        "occurred_at",
        "station_code",
        "item_title",
        "actor",
        "source",
    ]
    list_filter = ["kind", "source"]

    def get_queryset(self, request):
        return log_queryset(request)


class NetworkGroup(SnippetViewSetGroup):
    menu_label = _("Stations")
    menu_icon = "media"
    menu_order = 260
    items = (UnitViewSet, StationViewSet, DistributionLogViewSet)


register_snippet(NetworkGroup)
