from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import Audience, Campaign, Language, Theme


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
