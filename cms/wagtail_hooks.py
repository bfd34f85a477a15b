from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from . import admin_views
from .models import Audience, Campaign, Language, Theme
from .panels import LoaDashboardPanel


class CampaignViewSet(SnippetViewSet):
    model = Campaign
    icon = "tasks"
    list_display = ["name", "task", "start_date", "end_date"]
    list_filter = ["task"]
    search_fields = ["name"]


class ThemeViewSet(SnippetViewSet):
    model = Theme
    icon = "tag"


class LanguageViewSet(SnippetViewSet):
    model = Language
    icon = "globe"
    list_display = ["name", "code"]


class AudienceViewSet(SnippetViewSet):
    model = Audience
    icon = "group"
    list_display = ["name", "code"]


class ClassificationGroup(SnippetViewSetGroup):
    menu_label = _("Plan and classification")
    menu_icon = "tasks"
    menu_order = 240
    items = (CampaignViewSet, ThemeViewSet, LanguageViewSet, AudienceViewSet)


register_snippet(ClassificationGroup)


@hooks.register("register_admin_urls")
def register_admin_urls():
    urls = [
        path(
            "jobs/<int:job_id>/rerender/", admin_views.job_rerender, name="job_rerender"
        )
    ]
    return [path("loa/", include((urls, "cms_admin")))]


@hooks.register("construct_homepage_panels")
def add_loa_dashboard_panel(request, panels):
    panels.append(LoaDashboardPanel(request.user))
