"""Text from users made safe for the files Loa writes.

One owner for the rule: every writer (M3U, ICS, CSV, XLSX, the log) passes user text
through here, whatever the form upstream allowed, because a title with a newline
becomes a playlist entry and a cell starting with "=" becomes a formula.
"""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# C0/C1 controls (newlines and tabs included) and the Unicode line/paragraph
# separators: anything that could start a new line or record in a text format.
_BREAKS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u0085]+")
_SPACES = re.compile(r"\s{2,}")

# A spreadsheet treats a cell starting with these as a formula (OWASP CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def single_line(value: object) -> str:
    """NFC text on one line: control characters become spaces, runs collapse."""
    text = unicodedata.normalize("NFC", "" if value is None else str(value))
    return _SPACES.sub(" ", _BREAKS.sub(" ", text)).strip()


def has_control_characters(value: str) -> bool:
    """Whether a form should refuse this text as a title, caption or reason."""
    return bool(_BREAKS.search(value or ""))


def validate_single_line(value: str) -> None:
    """Django validator for titles, captions and other one-line text (model fields
    and forms): refuses line breaks, tabs and other control characters."""
    if has_control_characters(value):
        raise ValidationError(
            _("This text must be one line, without tabs or other control characters."),
            code="control_characters",
        )


def spreadsheet_text(value: object) -> str:
    """One-line cell text no spreadsheet will evaluate: a leading `'` before a formula.

    The raw text is checked too, so a leading tab or CR (removed by single_line) is
    still treated as the formula start it would be.
    """
    raw = "" if value is None else str(value)
    text = single_line(raw)
    if raw.startswith(FORMULA_PREFIXES) or text.startswith(FORMULA_PREFIXES):
        text = "'" + text
    return text
