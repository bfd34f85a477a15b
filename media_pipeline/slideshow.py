"""Slideshows for boards that only play video: pictures → MP4 with moviepy.

Each picture is fitted onto the board's canvas with Pillow (oriented, sRGB, the
caption drawn in a Vietnamese-capable font), moviepy cross-fades them, and the
encode uses the same H.264 settings as the video profiles. A narration track is
normalised like any other audio and muxed in a second, copy-only step.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from PIL import Image, ImageDraw, ImageFont, ImageOps

from .audio import Gain, analyse
from .ffmpeg import ffmpeg_binary
from .fonts import vietnamese_font
from .probe import probe
from .profiles import Profile
from .source import RenderError, Source
from .stills import open_image, to_srgb
from .video import encoder_args, replace_sound

if TYPE_CHECKING:
    # Imported where a slideshow is made: a worker rendering only sound or video
    # keeps numpy (about 16 MB) out of memory.
    import numpy as np


def slide_frame(path: Path, profile: Profile, caption: str = "") -> np.ndarray:
    """One picture fitted (never stretched) on the canvas, caption along the bottom."""
    size = (profile.width, profile.height)
    with open_image(path) as img:
        img = to_srgb(ImageOps.exif_transpose(img))
        fitted = ImageOps.contain(img, size, Image.Resampling.LANCZOS)
    canvas = Image.new("RGB", size, profile.options.get("background", "#000000"))
    canvas.paste(
        fitted, ((size[0] - fitted.width) // 2, (size[1] - fitted.height) // 2)
    )
    if caption:
        _draw_caption(canvas, caption)
    import numpy as np

    return np.asarray(canvas)


def _draw_caption(canvas: Image.Image, text: str) -> None:
    w, h = canvas.size
    font = ImageFont.truetype(str(vietnamese_font(bold=True)), max(18, h // 22))
    draw = ImageDraw.Draw(canvas)
    box = draw.textbbox((0, 0), text, font=font)
    tw, th = box[2] - box[0], box[3] - box[1]
    x, y = (w - tw) // 2, h - th - h // 12
    pad = th // 2
    draw.rectangle((x - pad, y - pad, x + tw + pad, y + th + pad * 2), fill=(0, 0, 0))
    draw.text((x, y), text, font=font, fill=(255, 255, 255))


def render_slideshow(
    profile: Profile, src: Source, out: Path, *, timeout: float, on_progress=None
) -> dict:
    import numpy as np
    from moviepy import VideoClip
    from moviepy.video.io import ffmpeg_writer

    # moviepy reads its binary once, at import, from its own setting; point its
    # writer at the ffmpeg Loa chose, so slides are encoded like every other video.
    ffmpeg_writer.FFMPEG_BINARY = ffmpeg_binary()

    images = src.images or [src.path]
    if not images:
        raise RenderError("no_images", "a slideshow needs at least one picture")
    per = float(profile.options.get("seconds_per_slide", 6.0))
    fade = min(float(profile.options.get("crossfade", 1.0)), per / 2)
    if len(images) == 1:
        fade = 0.0
    frames = [slide_frame(Path(p), profile, src.caption_text) for p in images]
    step = per - fade
    total = step * (len(frames) - 1) + per

    def frame_at(t: float) -> np.ndarray:
        # Slide j starts at j*step, fading in over the end of slide j-1.
        j = min(int(t // step), len(frames) - 1)
        if fade and j > 0 and t < (j - 1) * step + per:
            a = min(1.0, max(0.0, (t - j * step) / fade))
            return (frames[j - 1] * (1 - a) + frames[j] * a).astype(np.uint8)
        return frames[j]

    # A frame function rather than composited clips: static slides cost nothing
    # and only the fades are computed (moviepy's compose would blend every frame).
    show = VideoClip(frame_at, duration=total)
    work = out.parent / f".{out.stem}-work"
    work.mkdir(parents=True, exist_ok=True)
    try:
        silent = work / "slides.mp4"
        params = encoder_args(profile)
        preset = params[params.index("-preset") + 1]
        # -c:v and -preset are moviepy's own arguments; moviepy pipes raw frames, so
        # the square-pixel flag is set here.
        params = params[4:] + ["-vf", "setsar=1"]
        show.write_videofile(
            str(silent),
            fps=profile.fps or 25,
            codec="libx264",
            preset=preset,
            audio=False,
            ffmpeg_params=params,
            logger=None,
        )
        if on_progress:
            on_progress(0.8)
        if src.narration_path:
            _mux_narration(profile, silent, Path(src.narration_path), out, timeout)
        else:
            shutil.move(silent, out)
    finally:
        show.close()
        shutil.rmtree(work, ignore_errors=True)
    return {"slides": len(images), "seconds_per_slide": per, "crossfade": fade}


def _mux_narration(
    p: Profile, video: Path, narration: Path, out: Path, timeout: float
) -> None:
    info = probe(narration)
    if not info.has_audio:
        raise RenderError("no_streams", "the narration has no sound")
    measured = analyse(narration, [p], duration=info.duration, timeout=timeout)
    gain = Gain.from_measurement(p, measured[p.name])
    # The pictures set the length; narration longer than them is cut.
    replace_sound(p, gain, picture=video, sound=narration, out=out, timeout=timeout)
