"""Search that ignores Vietnamese diacritics.

Wagtail's database backend (SQLite FTS5, PostgreSQL tsvector) does not fold
diacritics the same way on every database. Loa's pages index a folded copy of their
text (`folded_text`), and this backend folds page queries, so "quyen con nguoi" and
"quyền con người" find the same items on both databases.
"""

from __future__ import annotations

from functools import cache

from modelsearch.backends.database import SearchBackend as database_backend
from modelsearch.query import Phrase, PlainText
from wagtail.models import Page

from .text import fold


class FoldingMixin:
    def _fold(self, query, model_or_queryset):
        model = getattr(model_or_queryset, "model", model_or_queryset)
        if not issubclass(model, Page):
            return query
        if isinstance(query, str):
            return fold(query)
        # The admin parses the search box into query objects first.
        if isinstance(query, PlainText):
            return PlainText(
                fold(query.query_string), operator=query.operator, boost=query.boost
            )
        if isinstance(query, Phrase):
            return Phrase(fold(query.query_string))
        return query

    def search(self, query, model_or_queryset, *args, **kwargs):
        query = self._fold(query, model_or_queryset)
        return super().search(query, model_or_queryset, *args, **kwargs)

    def autocomplete(self, query, model_or_queryset, *args, **kwargs):
        query = self._fold(query, model_or_queryset)
        return super().autocomplete(query, model_or_queryset, *args, **kwargs)


@cache
def _folding_class(base: type) -> type:
    return type(f"Folding{base.__name__}", (FoldingMixin, base), {})


def SearchBackend(params):  # noqa: N802 - the name Wagtail looks up in a module
    """The database backend for the current database, with folded page queries."""
    backend = database_backend(params)
    return _folding_class(type(backend))(params)
