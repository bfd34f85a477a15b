"""Ingest of image originals: check, hash, then queue the board still."""

from __future__ import annotations

import os

from ..models import LoaImage
from ..source import RenderError
from .common import sha256_file
from .jobs import jobs_ensure


def image_ingest(*, image_id: int) -> LoaImage | None:
    """Check and hash an uploaded image, then queue its renditions.

    Opened through stills.open_image: HEIC understood, and the decompression-bomb
    guard (WAGTAILIMAGES_MAX_IMAGE_PIXELS) fails a tiny file that expands to
    gigapixels here instead of exhausting memory.
    """
    from ..stills import open_image

    image = LoaImage.objects.filter(pk=image_id).first()
    if image is None or not image.file:
        return None
    path = image.file.path
    try:
        # verify() must come straight after open(), so it gets its own open.
        with open_image(path) as img:
            img.verify()
        with open_image(path) as img:
            info = {
                "format": img.format,
                "mode": img.mode,
                "width": img.width,
                "height": img.height,
                "has_icc": bool(img.info.get("icc_profile")),
                "exif_orientation": img.getexif().get(0x0112),
            }
    except RenderError as exc:
        return _image_failed(image, exc.code, exc.detail)
    except (OSError, SyntaxError, ValueError) as exc:
        # verify() reports a damaged file this way.
        return _image_failed(image, "not_image", str(exc))
    image.sha256 = sha256_file(path)
    image.file_size = os.path.getsize(path)
    image.probe = {**info, "file_name": image.file.name}
    image.ingest_status = LoaImage.IngestStatus.READY
    image.ingest_error = ""
    image.save(
        update_fields=["sha256", "file_size", "probe", "ingest_status", "ingest_error"]
    )
    jobs_ensure(source=image)
    return image


def _image_failed(image: LoaImage, code: str, detail: str) -> LoaImage:
    image.ingest_status = LoaImage.IngestStatus.FAILED
    image.ingest_error = code
    image.probe = {"file_name": image.file.name, "error": detail[-2000:]}
    image.save(update_fields=["ingest_status", "ingest_error", "probe"])
    return image
