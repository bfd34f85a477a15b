"""What a renderer works from, with or without the database.

The site builds a `Source` from a LoaMedia/LoaImage (services/); the transcode
command builds it from a path. Renderers only ever see this.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .probe import ProbeResult


class RenderError(ValueError):
    """A rendition cannot be made; `code` picks the editor's message."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(detail or code)
        self.code = code
        self.detail = detail


@dataclass
class Source:
    path: Path
    probe: ProbeResult = field(default_factory=ProbeResult)
    # SRT or WebVTT for the item (burned in for boards, a track for the web).
    captions_path: Path | None = None
    # Slideshows: the pictures in order, an optional narration and caption line.
    images: list[Path] = field(default_factory=list)
    narration_path: Path | None = None
    caption_text: str = ""

    @property
    def duration(self) -> float | None:
        return self.probe.duration
