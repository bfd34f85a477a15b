"""Search ignores Vietnamese diacritics both ways, in code, in the admin and on
the public site's search, on whichever database runs the tests."""

import pytest
from django.urls import reverse
from wagtail.models import Page

from cms.models import LibraryIndexPage, RadioItemPage

pytestmark = pytest.mark.django_db


@pytest.fixture
def items(library):
    def add(title, **fields):
        page = library.add_child(
            instance=RadioItemPage(title=title, format="news", **fields)
        )
        page.save_revision().publish()
        return page

    return {
        "accented": add("Quyền con người trong Hiến pháp"),
        "plain": add("Quyen con nguoi o vung cao"),
        "transcript": add(
            "Bản tin sáng", transcript="<p>Bảo đảm quyền bình đẳng giới</p>"
        ),
        "other": add("Phòng chống thiên tai"),
    }


def _titles(results) -> set[str]:
    return {p.title for p in results}


@pytest.mark.parametrize(
    "query", ["quyen con nguoi", "quyền con người", "QUYỀN CON NGƯỜI", "Quyen Con"]
)
def test_search_finds_titles_with_and_without_diacritics(items, query):
    found = _titles(RadioItemPage.objects.live().search(query))
    assert found == {"Quyền con người trong Hiến pháp", "Quyen con nguoi o vung cao"}


def test_search_folds_transcript_and_d_with_stroke(items):
    assert _titles(RadioItemPage.objects.search("binh dang")) == {"Bản tin sáng"}
    assert _titles(Page.objects.search("đẳng giới")) == {"Bản tin sáng"}


def test_autocomplete_ignores_diacritics(items):
    found = _titles(RadioItemPage.objects.autocomplete("quyen con ng"))
    assert "Quyền con người trong Hiến pháp" in found


def test_folders_are_found_without_diacritics(library):
    library.add_child(instance=LibraryIndexPage(title="Thư viện Đồng Xoài"))
    assert "Thư viện Đồng Xoài" in _titles(
        LibraryIndexPage.objects.search("thu vien dong xoai")
    )


@pytest.mark.parametrize("query", ["quyen con nguoi", "quyền con người"])
def test_admin_page_search_ignores_diacritics(admin_client, items, query):
    response = admin_client.get(reverse("wagtailadmin_pages:search"), {"q": query})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Quyền con người trong Hiến pháp" in html
    assert "Quyen con nguoi o vung cao" in html
    assert "Phòng chống thiên tai" not in html


def test_search_with_no_match_finds_nothing(items):
    assert not RadioItemPage.objects.search("xyzzy không có").count()
