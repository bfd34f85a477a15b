"""Timed captions from written text, timed by the synthesis itself.

Each sentence is spoken on its own and its real duration measured from the WAV it
made; the pieces are joined and each cue runs from the sum of the pieces before it.
No aligner, no estimate: the cue times are the sample positions of the join.
"""

from __future__ import annotations

import os
import re
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from .backends import MAX_CHARACTERS, SpeechError, Voice, synthesise
from .normalise import normalise

# A sentence ends at . ! ? … (and any closing quote or bracket) before a space, or
# at a line end. "1.500", "2.5%" and "111/KH-UBND" have no space after the point.
_END = re.compile(r"(?<=[.!?…])[\"'”’)\]]*\s+|\n+")
_SPEAKABLE = re.compile(r"\w")


@dataclass(frozen=True)
class Cue:
    start: float  # seconds
    end: float
    text: str


def sentences(text: str) -> list[str]:
    """The text's sentences as written, in order; pieces with nothing to say dropped."""
    parts = (" ".join(p.split()) for p in _END.split(text or ""))
    return [p for p in parts if _SPEAKABLE.search(p)]


def synthesise_with_cues(text: str, voice: Voice, output: Path) -> list[Cue]:
    """Write `text` spoken by `voice` to the WAV `output`, one sentence at a time,
    and return one cue per sentence (the written text, timed by the audio)."""
    if len((text or "").strip()) > MAX_CHARACTERS:
        raise SpeechError(
            _("The text is too long to read: %(n)s characters (at most %(max)s).")
            % {"n": len(text.strip()), "max": MAX_CHARACTERS}
        )
    parts = sentences(text)
    if not parts:
        raise SpeechError(_("There is no text to read."))
    output = Path(output)
    cues: list[Cue] = []
    with tempfile.TemporaryDirectory(dir=output.parent) as tmp:
        joined = Path(tmp) / "joined.wav"
        params, frames, start = None, 0, 0.0
        with wave.open(str(joined), "wb") as out:
            for n, sentence in enumerate(parts):
                piece = synthesise(normalise(sentence), voice, Path(tmp) / f"{n}.wav")
                with wave.open(str(piece), "rb") as w:
                    if params is None:
                        params = w.getparams()
                        out.setparams(params)
                    elif w.getparams()[:3] != params[:3]:
                        raise SpeechError(
                            _("The speech program changed its audio format mid-text.")
                        )
                    out.writeframes(w.readframes(w.getnframes()))
                    frames += w.getnframes()
                # Times from the frame count, so rounding never accumulates.
                end = frames / params.framerate
                cues.append(Cue(start, end, sentence))
                start = end
        os.replace(joined, output)
    return cues


def _timestamp(seconds: float) -> str:
    ms = round(seconds * 1000)
    h, ms = divmod(ms, 3_600_000)
    m, ms = divmod(ms, 60_000)
    s, ms = divmod(ms, 1000)
    return f"{h:02d}:{m:02d}:{s:02d},{ms:03d}"


def cues_srt(cues: list[Cue]) -> str:
    """Cues as SRT. The writer owns SRT's escaping: each cue's text is one line (a
    blank line would end the cue), and angle brackets are replaced so no text can
    read as a tag or a timing arrow."""
    blocks = []
    for n, cue in enumerate(cues, start=1):
        line = " ".join(cue.text.split()).replace("<", "‹").replace(">", "›")
        blocks.append(
            f"{n}\n{_timestamp(cue.start)} --> {_timestamp(cue.end)}\n{line}\n"
        )
    return "\n".join(blocks)
