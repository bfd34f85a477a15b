"""The public site stays fast: listings in a fixed number of queries, renditions made
at publication, whole pages cached until something is published."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cms.models import PhotoPage, PosterPage, RadioItemPage
from exhibitions import selectors
from exhibitions.models import Exhibit, ExhibitionPage
from media_pipeline.models import LoaImageRendition

from .conftest import make_image, publish

pytestmark = pytest.mark.django_db


def add_items(library, home, images, start: int, stop: int) -> None:
    """Items of every gallery type, sharing a few images (pages are what grow)."""
    for i in range(start, stop):
        image = images[i % len(images)]
        kind = i % 10
        if kind == 0:
            page = ExhibitionPage(title=f"Triển lãm {i}", slug=f"tl-{i}")
            page.exhibits.add(Exhibit(image=image, alt_text=f"Tranh {i}"))
            home.add_child(instance=page)
        elif kind < 4:
            library.add_child(
                instance=PosterPage(title=f"Tranh {i}", slug=f"p-{i}", image=image)
            )
        elif kind < 6:
            library.add_child(
                instance=PhotoPage(title=f"Ảnh {i}", slug=f"a-{i}", image=image)
            )
        else:
            library.add_child(
                instance=RadioItemPage(title=f"Tin {i}", slug=f"r-{i}", format="news")
            )


def listing_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/gallery/")
    assert response.status_code == 200
    return len(ctx.captured_queries), len(response.context["results"].cards)


def test_listing_500_items_runs_as_many_queries_as_listing_50(
    client, library, home, settings, monkeypatch
):
    settings.LOA_PUBLIC_CACHE = False
    # Indexing 500 pages for search is most of the setup time, and not under test.
    settings.WAGTAILSEARCH_BACKENDS = {
        name: {**conf, "AUTO_UPDATE": False}
        for name, conf in settings.WAGTAILSEARCH_BACKENDS.items()
    }
    # Everything on one page, so the count covers every card's page, image and
    # renditions, not just one page of 24.
    monkeypatch.setattr(selectors, "PER_PAGE", 1000)
    images = [make_image(title=f"hình {i}") for i in range(4)]
    add_items(library, home, images, 0, 50)
    client.get("/gallery/")  # makes the card renditions once
    queries_50, cards_50 = listing_queries(client)
    add_items(library, home, images, 50, 500)
    queries_500, cards_500 = listing_queries(client)
    assert (cards_50, cards_500) == (50, 500)
    assert queries_500 == queries_50
    assert queries_50 <= 20


def test_publishing_makes_the_renditions_a_visit_needs(
    client, library, home, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        poster = publish(
            library, PosterPage(title="Tranh", slug="tranh", image=make_image(400, 600))
        )
        page = ExhibitionPage(title="Triển lãm", slug="tl")
        page.exhibits.add(Exhibit(image=make_image(300, 200), alt_text="Tranh"))
        exhibition = publish(home, page)
    made = LoaImageRendition.objects.count()
    assert made > 0
    for url in [poster.url, exhibition.url, "/gallery/", "/"]:
        assert client.get(url).status_code == 200
    assert LoaImageRendition.objects.count() == made


def test_second_visit_is_served_from_the_cache(client, library):
    publish(library, RadioItemPage(title="Tin một", slug="mot", format="news"))
    first = client.get("/gallery/")
    second = client.get("/gallery/")
    assert first["X-Loa-Cache"] == "miss" and second["X-Loa-Cache"] == "hit"
    assert second.content == first.content
    assert "Content-Security-Policy" in second


def test_publishing_empties_the_cache(client, library):
    publish(library, RadioItemPage(title="Tin một", slug="mot", format="news"))
    assert b"Tin hai" not in client.get("/gallery/").content
    publish(library, RadioItemPage(title="Tin hai", slug="hai", format="news"))
    response = client.get("/gallery/")
    assert response["X-Loa-Cache"] == "miss"
    assert b"Tin hai" in response.content


def test_unpublishing_empties_the_cache(client, library):
    item = publish(library, RadioItemPage(title="Tin một", slug="mot", format="news"))
    assert b"Tin m" in client.get("/gallery/").content
    item.unpublish()
    assert "Tin một" not in client.get("/gallery/").content.decode()


def test_each_language_is_cached_separately(client, library):
    vi = client.get("/gallery/")
    client.cookies["django_language"] = "en"
    en = client.get("/gallery/")
    assert en["X-Loa-Cache"] == "miss"
    assert b'lang="en"' in en.content and b'lang="vi"' in vi.content


def test_signed_in_staff_are_never_served_cached_pages(admin_client, client, library):
    client.get("/gallery/")
    response = admin_client.get("/gallery/")
    assert "X-Loa-Cache" not in response


def test_exhibition_page_queries_do_not_grow_with_its_exhibits(client, home, settings):
    settings.LOA_PUBLIC_CACHE = False

    def exhibition(slug, count):
        page = ExhibitionPage(title=slug, slug=slug)
        for i in range(count):
            page.exhibits.add(
                Exhibit(image=make_image(title=f"{slug}{i}"), alt_text="x")
            )
        page = publish(home, page)
        client.get(page.url)  # renditions made once
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(page.url).status_code == 200
        return len(ctx.captured_queries)

    assert exhibition("nho", 2) == exhibition("lon", 12)
