"""Helpers for the public site's tests: images made with Pillow, published items
and an exhibition under the demo province's home page."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.files.images import ImageFile
from django.utils import timezone
from PIL import Image
from wagtail.models import Page, Site

from broadcast.models import Unit
from cms.models import HomePage, LibraryIndexPage, PhotoPage, PosterPage
from exhibitions.models import Exhibit, ExhibitionPage, ExhibitionStop
from media_pipeline.models import LoaImage


def make_image(
    width: int = 64, height: int = 48, *, title: str = "Ảnh", colour="#a3120f"
) -> LoaImage:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buf, "PNG")
    image = LoaImage(title=title, description=f"Mô tả {title}", credit="Sở VHTTDL")
    image.file = ImageFile(buf, name=f"{title.replace(' ', '-')}.png")
    image.save()
    return image


def publish(parent, page):
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


@pytest.fixture
def home(db):
    """The site's home page (the smallest public site: no demo users or stations)."""
    home = Page.get_first_root_node().add_child(
        instance=HomePage(title="Loa — Bình Phước", slug="trang-chu")
    )
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={"hostname": "localhost", "root_page": home, "site_name": "Loa"},
    )
    province = Unit.objects.create(code="bp", name="Bình Phước", level="province")
    district = Unit.objects.create(
        code="dx", name="Đồng Xoài", level="district", parent=province
    )
    Unit.objects.create(code="dx-tp", name="Tân Phú", level="commune", parent=district)
    return home


@pytest.fixture
def library(home):
    """The content library the items are filed in."""
    return publish(home, LibraryIndexPage(title="Thư viện nội dung", slug="thu-vien"))


@pytest.fixture
def poster(library):
    return publish(
        library,
        PosterPage(
            title="Quyền con người", slug="quyen", image=make_image(title="poster")
        ),
    )


@pytest.fixture
def photo(library):
    return publish(
        library,
        PhotoPage(title="Ảnh tư liệu", slug="anh", image=make_image(title="photo")),
    )


@pytest.fixture
def exhibition(home):
    commune = Unit.objects.filter(level=Unit.Level.COMMUNE).order_by("code").first()
    today = timezone.localdate()
    page = ExhibitionPage(
        title="Triển lãm lưu động",
        slug="trien-lam",
        start_date=today,
        end_date=today + timedelta(days=60),
    )
    for i in range(3):
        page.exhibits.add(
            Exhibit(
                image=make_image(title=f"tranh {i}"),
                alt_text=f"Tranh số {i}",
                caption=f"Chú thích {i}",
                section="Phần một" if i < 2 else "Phần hai",
                is_poster=i == 0,
            )
        )
    page.stops.add(
        ExhibitionStop(
            commune=commune,
            venue="Nhà văn hoá xã",
            start_date=today + timedelta(days=3),
            end_date=today + timedelta(days=5),
        )
    )
    return publish(home, page)
