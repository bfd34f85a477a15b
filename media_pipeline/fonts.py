"""A font that renders Vietnamese diacritics, for captions, posters and slides."""

from __future__ import annotations

import functools
from pathlib import Path

_CANDIDATES = (
    "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
)
_BOLD = (
    "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
)


@functools.cache
def vietnamese_font(bold: bool = False) -> Path:
    """System Noto Sans or DejaVu Sans when installed, else Open Sans from PyPI
    (ttf-opensans, a requirement), which covers Vietnamese too."""
    for p in _BOLD if bold else _CANDIDATES:
        if Path(p).exists():
            return Path(p)
    import ttf_opensans

    name = "OpenSans-Bold.ttf" if bold else "OpenSans-Regular.ttf"
    return Path(ttf_opensans.__file__).parent / "ttf" / name


@functools.cache
def font_family(path: Path) -> str:
    """The family name libass looks the font up by (e.g. "Noto Sans")."""
    from PIL import ImageFont

    return ImageFont.truetype(str(path), 12).getname()[0]
