"""Loa's roles, as Django groups. Model-level permissions live here; page and
collection permissions are granted per unit when units are set up (cms.setup)."""

from django.utils.translation import gettext_lazy as _

PROVINCE_EDITOR = "Province editor"
PROVINCE_REVIEWER = "Province reviewer"
DISTRICT_EDITOR = "District editor"
STATION_OPERATOR = "District station operator"
COMMUNE_STAFF = "Commune staff"

ROLE_LABELS = {
    PROVINCE_EDITOR: _("Province editor"),
    PROVINCE_REVIEWER: _("Province reviewer"),
    DISTRICT_EDITOR: _("District editor"),
    STATION_OPERATOR: _("District station operator"),
    COMMUNE_STAFF: _("Commune staff"),
}

# Model-level media permissions apply to every collection, so district editors get
# theirs per collection instead (cms.setup.district_setup): they see only their own.
_MEDIA_MODEL_PERMS = [
    # wagtailmedia checks its own model's permissions whatever MEDIA_MODEL is.
    ("wagtailmedia", "media", "add_media"),
    ("wagtailmedia", "media", "change_media"),
    ("media_pipeline", "loaimage", "add_loaimage"),
    ("media_pipeline", "loaimage", "change_loaimage"),
    ("media_pipeline", "loaimage", "choose_loaimage"),
    ("wagtaildocs", "document", "add_document"),
    ("wagtaildocs", "document", "change_document"),
    ("wagtaildocs", "document", "choose_document"),
]
_DISTRICT_EDIT = [
    ("wagtailadmin", "admin", "access_admin"),
    ("media_pipeline", "renditionjob", "view_renditionjob"),
]
_EDIT_MEDIA = _DISTRICT_EDIT + _MEDIA_MODEL_PERMS


_SCHEDULE = [
    ("broadcast", "schedule", "add_schedule"),
    ("broadcast", "schedule", "change_schedule"),
    ("broadcast", "schedule", "view_schedule"),
    ("broadcast", "plannedairing", "view_plannedairing"),
]
_REPORTS = [
    ("broadcast", "distributionevent", "view_distributionevent"),
    ("broadcast", "package", "view_package"),
]
# "Phát thông báo khẩn" (Circular 39's emergency priority): province editors, who
# cover the province, and the district station operator, who is on air when a flood
# comes. Not reviewers (they approve, they do not broadcast), not district editors
# (they prepare content for the operator), not commune staff. The same people watch
# the station devices (scoped by broadcast.scope): before a flood they need to know
# which stations would not hear an announcement.
_URGENT = [
    ("wagtailadmin", "admin", "access_admin"),
    ("broadcast", "urgentannouncement", "send_urgent"),
    ("broadcast", "agentstatus", "view_agentstatus"),
]

ROLE_PERMISSIONS: dict[str, list[tuple[str, str, str]]] = {
    PROVINCE_EDITOR: _EDIT_MEDIA
    + _SCHEDULE
    + _REPORTS
    + [
        ("cms", "campaign", "add_campaign"),
        ("cms", "campaign", "change_campaign"),
        ("cms", "theme", "add_theme"),
        ("cms", "theme", "change_theme"),
    ]
    + _URGENT,
    PROVINCE_REVIEWER: _EDIT_MEDIA + _SCHEDULE + _REPORTS,
    DISTRICT_EDITOR: _DISTRICT_EDIT + _SCHEDULE + _REPORTS,
    STATION_OPERATOR: _REPORTS + _URGENT,
    COMMUNE_STAFF: [],
}

# Page permissions on the library (province roles) or a district's library folder.
PAGE_PERMISSIONS: dict[str, list[str]] = {
    PROVINCE_EDITOR: ["add_page", "change_page"],
    PROVINCE_REVIEWER: [
        "add_page",
        "change_page",
        "publish_page",
        "lock_page",
        "unlock_page",
    ],
    DISTRICT_EDITOR: ["add_page", "change_page"],
}
# Collection permissions: on the root collection for province roles, on the
# district's collection for its editors. Like wagtailmedia, Wagtail's image policy
# checks its own model's permissions (wagtailimages.Image) whatever the image model.
COLLECTION_PERMISSIONS: list[tuple[str, str]] = [
    ("wagtailmedia", "add_media"),
    ("wagtailmedia", "change_media"),
    ("wagtailimages", "add_image"),
    ("wagtailimages", "change_image"),
    ("wagtailimages", "choose_image"),
    ("wagtaildocs", "add_document"),
    ("wagtaildocs", "change_document"),
    ("wagtaildocs", "choose_document"),
]
