"""The image renditions the public site shows, declared once.

Templates use the same specs with Wagtail's `{% picture %}`; exhibitions.tasks makes
them when a page is published so no visitor waits for an AVIF encode.
"""

from __future__ import annotations

from wagtail.images.models import Filter

# Keep these strings identical to the ones in templates/ (tests check that serving a
# published page creates no rendition).
CARD_PICTURE = "format-{avif,webp,jpeg} max-{320x240,640x480}"
ITEM_PICTURE = "format-{avif,webp,jpeg} max-{480x480,960x960,1600x1600}"
LIGHTBOX_IMAGE = "max-2000x2000 format-jpeg"
OG_IMAGE = "fill-1200x630 format-jpeg"
STOP_PHOTO = "format-{webp,jpeg} fill-{240x180,480x360}"


def specs(*patterns: str) -> list[str]:
    """Every single filter spec the given `{% picture %}` patterns expand to."""
    out: list[str] = []
    for pattern in patterns:
        out.extend(Filter.expand_spec(pattern))
    return out


CARD_SPECS = specs(CARD_PICTURE)
# An item's image also shows as a card in the gallery and on the home page.
ITEM_SPECS = specs(CARD_PICTURE, ITEM_PICTURE, LIGHTBOX_IMAGE, OG_IMAGE)
EXHIBIT_SPECS = ITEM_SPECS
STOP_SPECS = specs(STOP_PHOTO, LIGHTBOX_IMAGE)
