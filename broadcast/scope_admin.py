"""The Wagtail admin asks the scope policy (broadcast.scope): image, media and
document permission policies narrowed to the collections in the user's scope (so
listings, choosers, edit and usage views follow), the media usage view guarded
(wagtailmedia checks nothing there), and the distribution-log snippet filtered.

Imported by broadcast.wagtail_hooks; the policies registered here replace the ones
wagtail.images, wagtail.documents and wagtailmedia registered."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import path
from wagtail import hooks
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.permission_policies.collections import (
    CollectionOwnershipPermissionPolicy,
)
from wagtail.permissions import register_permission_policy
from wagtail.snippets.views.snippets import InspectView
from wagtailmedia import get_media_model

from .scope import scope_policy


class ScopedCollectionPolicy(CollectionOwnershipPermissionPolicy):
    """Wagtail's collection policy, and only inside the user's scope: a district
    editor's collection permissions (or a model-level permission some group holds)
    never reach another district's collection."""

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return scope_policy.for_user(user).sees_collection(
            instance.collection_id
        ) and super().user_has_any_permission_for_instance(user, actions, instance)

    def instances_user_has_any_permission_for(self, user, actions):
        return scope_policy.for_user(user).filter_collections(
            super().instances_user_has_any_permission_for(user, actions)
        )

    def collections_user_has_any_permission_for(self, user, actions):
        return scope_policy.for_user(user).filter_collections(
            super().collections_user_has_any_permission_for(user, actions), "pk"
        )


def _policy(model, auth_model: str) -> ScopedCollectionPolicy:
    return ScopedCollectionPolicy(
        model, auth_model=auth_model, owner_field_name="uploaded_by_user"
    )


image_policy = _policy(get_image_model(), "wagtailimages.Image")
document_policy = _policy(get_document_model(), "wagtaildocs.Document")
media_policy = _policy(get_media_model(), "wagtailmedia.Media")
# exact_class: an exact registration wins over the apps' own whichever is made
# last, and this module may be imported before their ready() runs.
register_permission_policy(get_image_model(), image_policy, exact_class=True)
register_permission_policy(get_document_model(), document_policy, exact_class=True)
register_permission_policy(get_media_model(), media_policy, exact_class=True)


def _use_scoped_media_policy() -> None:
    """wagtailmedia 0.19's views build their policy with wagtailmedia's own
    get_permission_policy() rather than the registry (a TODO there, for when it
    drops Wagtail < 8), and Loa's own code reads its module-level policy: point
    both at the scoped policy."""
    import wagtailmedia.permissions

    wagtailmedia.permissions.get_permission_policy = lambda: media_policy
    wagtailmedia.permissions.permission_policy = media_policy


_use_scoped_media_policy()


def media_usage(request, media_id: int):
    """wagtailmedia's usage view, for media the user may change (as Wagtail's own
    image and document usage views require); 404 otherwise, so another district's
    title is never shown."""
    from wagtailmedia.views.media import usage

    media = get_object_or_404(get_media_model(), pk=media_id)
    if not media_policy.user_has_permission_for_instance(request.user, "change", media):
        raise Http404
    return usage(request, media_id)


@hooks.register("register_admin_urls")
def register_media_usage_url():
    # Registered before wagtailmedia's own urls (broadcast precedes wagtailmedia in
    # INSTALLED_APPS), so this path answers first.
    return [path("media/usage/<int:media_id>/", media_usage, name="loa_media_usage")]


@hooks.register("before_serve_document")
def serve_documents_in_scope(document, request):
    """Wagtail serves any document by id at /documents/: only to those whose scope
    holds it, or to anyone once a live page uses it."""
    if document_policy.user_has_any_permission_for_instance(
        request.user, ["choose", "change"], document
    ):
        return None
    from wagtail.models import Page

    for obj, _references in document.get_usage():
        if isinstance(obj, Page) and obj.live:
            return None
    raise Http404


class ScopedLogInspectView(InspectView):
    def get_object(self, queryset=None):
        event = super().get_object(queryset)
        visible = scope_policy.for_user(self.request.user).filter_log(
            type(event).objects.filter(pk=event.pk)
        )
        if not visible.exists():
            raise Http404
        return event


def log_queryset(request):
    """The distribution-log snippet listing, as /station/log/ shows it."""
    from .models import DistributionEvent

    return scope_policy.for_user(request.user).filter_log(
        DistributionEvent.objects.all()
    )
