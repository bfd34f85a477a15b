"""Renderers for non-audio profiles, chosen by the profile's kind (data, not branches).

Audio profiles are rendered together in audio.py; each entry here renders one output.
A renderer returns profile-specific extras for the job (size, poster frame, ...).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .profiles import Profile
from .stills import render_still

Renderer = Callable[..., dict]

RENDERERS: dict[str, Renderer] = {
    "still": render_still,
}


def render_for_kind(
    profile: Profile, source, out: Path, *, timeout: float, on_progress=None
) -> dict:
    from .services import RenderError

    try:
        renderer = RENDERERS[profile.kind]
    except KeyError:
        raise RenderError(
            "internal", f"no renderer for profile kind {profile.kind!r}"
        ) from None
    return renderer(profile, source, out, timeout=timeout, on_progress=on_progress)
