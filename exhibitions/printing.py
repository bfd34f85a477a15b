"""Print-ready poster PDFs for local print shops: the image centred on an A3 or A2
sheet at the resolution the original allows, with a warning when that is too low."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from PIL import Image, ImageOps

MM_PER_INCH = 25.4
# (short side, long side) in millimetres.
PAPER_SIZES: dict[str, tuple[int, int]] = {"a3": (297, 420), "a2": (420, 594)}
# Below this, print shops refuse or the poster looks blurred at reading distance.
MIN_PRINT_DPI = 100
# At or above this, a poster read from a metre or more looks sharp.
GOOD_PRINT_DPI = 150


@dataclass(frozen=True)
class PrintOption:
    paper: str
    dpi: int
    landscape: bool

    @property
    def available(self) -> bool:
        return self.dpi >= MIN_PRINT_DPI

    @property
    def warning(self) -> bool:
        """Printable, but softer than a poster should be."""
        return self.available and self.dpi < GOOD_PRINT_DPI

    @property
    def label(self) -> str:
        return self.paper.upper()


def print_options(width_px: int, height_px: int) -> list[PrintOption]:
    """The resolution an image would print at on each paper size, fitted inside it."""
    landscape = width_px > height_px
    options = []
    for paper, (short_mm, long_mm) in PAPER_SIZES.items():
        w_mm, h_mm = (long_mm, short_mm) if landscape else (short_mm, long_mm)
        dpi = min(width_px / (w_mm / MM_PER_INCH), height_px / (h_mm / MM_PER_INCH))
        options.append(PrintOption(paper=paper, dpi=int(dpi), landscape=landscape))
    return options


def print_pdf_path(image, paper: str) -> Path:
    """Where the PDF of this original (by content hash) at this size is kept: under
    the private root, since only the print view (which checks the poster is public)
    serves it, and it outlives the poster's publication."""
    key = image.sha256[:16] or f"id{image.pk}"
    return Path(settings.LOA_PRIVATE_ROOT) / "print" / f"{image.pk}-{key}-{paper}.pdf"


def render_print_pdf(image, paper: str) -> Path:
    """Write (once) the PDF of `image` centred on `paper`, and return its path.

    The sheet is made at the image's own fitted resolution, so the original's pixels
    are embedded unscaled; white margins fill the difference in aspect ratio.
    """
    if paper not in PAPER_SIZES:
        raise ValueError(f"unknown paper size {paper!r}")
    out = print_pdf_path(image, paper)
    if out.exists():
        return out
    from media_pipeline.stills import to_srgb

    with image.open_file() as f, Image.open(f) as src:
        picture = to_srgb(ImageOps.exif_transpose(src))
    option = next(
        o for o in print_options(picture.width, picture.height) if o.paper == paper
    )
    if not option.available:
        raise ValueError(f"{picture.width}x{picture.height} is too small for {paper}")
    short_mm, long_mm = PAPER_SIZES[paper]
    w_mm, h_mm = (long_mm, short_mm) if option.landscape else (short_mm, long_mm)
    dpi = min(
        picture.width / (w_mm / MM_PER_INCH), picture.height / (h_mm / MM_PER_INCH)
    )
    sheet_w = max(picture.width, round(w_mm / MM_PER_INCH * dpi))
    sheet_h = max(picture.height, round(h_mm / MM_PER_INCH * dpi))
    sheet = Image.new("RGB", (sheet_w, sheet_h), "white")
    sheet.paste(
        picture, ((sheet_w - picture.width) // 2, (sheet_h - picture.height) // 2)
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".part")
    # Pillow embeds RGB as JPEG: keep it near-lossless for print.
    sheet.save(tmp, "PDF", resolution=dpi, quality=95, subsampling=0)
    tmp.replace(out)
    return out
