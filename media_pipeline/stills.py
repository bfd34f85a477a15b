"""Stills for e-bulletin boards: sRGB JPEG on the board's exact canvas."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageCms, ImageOps

from .profiles import Profile

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


def render_still(
    profile: Profile, source, out: Path, *, timeout: float, on_progress=None
) -> dict:
    """Fit the image (EXIF orientation applied) onto the profile's canvas, padded,
    never stretched; written without metadata (no GPS, no EXIF)."""
    with Image.open(source.file.path) as img:
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
