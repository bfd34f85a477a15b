from django.http import Http404
from django.templatetags.static import static
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.models import PageViewRestriction

from cms.models import ContentItemPage


# Before Wagtail's own view-restriction hook, which would answer a login redirect
# and so confirm that the page exists.
@hooks.register("before_serve_page", order=-1)
def hide_unpublic_pages(page, request, serve_args, serve_kwargs):
    """Expired items and login-restricted pages answer 404 to those who may not see
    them. (Drafts and unpublished pages already do: Wagtail serves live pages only.)"""
    if page.expired or (isinstance(page, ContentItemPage) and not page.is_valid_on()):
        raise Http404
    for restriction in page.get_view_restrictions():
        if restriction.restriction_type == PageViewRestriction.PASSWORD:
            continue
        if not restriction.accept_request(request):
            raise Http404


# Help menu: Loa's own Vietnamese guides (static pages shipped in static/guides/),
# not Wagtail's English online guide, which a closed network cannot reach anyway.
GUIDES = [
    ("editor", _("Guide: editors")),
    ("reviewer", _("Guide: reviewers")),
    ("operator", _("Guide: district station operators")),
    ("commune", _("Guide: commune staff")),
    ("technician", _("Guide: technicians")),
]
WAGTAIL_ONLINE_HELP = ("editor-guide", "whats-new-in-wagtail-")


def guide_url(slug: str) -> str:
    return static(f"guides/vi/{slug}.html")


@hooks.register("construct_help_menu")
def drop_online_help(request, menu_items):
    menu_items[:] = [
        item for item in menu_items if not item.name.startswith(WAGTAIL_ONLINE_HELP)
    ]


def _guide_item(slug: str, label, order: int):
    return lambda: MenuItem(
        label, guide_url(slug), icon_name="help", order=order, name=f"loa-{slug}"
    )


for _order, (_slug, _label) in enumerate(GUIDES):
    hooks.register("register_help_menu_item", _guide_item(_slug, _label, 900 + _order))
