"""Video renditions: e-bulletin boards (exact size, captions burned in) and the web
(≤ 720p, captions as a WebVTT track, poster frame).

One ffmpeg run encodes picture and sound. The audio is normalised the same way as
audio profiles (audio.py): an audio-only analysis decode and the limiter estimate
over excerpts, then gain and limiter in the encode. ffmpeg applies rotation metadata while decoding, so scaling works on
the picture as it is meant to be seen and the output carries no rotation.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from .audio import (
    MAX_CORRECTIONS,
    Gain,
    analyse,
    estimate_limiter_loss,
    gain_chain,
    in_tolerance,
    loudness_missed,
    meets_target,
    pre_filters,
)
from .ffmpeg import FFmpegError, ffmpeg_capabilities, run_ffmpeg
from .fonts import font_family, vietnamese_font
from .probe import Loudness, measure_loudness
from .profiles import Profile
from .source import RenderError, Source


def _scale_filters(p: Profile, src: Source) -> list[str]:
    # Square pixels first, so "fit" compares what the viewer sees.
    chain = ["scale=trunc(iw*sar/2)*2:ih,setsar=1"]
    if p.width and p.height:
        chain += [
            f"scale={p.width}:{p.height}:force_original_aspect_ratio=decrease"
            ":force_divisible_by=2:flags=lanczos",
            f"pad={p.width}:{p.height}:(ow-iw)/2:(oh-ih)/2:color=black",
        ]
    elif p.max_height:
        # "720p" bounds the shorter side, so a portrait phone clip stays sharp;
        # never upscaled.
        m = p.max_height
        chain.append(
            f"scale='if(gt(iw,ih),-2,min({m},iw))':'if(gt(iw,ih),min({m},ih),-2)'"
            ":flags=lanczos"
        )
    return chain + ["setsar=1"]


# One linear chain per output, by hand rather than with ffmpeg-python: it reads the
# same either way, and the subtitles filter's force_style and font path carry their
# own filtergraph escaping (_escape), which ffmpeg-python would escape again.
def video_filters(p: Profile, src: Source, captions: Path | None) -> str:
    # Frames flagged interlaced are always deinterlaced; a probe (idet) that found
    # interlacing without flags deinterlaces every frame.
    deint = "all" if src.probe.interlaced else "interlaced"
    chain = [f"bwdif=mode=send_frame:deint={deint}"]
    chain += _scale_filters(p, src)
    if captions is not None:
        chain.append(_subtitles_filter(p, captions))
    if p.fps:
        chain.append(f"fps={p.fps}")
    chain.append("format=yuv420p")
    return ",".join(chain)


def _subtitles_filter(p: Profile, captions: Path) -> str:
    font = vietnamese_font(bold=True)
    # Caption size follows the frame's shorter side: legible across a square.
    short = min(p.width or 1280, p.height or 720)
    size = max(16, round(short / 1080 * 20))
    style = (
        f"FontName={font_family(font)},FontSize={size},Outline=2,Shadow=0,"
        "Bold=1,BorderStyle=1,MarginV=40,Alignment=2"
    )
    # ffmpeg runs in the captions' folder, so the file name needs no escaping.
    return (
        f"subtitles=filename={captions.name}:fontsdir={_escape(font.parent)}"
        f":force_style='{style}'"
    )


def _escape(path: Path) -> str:
    """A path as a filter option value (filtergraph escaping of \\ : ' , ; [ ])."""
    out = str(path)
    for ch in "\\:',;[]":
        out = out.replace(ch, "\\" + ch)
    return out


def prepare_captions(captions_path: Path, into: Path, *, timeout: float) -> Path:
    """Check an SRT/WebVTT file by converting it (UTF-8 SRT for burning, WebVTT for
    the web). A file ffmpeg cannot read as subtitles fails the job clearly."""
    into.mkdir(parents=True, exist_ok=True)
    srt, vtt = into / "captions.srt", into / "captions.vtt"
    try:
        run_ffmpeg(["-i", str(captions_path), "-f", "srt", str(srt)], timeout=timeout)
        run_ffmpeg(["-i", str(srt), "-f", "webvtt", str(vtt)], timeout=timeout)
    except FFmpegError as exc:
        raise RenderError("bad_captions", exc.log or str(exc)) from exc
    if srt.stat().st_size == 0:
        raise RenderError("bad_captions", "no caption cues")
    return srt


def encoder_args(p: Profile) -> list[str]:
    """H.264 settings shared by every video profile (and by the benchmark)."""
    fps = p.fps or 25
    gop = int(round((p.gop_seconds or 2) * fps))
    bufsize = p.options.get("bufsize") or _double(p.maxrate)
    args = [
        "-c:v",
        "libx264",
        "-preset",
        p.options.get("preset", "medium"),
        "-crf",
        str(p.options.get("crf", 21)),
        "-profile:v",
        p.h264_profile or "high",
        "-level:v",
        p.h264_level or "4.1",
        "-pix_fmt",
        "yuv420p",
        # Closed GOP of a fixed length: every segment starts clean on boards that
        # loop or seek.
        "-g",
        str(gop),
        "-keyint_min",
        str(gop),
        "-sc_threshold",
        "0",
        "-flags",
        "+cgop",
        "-x264-params",
        "open-gop=0",
    ]
    if p.maxrate:
        args += ["-maxrate", p.maxrate, "-bufsize", bufsize]
    if p.fps:
        args += ffmpeg_capabilities().cfr_args() + ["-r", str(p.fps)]
    return args + ["-movflags", "+faststart"]


def _double(rate: str) -> str:
    num, unit = rate[:-1], rate[-1]
    if unit.isdigit():
        return str(int(rate) * 2)
    return f"{float(num) * 2:g}{unit}"


def render_video(
    profile: Profile, src: Source, out: Path, *, timeout: float, on_progress=None
) -> dict:
    """Encode one video profile. Returns extras: size, and for the web a poster
    frame and a WebVTT track (written next to `out`)."""
    if not src.probe.has_video:
        raise RenderError("no_video", "the source has no picture")
    # Scratch files live next to the output, inside the job's own folder, so the
    # job's cleanup (or a sweep after a kill) removes them too.
    work = out.parent / f".{out.stem}-work"
    work.mkdir(parents=True, exist_ok=True)
    try:
        return _render_video(profile, src, out, work, timeout, on_progress)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _render_video(p, src, out, work, timeout, on_progress) -> dict:
    extra: dict = {}
    captions = None
    if src.captions_path:
        srt = prepare_captions(Path(src.captions_path), work, timeout=timeout)
        if p.burn_captions:
            captions = srt
        else:
            track = out.with_name(out.stem + ".vtt")
            shutil.copyfile(work / "captions.vtt", track)
            extra["captions_vtt"] = track.name
    audio = src.probe.has_audio and p.loudness is not None

    def part(start, span):
        return (lambda f: on_progress(start + f * span)) if on_progress else None

    # Picture and sound in two graphs, not one: ffmpeg 7+ runs each graph in a
    # thread of its own, so the sound's limiter does not wait on the scaler.
    graphs = [f"[0:v:0]{video_filters(p, src, captions)}[v]"]
    if audio:
        measured = analyse(
            src.path,
            [p],
            duration=src.duration,
            timeout=timeout,
            on_progress=part(0, 0.1),
        )
        gain = Gain.from_measurement(p, measured[p.name])
        # Found before the encode, so speech rarely needs the sound-only redo.
        [gain] = estimate_limiter_loss(
            src.path, [p], {p.name: gain}, duration=src.duration, timeout=timeout
        ).values()
        graphs.append(f"[0:a:0]{sound_chain(p, gain)}[a]")
    args = ["-i", str(src.path)]
    for graph in graphs:
        args += ["-filter_complex", graph]
    args += ["-map", "[v]"]
    args += encoder_args(p)
    if audio:
        args += ["-map", "[a]", "-c:a", "aac", "-b:a", p.bitrate or "128k"]
        args += ["-ar", str(p.sample_rate or 48000)]
    else:
        args += ["-an"]
    args += ["-map_metadata", "-1", "-sn", "-dn", "-f", "mp4", str(out)]
    run_ffmpeg(
        args,
        timeout=timeout,
        duration=src.duration,
        on_progress=part(0.1 if audio else 0, 0.9 if audio else 1),
        cwd=work,
    )
    if audio:
        extra["loudness"] = _settle_loudness(p, src, out, gain, work, timeout)
    if p.options.get("poster_frame"):
        poster = out.with_name(out.stem + ".jpg")
        poster_frame(out, poster, at=min(2.0, (src.duration or 0) / 3), timeout=timeout)
        extra["poster"] = poster.name
    return extra


def _settle_loudness(
    p: Profile, src: Source, out: Path, gain: Gain, work: Path, timeout: float
) -> Loudness:
    """Measure the encoded sound; if the limiter cost too much loudness, redo the
    sound only (picture copied, not re-encoded) with the measured error corrected."""
    loud = measure_loudness(out, timeout=timeout)
    for _attempt in range(MAX_CORRECTIONS):
        if loud.integrated is None or in_tolerance(p, loud):
            break
        gain = gain.corrected(p, loud)
        fixed = work / f"fixed{out.suffix}"
        replace_sound(p, gain, picture=out, sound=src.path, out=fixed, timeout=timeout)
        fixed.replace(out)
        loud = measure_loudness(out, timeout=timeout)
    if loud.integrated is not None and not meets_target(p, loud):
        raise loudness_missed(p, loud, passes=1 + MAX_CORRECTIONS)
    return loud


def sound_chain(p: Profile, gain: Gain) -> str:
    """The sound filters of a video profile: its own, the gain and limiter found
    for this source, and the output rate."""
    rate = p.sample_rate or 48000
    return ",".join(
        pre_filters(p) + gain_chain(p, gain, rate=rate) + [f"aresample={rate}"]
    )


def replace_sound(
    p: Profile, gain: Gain, *, picture: Path, sound: Path, out: Path, timeout: float
) -> None:
    """`picture`'s video stream copied, not re-encoded, with the first sound stream
    of `sound` through the profile's chain; the shorter of the two sets the length.
    Used to redo only the sound of a rendition and to lay narration under slides.

    By hand rather than with ffmpeg-python, like every graph here: the chain is
    profile data, filter strings ("highpass=f=120") that ffmpeg-python would have to
    take apart into arguments only to escape and join them again."""
    run_ffmpeg(
        ["-i", str(picture), "-i", str(sound)]
        + ["-filter_complex", f"[1:a:0]{sound_chain(p, gain)}[a]"]
        + ["-map", "0:v:0", "-map", "[a]", "-c:v", "copy", "-c:a", "aac"]
        + ["-b:a", p.bitrate or "128k", "-ar", str(p.sample_rate or 48000)]
        + ["-shortest", "-map_metadata", "-1", "-movflags", "+faststart", str(out)],
        timeout=timeout,
    )


def poster_frame(video: Path, out: Path, *, at: float, timeout: float) -> Path:
    """A JPEG of one frame of the rendition (already upright and scaled)."""
    run_ffmpeg(
        ["-ss", f"{at:.2f}", "-i", str(video), "-frames:v", "1", "-q:v", "3", str(out)],
        timeout=timeout,
    )
    return out
