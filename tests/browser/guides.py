"""Where the offline walk (test_offline.py) saves the guides' screenshots."""

from __future__ import annotations

import os
from pathlib import Path

# The pictures the guides show (static/guides/vi/*.html), committed with Loa.
GUIDE_IMAGES = Path(__file__).resolve().parents[2] / "static" / "guides" / "img"
UPDATE_VARIABLE = "LOA_UPDATE_GUIDE_SCREENSHOTS"


def guide_pictures_dir(scratch: Path) -> Path:
    """The committed folder only when asked (LOA_UPDATE_GUIDE_SCREENSHOTS=1); else
    `scratch`, so an ordinary test run leaves the git tree as it found it (every run
    makes slightly different JPEGs: times, demo dates)."""
    if os.environ.get(UPDATE_VARIABLE, "") == "1":
        return GUIDE_IMAGES
    return scratch


def missing_committed_pictures(names: list[str]) -> list[str]:
    """Pictures the walk takes that no guide could show yet (none committed)."""
    return [name for name in names if not (GUIDE_IMAGES / f"{name}.jpg").is_file()]
