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
