from django.http import Http404
from wagtail import hooks
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
