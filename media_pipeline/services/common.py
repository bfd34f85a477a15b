"""What every part of the pipeline's database side shares: the editor's message for
each error code, and hashing files."""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.utils.translation import gettext_lazy as _

# What an editor reads when a job or ingest fails; the technical detail stays in the log.
ERROR_MESSAGES = {
    "empty": _("The file is empty."),
    "unreadable": _(
        "The file is not audio or video that can be read, or it is damaged."
    ),
    "no_streams": _("The file has no sound or picture in it."),
    "too_long": _("The recording is longer than the allowed maximum."),
    "silent": _("The recording is silent: there is nothing to broadcast."),
    "timeout": _("Processing took too long and was stopped."),
    "ffmpeg": _("Conversion failed. Technical staff can see the details in the log."),
    "missing_source": _("The original file is missing."),
    "not_image": _("The file is not an image that can be read."),
    "image_too_large": _("The image has too many pixels to process safely."),
    "worker_lost": _(
        "The worker processing this file stopped several times; the job was given up."
    ),
    "truncated": _(
        "The file is shorter than its header says: it is damaged or incomplete."
    ),
    "bad_captions": _("The captions file cannot be read as SRT or WebVTT."),
    "no_video": _("The file has no picture to make a video from."),
    "no_images": _("A slideshow needs at least one picture."),
    "loudness_missed": _(
        "The sound could not be brought to the stations' loudness standard. "
        "Technical staff can see the measured figures in the log."
    ),
    "internal": _("An unexpected error occurred. Technical staff have the details."),
}


def error_message(code: str):
    return ERROR_MESSAGES.get(code, ERROR_MESSAGES["internal"])


def sha256_file(path: str | Path, *, chunk: int = 1024 * 1024) -> str:
    """Stream the file through SHA-256; never holds it in memory."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(chunk), b""):
            h.update(block)
    return h.hexdigest()
