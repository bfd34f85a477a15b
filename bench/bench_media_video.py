"""ebulletin-landscape for a 60 s 1080p clip: Loa's transcode command (loudness
analysis, encode, output probed and measured) against bare ffmpeg running the same
filters and encoder settings once. Target ratio ≤ 1.05.

`python -m bench.bench_media_video [seconds] [rounds]`
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from bench._media import ffmpeg, paired_rounds, setup_django, transcode_cli


def clip(path: Path, seconds: float) -> Path:
    ffmpeg(
        "-f", "lavfi", "-i", f"testsrc2=size=1920x1080:rate=25:duration={seconds}",
        "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}:sample_rate=48000",
        "-c:v", "libx264", "-preset", "ultrafast", "-crf", "18", "-pix_fmt", "yuv420p",
        "-c:a", "aac", "-shortest", str(path),
    )  # fmt: skip
    return path


def bare_ffmpeg(src: Path, out: Path) -> None:
    """The same picture filters and x264 settings, sound through one-pass loudnorm."""
    from media_pipeline.ffmpeg import run_ffmpeg
    from media_pipeline.probe import probe
    from media_pipeline.profiles import get_profile
    from media_pipeline.source import Source
    from media_pipeline.video import encoder_args, video_filters

    p = get_profile("ebulletin-landscape")
    vf = video_filters(p, Source(path=src, probe=probe(src)), None)
    # ffmpeg 5.1 cannot negotiate loudnorm's output layout for aac without aformat.
    af = (
        f"loudnorm=I={p.loudness}:TP={p.true_peak_target},aresample=48000,"
        "aformat=channel_layouts=mono|stereo"
    )
    run_ffmpeg(
        ["-i", str(src), "-vf", vf, "-af", af, *encoder_args(p)]
        + ["-c:a", "aac", "-b:a", p.bitrate, "-ar", "48000", str(out)],
        timeout=3600,
    )


def main(seconds: float = 60.0, rounds: float = 2) -> None:
    setup_django()
    with tempfile.TemporaryDirectory(prefix="bench-video-") as tmp:
        tmp = Path(tmp)
        src = clip(tmp / "clip.mp4", seconds)
        (baseline, baseline_cpu), (loa, loa_cpu) = paired_rounds(
            int(rounds),
            lambda r: bare_ffmpeg(src, tmp / f"bare{r}.mp4"),
            lambda r: transcode_cli([src], ["ebulletin-landscape"], tmp / f"loa{r}"),
        )
    print(f"source: {seconds:g} s 1920x1080 25 fps H.264 + AAC, {int(rounds)} rounds")
    print(f"bare ffmpeg, same settings: {baseline:7.1f} s ({baseline_cpu:.1f} s CPU)")
    print(f"loa transcode ebulletin-landscape: {loa:7.1f} s ({loa_cpu:.1f} s CPU)")
    print(f"ratio loa / bare: {loa / baseline:.2f} (target ≤ 1.05)")
    print(f"CPU ratio loa / bare: {loa_cpu / baseline_cpu:.2f}")


if __name__ == "__main__":
    main(*(float(a) for a in sys.argv[1:3]))
