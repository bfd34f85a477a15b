"""The gallery searches the search index (the one the admin uses, which folds
Vietnamese diacritics), and reads one page of rows whatever the library's size."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cms.models import PosterPage, RadioItemPage
from exhibitions import selectors
from exhibitions.models import ExhibitionPage

from .conftest import publish

pytestmark = pytest.mark.django_db


def titles(client, **query) -> list[str]:
    response = client.get("/gallery/", query)
    assert response.status_code == 200
    return [card.page.title for card in response.context["results"].cards]


def test_gallery_search_finds_words_only_the_index_holds(client, library, settings):
    settings.LOA_PUBLIC_CACHE = False
    publish(
        library,
        RadioItemPage(
            title="Bản tin sáng",
            slug="ban-tin",
            format="news",
            transcript="<p>Hội nghị tập huấn về quyền trẻ em.</p>",
        ),
    )
    # The transcript is indexed (and folded) for the admin; the gallery asks the
    # same index.
    assert titles(client, q="tap huan") == ["Bản tin sáng"]
    assert titles(client, q="tập huấn") == ["Bản tin sáng"]


def test_gallery_search_folds_exhibitions_too(client, home, settings):
    settings.LOA_PUBLIC_CACHE = False
    publish(
        home,
        ExhibitionPage(
            title="Triển lãm Đường Hồ Chí Minh",
            slug="tl",
            description="<p>Tranh cổ động về quyền con người</p>",
        ),
    )
    assert titles(client, q="duong ho chi minh") == ["Triển lãm Đường Hồ Chí Minh"]
    assert titles(client, q="quyen con nguoi") == ["Triển lãm Đường Hồ Chí Minh"]


def _queries(client, **query) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/gallery/", query)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _rows_read(client, **query) -> int:
    """Rows the listing's queries bring back from the pages table."""
    with CaptureQueriesContext(connection) as ctx:
        client.get("/gallery/", query)
    rows = 0
    with connection.cursor() as cursor:
        for q in ctx.captured_queries:
            sql = q["sql"]
            if sql.startswith("SELECT") and "wagtailcore_page" in sql:
                cursor.execute(sql)
                rows += len(cursor.fetchall())
    return rows


def test_search_listing_runs_as_many_queries_at_60_items_as_at_6(
    client, library, settings, monkeypatch
):
    settings.LOA_PUBLIC_CACHE = False
    monkeypatch.setattr(selectors, "PER_PAGE", 5)

    def counts() -> tuple[int, ...]:
        # The first visit after a publication reads the filter options afresh; the
        # next ones take them from the cache.
        return (
            _queries(client),
            _queries(client),
            _queries(client, q="quyen"),
        )

    for i in range(6):
        publish(library, PosterPage(title=f"Quyền {i}", slug=f"q-{i}"))
    counts()  # the site and the page types, cached once per process
    publish(library, PosterPage(title="Quyền 6", slug="q-6"))
    small = counts()
    for i in range(7, 60):
        publish(library, PosterPage(title=f"Quyền {i}", slug=f"q-{i}"))
    assert counts() == small


def test_listing_reads_one_page_of_rows_not_the_whole_library(
    client, library, settings, monkeypatch
):
    settings.LOA_PUBLIC_CACHE = False
    monkeypatch.setattr(selectors, "PER_PAGE", 5)
    for i in range(40):
        publish(library, PosterPage(title=f"Tranh {i}", slug=f"t-{i}"))
    # One page of cards plus the filter options and a count, never all 40 rows.
    assert _rows_read(client) < 30


def test_filter_options_are_cached_until_the_next_publication(client, library):
    from django.utils import timezone

    def years() -> list[int]:
        response = client.get("/gallery/", {"page": 1})
        return response.context["results"].filter_options["years"]

    assert years() == []
    publish(library, PosterPage(title="Tranh mới", slug="moi"))
    assert years() == [timezone.localdate().year]


def _add_public_items(library, home, start: int, stop: int) -> None:
    """Items of every gallery type, published a minute apart, without revisions or
    search indexing (neither is what the listing reads)."""
    from datetime import timedelta

    from django.utils import timezone

    from cms.models import PhotoPage

    base = timezone.now() - timedelta(days=30)
    for i in range(start, stop):
        kind = i % 10
        if kind == 0:
            page, parent = ExhibitionPage(title=f"Triển lãm {i}", slug=f"tl-{i}"), home
        elif kind < 4:
            page, parent = PosterPage(title=f"Tranh {i}", slug=f"p-{i}"), library
        elif kind < 6:
            page, parent = PhotoPage(title=f"Ảnh {i}", slug=f"a-{i}"), library
        else:
            page = RadioItemPage(title=f"Tin {i}", slug=f"r-{i}", format="news")
            parent = library
        page.live = True
        page.first_published_at = page.last_published_at = base + timedelta(minutes=i)
        parent.add_child(instance=page)


def _database_work(client, **query) -> int:
    """The database's work for one cold listing (every cache emptied): SQLite
    virtual-machine steps, in hundreds. A count of work, not a time, so it does
    not depend on how loaded the machine is."""
    from django.core.cache import cache

    steps = [0]

    def tick() -> int:
        steps[0] += 1
        return 0

    cache.clear()
    connection.ensure_connection()
    raw = connection.connection
    raw.set_progress_handler(tick, 100)
    try:
        response = client.get("/gallery/", query)
    finally:
        raw.set_progress_handler(None, 100)
    assert response.status_code == 200
    return steps[0]


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="counts SQLite's virtual-machine steps"
)
def test_cold_listing_work_stays_flat_as_the_library_grows_tenfold(
    client, library, home, settings
):
    settings.LOA_PUBLIC_CACHE = False
    settings.WAGTAILSEARCH_BACKENDS = {
        name: {**conf, "AUTO_UPDATE": False}
        for name, conf in settings.WAGTAILSEARCH_BACKENDS.items()
    }
    _add_public_items(library, home, 0, 40)
    _database_work(client)  # the site and the page types, cached once per process
    small = _database_work(client)
    _add_public_items(library, home, 40, 400)
    large = _database_work(client)
    assert large <= small * 1.2, (small, large)
    # Still the newest first, and a next page to go to.
    response = client.get("/gallery/")
    cards = response.context["results"].cards
    assert [card.page.title for card in cards[:2]] == ["Tin 399", "Tin 398"]
    assert b'rel="next"' in response.content


def test_pages_link_both_ways_and_the_last_one_says_how_many(
    client, library, home, settings, monkeypatch
):
    settings.LOA_PUBLIC_CACHE = False
    monkeypatch.setattr(selectors, "PER_PAGE", 5)
    _add_public_items(library, home, 0, 12)
    pages = [client.get("/gallery/", {"page": n}) for n in (1, 2, 3)]
    results = [response.context["results"] for response in pages]
    assert [len(r.cards) for r in results] == [5, 5, 2]
    assert [r.count for r in results] == [None, None, 12]
    seen = [card.page.pk for r in results for card in r.cards]
    assert len(set(seen)) == 12
    first, middle, last = (response.content.decode() for response in pages)
    assert 'rel="next"' in first and 'rel="prev"' not in first
    assert 'rel="next"' in middle and 'rel="prev"' in middle
    assert 'rel="next"' not in last and "12 kết quả" in last
    assert "Trang 3" in last
    assert "kết quả" not in first  # not counted: that would read every item


@pytest.mark.parametrize("page", ["9", "99999999", "0", "-1", "1e3", "", "2.5"])
def test_a_page_number_past_the_end_or_not_a_number_shows_the_first_page(
    client, library, home, settings, monkeypatch, page
):
    settings.LOA_PUBLIC_CACHE = False
    monkeypatch.setattr(selectors, "PER_PAGE", 5)
    _add_public_items(library, home, 0, 7)
    response = client.get("/gallery/", {"page": page})
    assert response.status_code == 200
    results = response.context["results"]
    assert results.page.number == 1
    assert [card.page.title for card in results.cards][:1] == ["Tin 6"]
    assert results.page.has_next
