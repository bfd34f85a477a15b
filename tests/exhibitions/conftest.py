"""Helpers for the public site's tests: images made with Pillow, published items
and an exhibition under the demo province's home page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from wagtail.models import Page, Site

from exhibitions.models import Exhibit, ExhibitionStop
from loa.units.models import Unit
from media_pipeline.models import LoaImage
from tests.factories import (
    ExhibitionFactory,
    HomePageFactory,
    ImageFactory,
    LibraryFactory,
    PhotoFactory,
    PosterFactory,
    UnitFactory,
)


def make_image(
    width: int = 64, height: int = 48, *, title: str = "Ảnh", colour="#a3120f"
) -> LoaImage:
    return ImageFactory(
        title=title,
        file__width=width,
        file__height=height,
        file__color=colour,
        file__filename=f"{title.replace(' ', '-')}.png",
    )


def publish(parent, page):
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


@pytest.fixture
def home(db):
    """The site's home page (the smallest public site: no demo users or stations)."""
    home = HomePageFactory(parent=Page.get_first_root_node())
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={"hostname": "localhost", "root_page": home, "site_name": "Loa"},
    )
    province = UnitFactory(code="bp", name="Bình Phước", level="province")
    district = UnitFactory(
        code="dx", name="Đồng Xoài", level="district", parent=province
    )
    UnitFactory(code="dx-tp", name="Tân Phú", level="commune", parent=district)
    return home


@pytest.fixture
def library(home):
    """The content library the items are filed in."""
    return LibraryFactory(parent=home)


@pytest.fixture
def poster(library):
    return PosterFactory(
        parent=library,
        title="Quyền con người",
        slug="quyen",
        image=make_image(title="poster"),
    )


@pytest.fixture
def photo(library):
    return PhotoFactory(
        parent=library, title="Ảnh tư liệu", slug="anh", image=make_image(title="photo")
    )


@pytest.fixture
def exhibition(home):
    commune = Unit.objects.filter(level=Unit.Level.COMMUNE).order_by("code").first()
    today = timezone.localdate()
    exhibits = [
        Exhibit(
            image=make_image(title=f"tranh {i}"),
            alt_text=f"Tranh số {i}",
            caption=f"Chú thích {i}",
            section="Phần một" if i < 2 else "Phần hai",
            is_poster=i == 0,
        )
        for i in range(3)
    ]
    stop = ExhibitionStop(
        commune=commune,
        venue="Nhà văn hoá xã",
        start_date=today + timedelta(days=3),
        end_date=today + timedelta(days=5),
    )
    return ExhibitionFactory(
        parent=home,
        title="Triển lãm lưu động",
        slug="trien-lam",
        start_date=today,
        end_date=today + timedelta(days=60),
        exhibits=exhibits,
        stops=[stop],
    )
