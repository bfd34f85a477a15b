"""Writes for the public site: renditions made ahead of publication."""

from __future__ import annotations

from wagtail.models import Page

from media_pipeline.models import LoaImage

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
