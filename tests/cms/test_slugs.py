"""Slugs from Vietnamese titles are readable ASCII, in the admin and in code."""

import pytest
from django.urls import reverse

from cms.forms import looks_mangled
from cms.models import LibraryIndexPage, RadioItemPage
from tests.cms.forms import radio_item_form

pytestmark = pytest.mark.django_db


def _add_url(parent) -> str:
    return reverse("wagtailadmin_pages:add", args=("cms", "radioitempage", parent.pk))


@pytest.mark.parametrize(
    "posted_slug", ["", "dng-xoai", "djong-xoai", "ong-xoai"], ids=repr
)
def test_admin_turns_dong_xoai_into_dong_xoai(login, demo, posted_slug):
    # What Wagtail's JS or Django's slugify make of "Đồng Xoài", or no slug at all.
    client = login("admin")
    response = client.post(
        _add_url(demo), radio_item_form("Đồng Xoài", slug=posted_slug)
    )
    assert response.status_code == 302, response.context["form"].errors
    assert RadioItemPage.objects.get(title="Đồng Xoài").slug == "dong-xoai"


def test_admin_keeps_a_slug_the_editor_chose(login, demo):
    client = login("admin")
    client.post(_add_url(demo), radio_item_form("Đồng Xoài", slug="ban-tin-dx"))
    assert RadioItemPage.objects.get(title="Đồng Xoài").slug == "ban-tin-dx"


def test_page_created_in_code_without_slug_gets_vietnamese_slug(demo):
    page = demo.add_child(instance=LibraryIndexPage(title="Thư viện Bù Đăng mới"))
    assert page.slug == "thu-vien-bu-dang-moi"


def test_duplicate_vietnamese_title_gets_a_unique_slug(demo):
    first = demo.add_child(instance=LibraryIndexPage(title="Đắk Ơ"))
    second = demo.add_child(instance=LibraryIndexPage(title="Đắk Ơ"))
    assert first.slug == "dak-o"
    assert second.slug != first.slug and second.slug.startswith("dak-o")


@pytest.mark.parametrize(
    ("slug", "proper", "mangled"),
    [
        ("dng-xoai", "dong-xoai", True),
        ("djong-xoai", "dong-xoai", True),
        ("dong-xoai", "dong-xoai", False),
        ("xoai", "dong-xoai", False),
        ("tin-moi", "dong-xoai", False),
    ],
)
def test_looks_mangled_tells_lossy_transliterations_from_chosen_slugs(
    slug, proper, mangled
):
    assert looks_mangled(slug, proper) is mangled


def test_title_without_letters_and_no_slug_asks_for_a_slug(login, demo):
    response = login("admin").post(_add_url(demo), radio_item_form("!!!", slug=""))
    assert response.status_code == 200
    assert "slug" in response.context["form"].errors
    assert not RadioItemPage.objects.filter(title="!!!").exists()
