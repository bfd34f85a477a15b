"""Writes for the public site: renditions made ahead of publication."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.core.cache import cache
from wagtail.models import Page

from media_pipeline.models import LoaImage
from media_pipeline.source import RenderError
from media_pipeline.video import prepare_captions

from .models import ExhibitionPage
from .renditions import EXHIBIT_SPECS, ITEM_SPECS, STOP_SPECS


def public_image_specs(page: Page) -> dict[int, list[str]]:
    """The images a public page shows, with the rendition specs it shows them at."""
    wanted: dict[int, list[str]] = {}
    if isinstance(page, ExhibitionPage):
        for exhibit in page.exhibits.all():
            wanted.setdefault(exhibit.image_id, []).extend(EXHIBIT_SPECS)
        for stop in page.stops.all():
            for block in stop.event_photos:
                if block.value:
                    wanted.setdefault(block.value.pk, []).extend(STOP_SPECS)
    elif getattr(page, "image_id", None):
        wanted[page.image_id] = list(ITEM_SPECS)
    return wanted


def renditions_prepare(*, page_id: int) -> int:
    """Make every rendition the public page will show; returns how many images.

    Wagtail would otherwise make them during the first visitor's request; an AVIF
    encode of a large poster takes seconds.
    """
    page = Page.objects.filter(pk=page_id).first()
    if page is None:
        return 0
    page = page.specific
    wanted = public_image_specs(page)
    for image in LoaImage.objects.filter(pk__in=wanted):
        image.get_renditions(*dict.fromkeys(wanted[image.pk]))
    return len(wanted)


CAPTIONS_MAX_BYTES = 2 * 1024 * 1024


def captions_webvtt(*, document) -> str | None:
    """A captions document as WebVTT, converted the one way the media pipeline
    converts (ffmpeg, which also rejects files that are not subtitles); None when it
    cannot be read. Cached by file name, so the conversion runs once per upload."""
    key = f"loa:captions:{document.pk}:{document.file.name}:{document.file.size}"
    cached = cache.get(key)
    if cached is not None:
        return cached or None
    with tempfile.TemporaryDirectory(prefix="loa-captions-") as tmp:
        source = Path(tmp) / ("in" + Path(document.file.name).suffix.lower())
        with document.file.open("rb") as f:
            source.write_bytes(f.read(CAPTIONS_MAX_BYTES))
        try:
            prepare_captions(source, Path(tmp) / "out", timeout=30)
            vtt = (Path(tmp) / "out" / "captions.vtt").read_text(encoding="utf-8")
        except (RenderError, OSError, UnicodeDecodeError):
            vtt = ""
    cache.set(key, vtt, 24 * 3600)
    return vtt or None
