"""Posters are shown whole on cards: their headline is usually at the top, and a
4:3 crop of a portrait poster cut it off."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cms.models import PosterPage

from .conftest import make_image, publish

pytestmark = pytest.mark.django_db

SITE_CSS = Path(__file__).resolve().parents[2] / "static" / "loa" / "site.css"


def test_a_portrait_posters_card_keeps_the_whole_poster(client, library, settings):
    settings.LOA_PUBLIC_CACHE = False
    poster = publish(
        library,
        PosterPage(title="Tranh dọc", slug="tranh", image=make_image(300, 600)),
    )
    assert client.get("/gallery/").status_code == 200
    cards = poster.image.renditions.filter(filter_spec__contains="320x240")
    assert cards.exists()
    for rendition in cards:
        # The poster's 1:2 shape, scaled to fit the card: nothing cut away.
        assert rendition.height <= 240
        assert rendition.width / rendition.height == pytest.approx(0.5, abs=0.02)


def test_card_images_are_fitted_not_cropped_by_the_stylesheet():
    css = SITE_CSS.read_text()
    rule = re.search(r"\.card picture img[^{]*\{([^}]*)\}", css)
    assert rule and "object-fit:contain" in rule.group(1).replace(" ", "")
