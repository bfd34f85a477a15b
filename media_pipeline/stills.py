"""Stills for e-bulletin boards: sRGB JPEG on the board's exact canvas."""

from __future__ import annotations

import functools
import io
from pathlib import Path

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from .profiles import Profile
from .source import RenderError, Source

_SRGB = ImageCms.createProfile("sRGB")


def to_srgb(img: Image.Image) -> Image.Image:
    """Convert any mode (CMYK, 16-bit, palette, alpha) to 8-bit sRGB RGB, honouring
    an embedded ICC profile."""
    icc = img.info.get("icc_profile")
    if icc:
        try:
            src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            mode = "RGB" if img.mode not in ("CMYK",) else "CMYK"
            img = ImageCms.profileToProfile(
                img.convert(mode), src, _SRGB, outputMode="RGB"
            )
        except (ImageCms.PyCMSError, OSError, ValueError):
            img = img.convert("RGB")
    if img.mode in ("I;16", "I;16B", "I;16L", "I"):
        img = img.point(lambda v: v / 256).convert("L")
    if img.mode in ("RGBA", "LA", "PA") or (
        img.mode == "P" and "transparency" in img.info
    ):
        rgba = img.convert("RGBA")
        base = Image.new("RGB", rgba.size, (255, 255, 255))
        base.paste(rgba, mask=rgba.getchannel("A"))
        return base
    return img.convert("RGB")


def open_image(path: Path) -> Image.Image:
    """Open an image with the decompression-bomb guard set from settings
    (WAGTAILIMAGES_MAX_IMAGE_PIXELS), HEIC included."""
    from django.conf import settings

    register_heif()
    limit = getattr(settings, "WAGTAILIMAGES_MAX_IMAGE_PIXELS", 200_000_000)
    # Pillow only warns below twice its limit; a bomb must fail, not warn.
    Image.MAX_IMAGE_PIXELS = limit // 2
    try:
        img = Image.open(path)
        if img.width * img.height > limit:
            img.close()
            raise RenderError("image_too_large", f"{img.width}x{img.height}")
        return img
    except Image.DecompressionBombError as exc:
        raise RenderError("image_too_large", str(exc)) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        if isinstance(exc, RenderError):
            raise
        raise RenderError("not_image", str(exc)) from exc


@functools.cache
def register_heif() -> None:
    from pillow_heif import register_heif_opener

    register_heif_opener()


def render_still(
    profile: Profile, src: Source, out: Path, *, timeout: float, on_progress=None
) -> dict:
    """Fit the image (EXIF orientation applied) onto the profile's canvas, padded,
    never stretched; written without metadata (no GPS, no EXIF)."""
    with open_image(src.path) as img:
        img = ImageOps.exif_transpose(img)
        img = to_srgb(img)
        canvas_size = (profile.width, profile.height)
        fitted = ImageOps.contain(img, canvas_size, Image.Resampling.LANCZOS)
        canvas = Image.new(
            "RGB", canvas_size, profile.options.get("background", "#000000")
        )
        canvas.paste(
            fitted,
            (
                (canvas_size[0] - fitted.width) // 2,
                (canvas_size[1] - fitted.height) // 2,
            ),
        )
        canvas.save(
            out,
            "JPEG",
            quality=profile.options.get("quality", 88),
            optimize=True,
            icc_profile=ImageCms.ImageCmsProfile(_SRGB).tobytes(),
        )
    return {"width": profile.width, "height": profile.height}
