from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .admin_views import ScheduleCreateView, StationTokensView
from .models import Station, Unit


@hooks.register("register_admin_urls")
def register_admin_urls():
    urls = [
        path("schedule/new/", ScheduleCreateView.as_view(), name="schedule_add"),
        path("tokens/", StationTokensView.as_view(), name="tokens"),
    ]
    return [path("broadcast/", include((urls, "broadcast_admin")))]


class _CanSchedule(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("broadcast.add_schedule")


@hooks.register("register_admin_menu_item")
def schedule_menu_item():
    return _CanSchedule(
        _("Schedule for broadcast"),
        reverse("broadcast_admin:schedule_add"),
        icon_name="date",
        order=250,
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


class NetworkGroup(SnippetViewSetGroup):
    menu_label = _("Stations")
    menu_icon = "media"
    menu_order = 260
    items = (UnitViewSet, StationViewSet)


register_snippet(NetworkGroup)
