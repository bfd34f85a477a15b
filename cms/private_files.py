"""Private files, served only to those the scope policy lets see their owner:
originals of media and images, media thumbnails, documents and the renditions of
originals no live page uses (the admin's previews and renditions panel), for admin
users allowed to choose or change the original. Packages are never served here (stations fetch
them through the station API). Anything else is a 404, so a guessed name tells
nothing. In production the front server sends the bytes (X-Accel-Redirect to an
`internal` location); Wagtail's document serve view hands over the same way, through
this module's `sendfile` (SENDFILE_BACKEND)."""

from __future__ import annotations

import mimetypes
import os
from pathlib import Path

from django.conf import settings
from django.db.models import Model, Q
from django.http import FileResponse, Http404, HttpResponse
from django.views.decorators.http import require_GET
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.permissions import policy_registry
from wagtailmedia import get_media_model

from loa.storage import DRAFTS, is_private, stored_path


def _owner(name: str) -> Model | None:
    if name.startswith(DRAFTS):
        return _rendition_owner(name)
    top = name.split("/", 1)[0]
    if top in ("media", "media_thumbnails"):
        return (
            get_media_model().objects.filter(Q(file=name) | Q(thumbnail=name)).first()
        )
    if top == "original_images":
        return get_image_model().objects.filter(file=name).first()
    if top == "documents":
        return get_document_model().objects.filter(file=name).first()
    return None


def _rendition_owner(name: str) -> Model | None:
    """The original a private rendition (or its side file) was made from."""
    from media_pipeline.models import LoaImageRendition, RenditionJob

    named = Q(file=name)
    for key in RenditionJob.SIDE_FILES:
        named |= Q(**{f"extra__{key}": name})
    job = RenditionJob.objects.filter(named).select_related("media", "image").first()
    if job is not None:
        return job.source
    rendition = LoaImageRendition.objects.filter(file=name).first()
    return rendition.image if rendition is not None else None


def private_file_readable(*, user, name: str) -> bool:
    """May this user read the private file `name`? Asks the owner's (scoped)
    permission policy: those who may choose or change the object see its file."""
    if not is_private(name) or not user.is_authenticated:
        return False
    owner = _owner(name)
    if owner is None:
        return False
    policy = policy_registry.get_by_type(type(owner))
    return policy.user_has_any_permission_for_instance(
        user, ["choose", "change"], owner
    )


@require_GET
def serve_private(request, name: str):
    name = os.path.normpath(name).replace("\\", "/")
    if name.startswith(("..", "/")) or not private_file_readable(
        user=request.user, name=name
    ):
        raise Http404
    path = stored_path(name)
    if not path.is_file():
        raise Http404
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = private_file_response(path, content_type=content_type)
    # Never kept by shared caches: whether it may be read depends on who asks.
    response["Cache-Control"] = "private, no-store"
    return response


def private_file_response(path: Path, *, content_type: str) -> HttpResponse:
    """The bytes of a private file whose reader was checked: streamed here, or
    handed to the front server's internal location in production."""
    if settings.LOA_PRIVATE_OFFLOAD == "x-accel-redirect":
        root = os.path.abspath(settings.LOA_PRIVATE_ROOT)
        name = Path(os.path.abspath(path)).relative_to(root).as_posix()
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = settings.LOA_PRIVATE_OFFLOAD_PREFIX + name
        return response
    return FileResponse(open(path, "rb"), content_type=content_type)


def sendfile(request, filename, mimetype="application/octet-stream", **kwargs):
    """SENDFILE_BACKEND for Wagtail's document serve view, which has checked the
    reader (collection privacy, before_serve_document) before calling it."""
    return private_file_response(Path(filename), content_type=mimetype)
