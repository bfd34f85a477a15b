"""Speech synthesis backends behind one interface: text in, WAV file out.

- `espeak`: espeak-ng, offline, the tested default, with its Northern, Central and
  Southern Vietnamese voices.
- `command`: any command line the operator configures (Piper with a Vietnamese
  model, for one). `{text}` is a UTF-8 text file, `{output}` the WAV to write; if
  the command has no `{text}`, the text goes to its standard input.

Voices are data (settings `LOA_SPEECH_VOICES` may add or replace them), chosen per
item by key.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext_lazy as _

# Bounds a synthesis: a notice is minutes, never hours, of speech.
MAX_CHARACTERS = 20_000
TIMEOUT_SECONDS = 300


class SpeechError(RuntimeError):
    """Synthesis failed; the message is for the editor, `detail` for a technician."""

    def __init__(self, message: str, detail: str = ""):
        super().__init__(message)
        self.detail = detail


@dataclass(frozen=True)
class Voice:
    key: str
    label: str
    backend: str  # "espeak" | "command"
    # espeak: the espeak-ng voice name; command: the command line (shlex syntax).
    spec: str
    speed: int = 150  # words a minute, espeak only


DEFAULT_VOICES: tuple[Voice, ...] = (
    Voice("espeak-north", _("Northern voice (espeak-ng)"), "espeak", "vi"),
    Voice(
        "espeak-central", _("Central voice (espeak-ng)"), "espeak", "vi-vn-x-central"
    ),
    Voice("espeak-south", _("Southern voice (espeak-ng)"), "espeak", "vi-vn-x-south"),
)


def available_voices() -> dict[str, Voice]:
    """The configured voices by key: the espeak-ng ones plus LOA_SPEECH_VOICES."""
    from django.conf import settings

    voices = {v.key: v for v in DEFAULT_VOICES}
    for entry in getattr(settings, "LOA_SPEECH_VOICES", ()):
        voice = entry if isinstance(entry, Voice) else Voice(**entry)
        voices[voice.key] = voice
    return voices


def get_backend(voice: Voice):
    try:
        return {"espeak": _espeak, "command": _command}[voice.backend]
    except KeyError:
        raise SpeechError(
            _("The voice %(voice)s has an unknown backend.") % {"voice": voice.key},
            voice.backend,
        ) from None


def synthesise(text: str, voice: Voice, output: Path) -> Path:
    """Write `text` spoken by `voice` to the WAV file `output` (atomically)."""
    text = (text or "").strip()
    if not text:
        raise SpeechError(_("There is no text to read."))
    if len(text) > MAX_CHARACTERS:
        raise SpeechError(
            _("The text is too long to read: %(n)s characters (at most %(max)s).")
            % {"n": len(text), "max": MAX_CHARACTERS}
        )
    output = Path(output)
    with tempfile.TemporaryDirectory(dir=output.parent) as tmp:
        partial = Path(tmp) / "speech.wav"
        get_backend(voice)(text, voice, partial)
        _check_wav(partial)
        os.replace(partial, output)
    return output


def _run(argv: list[str], *, stdin: str | None = None) -> None:
    try:
        done = subprocess.run(
            argv,
            input=stdin.encode() if stdin is not None else None,
            capture_output=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
    except FileNotFoundError:
        raise SpeechError(
            _("The speech program %(program)s is not installed.") % {"program": argv[0]}
        ) from None
    except subprocess.TimeoutExpired:
        raise SpeechError(
            _("Speech synthesis took too long and was stopped.")
        ) from None
    if done.returncode != 0:
        lines = [ln for ln in done.stderr.decode(errors="replace").splitlines() if ln]
        raise SpeechError(
            _("Speech synthesis failed: %(reason)s")
            % {"reason": lines[-1] if lines else f"exit {done.returncode}"},
            done.stderr.decode(errors="replace")[-4000:],
        )


def _espeak(text: str, voice: Voice, output: Path) -> None:
    program = shutil.which("espeak-ng") or "espeak-ng"
    # Text on stdin: no argument length limit, nothing parsed as an option.
    _run(
        [program, "-v", voice.spec, "-s", str(voice.speed), "-w", str(output)],
        stdin=text,
    )


def _command(text: str, voice: Voice, output: Path) -> None:
    text_file = output.with_suffix(".txt")
    text_file.write_text(text, encoding="utf-8")
    argv = [
        part.replace("{text}", str(text_file)).replace("{output}", str(output))
        for part in shlex.split(voice.spec)
    ]
    _run(argv, stdin=None if "{text}" in voice.spec else text)


def _check_wav(path: Path) -> None:
    try:
        with wave.open(str(path), "rb") as w:
            frames = w.getnframes()
    except (FileNotFoundError, wave.Error, EOFError) as exc:
        raise SpeechError(
            _("The speech program wrote no usable WAV file."), str(exc)
        ) from None
    if frames == 0:
        raise SpeechError(_("The speech program wrote an empty recording."))
