"""Public views outside the page tree: the gallery, media for the players, print
files, captions and the language switch."""

from __future__ import annotations

import mimetypes
import os

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET
from django.views.i18n import set_language as django_set_language

from broadcast.downloads import resumable_file_response
from cms.models import RadioItemPage, VideoItemPage

from . import selectors, services
from .printing import PAPER_SIZES, print_options, render_print_pdf


@require_GET
def gallery(request):
    filters = selectors.gallery_filters_from_query(request.GET)
    results = selectors.gallery_search(
        filters=filters, page_number=request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "exhibitions/gallery.html",
        {"filters": filters, "results": results, "query": query.urlencode()},
    )


@require_GET
def web_media(request, job_id: int):
    """A web rendition for the site's players, with Range so they can seek.

    Served with the profile's own content type and as an attachment, never with a
    type taken from the upload, so a disguised HTML file cannot run on this origin.
    """
    job = selectors.public_rendition(job_id)
    if job is None or not job.file:
        raise Http404
    if settings.LOA_DOWNLOAD_OFFLOAD:
        # The front server serves MEDIA_URL itself (and handles Range).
        return HttpResponseRedirect(job.file.url)
    path = job.file.path
    content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
    if not content_type.startswith(("audio/", "video/")):
        raise Http404
    response = resumable_file_response(
        request,
        path,
        sha256_hex=job.sha256,
        filename=os.path.basename(path),
        content_type=content_type,
    )
    response["Cache-Control"] = "public, max-age=86400"
    return response


# Files the web-video renderer writes next to its rendition (job.extra names them).
SIDECARS = {
    "poster": ("poster", "image/jpeg"),
    "captions": ("captions_vtt", "text/vtt"),
}


@require_GET
def web_media_sidecar(request, job_id: int, part: str):
    """A web video's poster frame or WebVTT track."""
    job = selectors.public_rendition(job_id)
    if job is None or part not in SIDECARS or not job.file:
        raise Http404
    key, content_type = SIDECARS[part]
    name = job.extra.get(key)
    path = os.path.join(os.path.dirname(job.file.path), os.path.basename(name or ""))
    if not name or not os.path.isfile(path):
        raise Http404
    response = FileResponse(open(path, "rb"), content_type=content_type)
    response["Cache-Control"] = "public, max-age=86400"
    return response


@require_GET
def print_file(request, image_id: int, paper: str):
    """The original for printing, or a PDF sized for A3/A2 (made once, then kept)."""
    image = selectors.public_print_image(image_id)
    if image is None:
        raise Http404
    if paper == "original":
        path = image.file.path
        name = os.path.basename(path)
    elif paper in PAPER_SIZES:
        option = next(
            o for o in print_options(image.width, image.height) if o.paper == paper
        )
        if not option.available:
            raise Http404
        path = render_print_pdf(image, paper)
        name = f"{os.path.splitext(os.path.basename(image.file.name))[0]}-{paper}.pdf"
    else:
        raise Http404
    content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
    return FileResponse(
        open(path, "rb"), as_attachment=True, filename=name, content_type=content_type
    )


@require_GET
def captions(request, page_id: int):
    """The captions of a public video (uploaded, SRT or WebVTT) or written
    announcement (timed by its synthesis) as WebVTT."""
    page = (
        VideoItemPage.objects.filter(pk=page_id).first()
        or RadioItemPage.objects.filter(pk=page_id).first()
    )
    if page is None or not page.captions or not selectors.is_public(page):
        raise Http404
    vtt = services.captions_webvtt(document=page.captions)
    if vtt is None:
        raise Http404
    response = HttpResponse(vtt, content_type="text/vtt; charset=utf-8")
    response["Cache-Control"] = "public, max-age=3600"
    return response


# The switch only sets a language cookie, and the public pages that carry it are
# cached for everyone, so they cannot hold a per-visitor CSRF token.
set_language = csrf_exempt(django_set_language)
