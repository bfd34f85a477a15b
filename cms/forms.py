"""Admin page form: slugs from Vietnamese titles stay readable ASCII."""

from __future__ import annotations

from wagtail.admin.forms import WagtailAdminPageForm

from .text import vn_slugify


def _is_subsequence(short: str, full: str) -> bool:
    letters = iter(full)
    return all(c in letters for c in short)


def looks_mangled(slug: str, proper: str) -> bool:
    """True when `slug` is a lossy transliteration of the title whose good slug is `proper`.

    Wagtail's admin JS drops Vietnamese letters it has no mapping for ("dng-xoai")
    or applies the Serbian map to đ ("djong-xoai"). Such a slug has the same words
    as the proper one, each a subsequence of it; a slug an editor typed on purpose
    almost never does.
    """
    if not slug or slug == proper:
        return False
    words, proper_words = slug.split("-"), proper.split("-")
    if len(words) != len(proper_words):
        return False
    return all(
        _is_subsequence(w.replace("dj", "d"), p)
        for w, p in zip(words, proper_words, strict=True)
    )


class LoaPageForm(WagtailAdminPageForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:
            # An empty slug is filled from the title in clean().
            self.fields["slug"].required = False

    def clean(self):
        title = self.cleaned_data.get("title") or ""
        slug = self.cleaned_data.get("slug") or ""
        proper = vn_slugify(title)
        if proper and (not slug or looks_mangled(slug, proper)):
            self.cleaned_data["slug"] = proper
            self.instance.slug = proper
        return super().clean()
