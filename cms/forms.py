"""Admin page form: slugs from Vietnamese titles stay readable ASCII."""

from __future__ import annotations

from collections import defaultdict

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.widgets import SlugInput

from loa.textsafe import has_control_characters

from .text import fold, vn_slugify


def _vietnamese_formatters() -> list[tuple[str, str]]:
    """Regex replacements Wagtail's slug JS applies before it slugifies: every
    Vietnamese letter with marks (and đ) to its base letter, so the editor sees
    'dong-xoai' while typing 'Đồng Xoài' instead of a mangled slug."""
    groups: dict[str, list[str]] = defaultdict(list)
    for code in [*range(0xC0, 0x250), *range(0x1EA0, 0x1F00)]:
        char = chr(code)
        base = fold(char)
        if len(base) == 1 and base.isascii() and base.isalpha() and char != base:
            groups[base].append(char)
    return [(f"[{''.join(chars)}]", base) for base, chars in sorted(groups.items())]


VIETNAMESE_SLUG_FORMATTERS = _vietnamese_formatters()


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
            self.fields["slug"].widget = SlugInput(
                locale=getattr(self.instance, "locale", None),
                formatters=VIETNAMESE_SLUG_FORMATTERS,
            )

    def clean(self):
        title = self.cleaned_data.get("title") or ""
        if has_control_characters(title):
            # Titles travel into playlists, calendars and spreadsheets, where a
            # line break starts a new entry.
            self.add_error(
                "title",
                _(
                    "A title must be one line, without tabs or other control characters."
                ),
            )
            title = ""
        slug = self.cleaned_data.get("slug") or ""
        proper = vn_slugify(title)
        if proper and (not slug or looks_mangled(slug, proper)):
            self.cleaned_data["slug"] = proper
            self.instance.slug = proper
        elif not slug and "slug" in self.fields and not self.has_error("slug"):
            # Nothing in the title to make a slug from: the editor must give one.
            self.add_error("slug", self.fields["slug"].error_messages["required"])
        return super().clean()


class RadioItemPageForm(LoaPageForm):
    """A radio item may be typed instead of uploaded: saving text makes its audio."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "voice" in self.fields:
            from media_pipeline.speech import available_voices

            voices = available_voices()
            self.fields["voice"] = forms.ChoiceField(
                label=self.fields["voice"].label,
                choices=[(k, v.label) for k, v in voices.items()],
                initial=getattr(self.instance, "voice", "") or next(iter(voices)),
                required=False,
            )

    def clean(self):
        cleaned = super().clean()
        from media_pipeline.speech.backends import MAX_CHARACTERS

        text = (cleaned.get("speech_text") or "").strip()
        if len(text) > MAX_CHARACTERS:
            self.add_error(
                "speech_text",
                _("The text is too long to read: %(n)s characters (at most %(max)s).")
                % {"n": len(text), "max": MAX_CHARACTERS},
            )
        return cleaned

    def save(self, commit=True):
        page = super().save(commit=False)
        from .services import announcement_speech_sync

        announcement_speech_sync(page=page, user=self.for_user)
        if commit:
            page.save()
        return page
