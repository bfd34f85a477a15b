"""Vietnamese text handling: ASCII slugs, diacritic folding for search, sort keys."""

from __future__ import annotations

import unicodedata

from django.utils.text import slugify

# đ/Đ are letters of their own, not d + a mark, so NFKD does not strip them.
_SPECIAL = str.maketrans({"đ": "d", "Đ": "D"})


def fold(text: str) -> str:
    """'Quyền con người' → 'quyen con nguoi' (lowercase, no diacritics)."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_SPECIAL))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def vn_slugify(text: str, max_length: int = 80) -> str:
    """Readable ASCII slug: 'Đồng Xoài' → 'dong-xoai'."""
    return slugify(fold(text))[:max_length].strip("-")


# Vietnamese alphabet order: a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y,
# then tones (none, grave, hook, tilde, acute, dot) as a secondary key.
_ALPHABET = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
_BASE_RANK = {c: i for i, c in enumerate(_ALPHABET)}
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_LETTER_MARKS = {
    "\u0306",
    "\u0302",
    "\u031b",
}  # breve, circumflex, horn: part of the letter


def vn_sort_key(text: str) -> tuple:
    primary, tones = [], []
    for ch in text.lower():
        parts = unicodedata.normalize("NFD", ch)
        base = parts[0]
        letter = unicodedata.normalize(
            "NFC", base + "".join(m for m in parts[1:] if m in _LETTER_MARKS)
        )
        tone = next((_TONES[m] for m in parts[1:] if m in _TONES), 0)
        primary.append(_BASE_RANK.get(letter, 100 + ord(letter[0])))
        tones.append(tone)
    return (tuple(primary), tuple(tones))
