"""Renderers for non-audio profiles, chosen by the profile's kind (data, not branches).

Audio profiles are rendered together in audio.py; each entry here renders one output.
A renderer takes (profile, Source, output path) and returns profile-specific extras
for the job (size, poster frame, caption track, ...).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .profiles import Profile
from .slideshow import render_slideshow
from .source import RenderError, Source
from .stills import render_still
from .video import render_video

Renderer = Callable[..., dict]

RENDERERS: dict[str, Renderer] = {
    "still": render_still,
    "video": render_video,
    "slideshow": render_slideshow,
}


def render_for_kind(
    profile: Profile, src: Source, out: Path, *, timeout: float, on_progress=None
) -> dict:
    try:
        renderer = RENDERERS[profile.kind]
    except KeyError:
        raise RenderError(
            "internal", f"no renderer for profile kind {profile.kind!r}"
        ) from None
    return renderer(profile, src, out, timeout=timeout, on_progress=on_progress)
