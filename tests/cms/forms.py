"""Admin form data for library items, as Wagtail's editor posts it."""

from __future__ import annotations

from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text


def radio_item_form(title: str, *, slug: str = "", **fields) -> dict:
    data = {
        "title": title,
        "slug": slug,
        "format": "news",
        "summary": "",
        "transcript": rich_text(""),
        "credits": "",
        "rights": "",
        "tags": "",
        # The item's language versions (an inline): none unless given.
        "language_versions": inline_formset([]),
        **fields,
    }
    return nested_form_data(data)
