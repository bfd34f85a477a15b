from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from . import admin_views
from .lockouts import LockoutsView
from .models import Audience, Campaign, Language, Theme
from .panels import LoaDashboardPanel
from .selectors import user_can_bulk_upload


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
        ),
        path("bulk-upload/", admin_views.BulkUploadView.as_view(), name="bulk_upload"),
        path("lockouts/", LockoutsView.as_view(), name="lockouts"),
        path("speech-preview/", admin_views.speech_preview, name="speech_preview"),
        path(
            "speech-preview/<uuid:preview_id>/",
            admin_views.speech_preview_status,
            name="speech_preview_status",
        ),
        path(
            "speech-preview/<uuid:preview_id>/audio/",
            admin_views.speech_preview_audio,
            name="speech_preview_audio",
        ),
    ]
    return [path("loa/", include((urls, "cms_admin")))]


@hooks.register("construct_homepage_panels")
def add_loa_dashboard_panel(request, panels):
    panels.append(LoaDashboardPanel(request.user))


class _CanBulkUpload(MenuItem):
    def is_shown(self, request):
        return user_can_bulk_upload(request.user)


@hooks.register("register_admin_menu_item")
def bulk_upload_menu_item():
    return _CanBulkUpload(
        _("Bulk upload"),
        reverse("cms_admin:bulk_upload"),
        icon_name="upload",
        order=150,
    )


@hooks.register("after_create_page")
@hooks.register("after_edit_page")
def sync_video_captions(request, page):
    from .models import VideoItemPage
    from .services import video_captions_sync

    if isinstance(page.specific, VideoItemPage):
        video_captions_sync(page=page.specific)


class _IsSuperuser(MenuItem):
    def is_shown(self, request):
        return request.user.is_superuser


@hooks.register("register_settings_menu_item")
def lockouts_menu_item():
    return _IsSuperuser(
        _("Locked sign-ins"),
        reverse("cms_admin:lockouts"),
        icon_name="lock",
        order=910,
    )
