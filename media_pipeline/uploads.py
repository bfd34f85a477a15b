"""The one validation of an uploaded original, for every upload path: the
wagtailmedia form, the image form and the bulk upload (cms.services).

In order, each refusal a form error in the editor's language, before anything
is saved:
- size: at most LOA_MAX_UPLOAD_MB;
- content: what libmagic sniffs in the first bytes must be what the path expects
  (an HTML page named .mp3 is not audio);
- pictures: the memory decoding would take, read from the header without decoding,
  within LOA_IMAGE_DECODE_MB (a 516 KB PNG can hold 13,300 × 13,300 pixels).

Whether a real media file is usable (streams, duration, loudness) is decided by
the probe in a task, which does the full check without holding up the request.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

SNIFF_BYTES = 8192
MEDIA, IMAGE = "media", "image"

# Containers libmagic reports without an audio/ or video/ prefix.
_MEDIA_EXTRA = {
    "application/ogg",
    "application/octet-stream",  # raw AAC/AMR/MPEG streams libmagic cannot name
    "application/vnd.ms-asf",
    "application/x-matroska",
}
# Decoded pictures are held as RGBA (4 bytes a pixel) by the renditions and stills
# whatever the file's own mode: a 1-bit PNG still costs 4 bytes a pixel there.
DECODED_BYTES_PER_PIXEL = 4
MB = 1024 * 1024


def max_upload_bytes() -> int:
    return int(getattr(settings, "LOA_MAX_UPLOAD_MB", 2048)) * MB


def image_decode_budget() -> int:
    return int(getattr(settings, "LOA_IMAGE_DECODE_MB", 256)) * MB


def sniff(upload) -> str:
    """The MIME type libmagic sees in the upload's first bytes."""
    import magic

    pos = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(pos)
    if not head:
        return "inode/x-empty"
    return magic.from_buffer(head, mime=True)


def upload_check(upload, *, kind: str) -> None:
    """Refuse `upload` unless it is an acceptable `kind` ("media" for audio or
    video, "image") original. Raises ValidationError with a stable code."""
    size = getattr(upload, "size", None)
    if size is not None and size > max_upload_bytes():
        raise ValidationError(
            _("The file is %(size)d MB; the largest accepted is %(max)d MB."),
            code="too_large",
            params={"size": -(-size // MB), "max": max_upload_bytes() // MB},
        )
    mime = sniff(upload)
    if mime == "inode/x-empty":
        raise ValidationError(_("The file is empty."), code="empty")
    if kind == MEDIA:
        if not (mime.startswith(("audio/", "video/")) or mime in _MEDIA_EXTRA):
            raise ValidationError(
                _("This file is not audio or video (it looks like %(type)s)."),
                code="not_media",
                params={"type": mime},
            )
        return
    # SVG is XML that browsers execute: never accepted as a picture.
    if not mime.startswith("image/") or mime == "image/svg+xml":
        raise ValidationError(
            _("This file is not a picture (it looks like %(type)s)."),
            code="not_image",
            params={"type": mime},
        )
    _check_decode_budget(upload)


def _check_decode_budget(upload) -> None:
    """Read the picture's size from its header (Pillow decodes nothing on open)
    and refuse it when decoding would exceed LOA_IMAGE_DECODE_MB."""
    from PIL import Image, UnidentifiedImageError

    from .stills import register_heif

    register_heif()
    pos = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    try:
        with Image.open(upload) as img:
            width, height = img.size
    except Image.DecompressionBombError as exc:
        raise ValidationError(
            _("The image has too many pixels to process safely."),
            code="image_too_large",
        ) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(
            _("The file is not an image that can be read."), code="not_image"
        ) from exc
    finally:
        upload.seek(pos)
    need = width * height * DECODED_BYTES_PER_PIXEL
    if need > image_decode_budget():
        raise ValidationError(
            _(
                "The picture is %(width)d × %(height)d pixels: opening it would "
                "take about %(need)d MB of memory, more than the %(budget)d MB "
                "allowed. Reduce it and upload it again."
            ),
            code="image_too_large",
            params={
                "width": width,
                "height": height,
                "need": -(-need // MB),
                "budget": image_decode_budget() // MB,
            },
        )
