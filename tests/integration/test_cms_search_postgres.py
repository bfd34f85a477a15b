"""On PostgreSQL (tsvector, no unaccent), search still ignores Vietnamese diacritics
both ways, because Loa's pages index a folded copy and page queries are folded."""

import pytest
from django.db import connection

from cms.models import RadioItemPage

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("query", ["quyen con nguoi", "quyền con người"])
def test_postgres_search_ignores_diacritics_both_ways(demo, query):
    if connection.vendor != "postgresql":
        pytest.skip("needs DATABASE_URL pointing at PostgreSQL")
    for title in ("Quyền con người trong Hiến pháp", "Quyen con nguoi o vung cao"):
        page = demo.add_child(instance=RadioItemPage(title=title, format="news"))
        page.save_revision().publish()
    demo.add_child(instance=RadioItemPage(title="Phòng chống thiên tai", format="news"))
    found = {p.title for p in RadioItemPage.objects.search(query)}
    assert found == {"Quyền con người trong Hiến pháp", "Quyen con nguoi o vung cao"}
    auto = {p.title for p in RadioItemPage.objects.autocomplete(query[:-3])}
    assert "Quyền con người trong Hiến pháp" in auto
