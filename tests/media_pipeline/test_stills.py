"""Stills for boards: sRGB, oriented, stripped, exact canvas; bombs and fakes fail."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageCms

from media_pipeline.pipeline import render_all
from media_pipeline.profiles import get_profile
from media_pipeline.source import RenderError, Source


def render(path, tmp_path):
    p = get_profile("ebulletin-still")
    out = tmp_path / "out.jpg"
    render_all(Source(path=path), [(p, out)])
    return Image.open(out)


def test_cmyk_poster_becomes_srgb_jpeg_on_exact_canvas(tmp_path):
    src = tmp_path / "poster.jpg"
    Image.new("CMYK", (400, 600), (0, 255, 255, 0)).save(src)  # CMYK red
    img = render(src, tmp_path)
    assert (img.format, img.mode, img.size) == ("JPEG", "RGB", (1920, 1080))
    icc = ImageCms.ImageCmsProfile(__import__("io").BytesIO(img.info["icc_profile"]))
    assert "sRGB" in ImageCms.getProfileDescription(icc)
    r, g, b = np.asarray(img)[540, 960]
    assert r > 180 and g < 90 and b < 90


def test_exif_orientation_is_applied_and_gps_stripped(tmp_path):
    src = tmp_path / "phone.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6  # stored sideways: rotate 90° clockwise to show
    exif[0x8825] = {1: "N", 2: (10.0, 45.0, 0.0)}  # GPS
    Image.new("RGB", (800, 400), "white").save(src, exif=exif)
    img = render(src, tmp_path)
    arr = np.asarray(img)
    # Shown upright it is 400x800 (portrait): fitted to 540x1080, black at the sides.
    assert arr[:, :600].max() < 20 and arr[540, 960].min() > 230
    assert not img.getexif()
    assert "exif" not in img.info


@pytest.mark.parametrize("mode", ["RGBA", "I;16"])
def test_alpha_and_16_bit_sources_convert(tmp_path, mode):
    src = tmp_path / "in.png"
    if mode == "RGBA":
        Image.new("RGBA", (300, 300), (0, 0, 255, 0)).save(src)
    else:
        Image.fromarray(np.full((300, 300), 40000, dtype=np.uint16)).save(src)
    img = render(src, tmp_path)
    assert img.mode == "RGB" and img.size == (1920, 1080)


def test_decompression_bomb_fails_before_decoding(tmp_path, settings):
    settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS = 1_000_000
    src = tmp_path / "bomb.png"
    Image.new("1", (5000, 5000)).save(src)  # tiny file, 25 megapixels
    assert src.stat().st_size < 100_000
    with pytest.raises(RenderError) as exc:
        render(src, tmp_path)
    assert exc.value.code == "image_too_large"


@pytest.mark.parametrize(
    "content",
    [
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>'
        b"alert(1)</script></svg>",
        b"<!DOCTYPE html><html><body>not a picture</body></html>",
    ],
    ids=["svg", "html"],
)
def test_svg_or_html_posing_as_an_image_fails(tmp_path, content):
    src = tmp_path / "poster.png"
    src.write_bytes(content)
    with pytest.raises(RenderError) as exc:
        render(src, tmp_path)
    assert exc.value.code == "not_image"
