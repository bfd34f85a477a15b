"""What the media pipeline needs from the machine, and what it found.

One list of findings serves both the system check (`manage.py check`) and
`manage.py media_doctor`, so the two never disagree.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from .ffmpeg import ffmpeg_choice

# Less free scratch space than this, and a long video's job may not fit.
MIN_SCRATCH_BYTES = 2 * 1024**3

OK, NOTE, WARNING, ERROR = "ok", "note", "warning", "error"


@dataclass(frozen=True)
class Finding:
    level: str  # OK | NOTE | WARNING | ERROR
    topic: str
    text: str
    check_id: str = ""  # "media_pipeline.W001" for the system check


def findings() -> list[Finding]:
    return [*_ffmpeg(), *_ffprobe(), *_fonts(), *_espeak(), *_scratch()]


def _ffmpeg() -> list[Finding]:
    choice = ffmpeg_choice()
    caps = choice.capabilities
    if caps.error:
        return [
            Finding(
                ERROR,
                "ffmpeg",
                _("%(binary)s cannot be used: %(error)s. Set LOA_FFMPEG.")
                % {"binary": choice.ffmpeg, "error": caps.error},
                "media_pipeline.E001",
            )
        ]
    out = [
        Finding(
            OK,
            "ffmpeg",
            f"{choice.ffmpeg} {caps.short_version} ({choice.reason})",
        )
    ]
    if missing := caps.missing():
        out.append(
            Finding(
                WARNING,
                "ffmpeg",
                _("%(binary)s lacks %(missing)s: some renditions will fail.")
                % {"binary": choice.ffmpeg, "missing": ", ".join(missing)},
                "media_pipeline.W001",
            )
        )
    if lacks := caps.lacks():
        out.append(
            Finding(
                NOTE,
                "ffmpeg",
                _("%(binary)s lacks %(lacks)s; Loa works around it.")
                % {"binary": choice.ffmpeg, "lacks": ", ".join(lacks)},
            )
        )
    return out


def _ffprobe() -> list[Finding]:
    choice = ffmpeg_choice()
    if not choice.ffprobe:
        # Not a check warning: probing from ffmpeg alone works (the bundled build
        # has no ffprobe), only less exactly for unusual files.
        return [
            Finding(
                NOTE,
                "ffprobe",
                _(
                    "No ffprobe (%(reason)s): files are probed by reading ffmpeg's output."
                )
                % {"reason": choice.ffprobe_reason},
            )
        ]
    try:
        first = subprocess.run(
            [choice.ffprobe, "-version"], capture_output=True, text=True, timeout=30
        ).stdout.splitlines()[0]
    except (OSError, subprocess.SubprocessError, IndexError):
        return [
            Finding(
                WARNING,
                "ffprobe",
                _("%(binary)s cannot be run.") % {"binary": choice.ffprobe},
                "media_pipeline.W002",
            )
        ]
    version = first.split()[2] if len(first.split()) > 2 else first
    return [
        Finding(OK, "ffprobe", f"{choice.ffprobe} {version} ({choice.ffprobe_reason})")
    ]


def _fonts() -> list[Finding]:
    from .fonts import vietnamese_font

    out = []
    for bold in (False, True):
        try:
            font = vietnamese_font(bold=bold)
        except ImportError:
            font = None
        if font is None or not Path(font).is_file():
            out.append(
                Finding(
                    WARNING,
                    "fonts",
                    _(
                        "No font for Vietnamese captions: install fonts-noto-core "
                        "or fonts-dejavu-core."
                    ),
                    "media_pipeline.W003",
                )
            )
            break
        out.append(Finding(OK, "fonts", str(font)))
    return out


def _espeak() -> list[Finding]:
    exe = shutil.which("espeak-ng")
    if not exe:
        return [
            Finding(
                NOTE,
                "espeak-ng",
                _("espeak-ng is not installed: the demo uses tones instead of speech."),
            )
        ]
    return [Finding(OK, "espeak-ng", exe)]


def _scratch() -> list[Finding]:
    root = Path(settings.LOA_PRIVATE_ROOT)
    scratch = root / "tmp"  # media_pipeline.services.work_dir
    where = scratch if scratch.exists() else root
    while not where.exists() and where != where.parent:
        where = where.parent
    free = shutil.disk_usage(where).free
    text = _("%(path)s: %(free).1f GB free") % {
        "path": scratch,
        "free": free / 1024**3,
    }
    if free < MIN_SCRATCH_BYTES:
        return [
            Finding(
                WARNING,
                "scratch",
                text + " " + _("(renditions of long videos may not fit)"),
                "media_pipeline.W004",
            )
        ]
    return [Finding(OK, "scratch", text)]


def system_check(app_configs=None, **kwargs):
    """Django system check: warnings and errors of `findings()`; notes as info."""
    from django.core import checks

    kinds = {WARNING: checks.Warning, ERROR: checks.Error}
    return [
        kinds[f.level](f.text, id=f.check_id) for f in findings() if f.level in kinds
    ]
