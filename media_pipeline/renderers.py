"""Renderers for non-audio profiles, chosen by the profile's kind (data, not branches).

Audio profiles are rendered together in audio.py; each entry here renders one output.
A renderer takes (profile, Source, output path) and returns profile-specific extras
for the job (size, poster frame, caption track, ...).
"""

from __future__ import annotations

import importlib
from pathlib import Path

from .profiles import Profile
from .source import RenderError, Source

# "module:function" in this package, imported on first use: stills load LittleCMS
# and slideshows FreeType, which a process that only renders sound (or serves
# pages) never needs in memory.
RENDERERS: dict[str, str] = {
    "still": "stills:render_still",
    "video": "video:render_video",
    "slideshow": "slideshow:render_slideshow",
}


def render_for_kind(
    profile: Profile, src: Source, out: Path, *, timeout: float, on_progress=None
) -> dict:
    try:
        module, name = RENDERERS[profile.kind].split(":")
    except KeyError:
        raise RenderError(
            "internal", f"no renderer for profile kind {profile.kind!r}"
        ) from None
    renderer = getattr(importlib.import_module(f".{module}", __package__), name)
    return renderer(profile, src, out, timeout=timeout, on_progress=on_progress)
