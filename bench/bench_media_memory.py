"""Peak memory (RSS) of the Python process while a 2 GB original goes through the
pipeline: hashed, probed, analysed, rendered, measured, waveform peaks read.
ffmpeg's own memory is not counted (a child process); the limit is 100 MB.

`python -m bench.bench_media_memory [gigabytes]`
"""

from __future__ import annotations

import io
import resource
import sys
import tempfile
from contextlib import redirect_stdout
from pathlib import Path

from bench._media import ffmpeg, setup_django

LIMIT_MB = 100


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def big_wav(path: Path, gigabytes: float) -> Path:
    # 96 kHz 24-bit stereo: 576 kB/s, so 2 GB is about an hour.
    seconds = gigabytes * 1024**3 / (96000 * 3 * 2)
    ffmpeg(
        "-f", "lavfi", "-i", f"anoisesrc=color=pink:duration={seconds}:sample_rate=96000:amplitude=0.2",
        "-af", "apulsator=hz=3:amount=0.7,aformat=channel_layouts=stereo",
        "-c:a", "pcm_s24le", "-rf64", "auto", str(path),
    )  # fmt: skip
    return path


def main(gigabytes: float = 2.0) -> None:
    setup_django()
    from django.core.management import call_command

    from media_pipeline.services import sha256_file

    with tempfile.TemporaryDirectory(prefix="bench-mem-") as tmp:
        tmp = Path(tmp)
        src = big_wav(tmp / "big.wav", gigabytes)
        size_gb = src.stat().st_size / 1024**3
        baseline = peak_rss_mb()  # Django and the pipeline imported, nothing run
        sha256_file(src)
        with redirect_stdout(io.StringIO()):
            call_command(
                "transcode",
                str(src),
                "--profile",
                "web-audio",
                "--output",
                str(tmp / "out"),
                stdout=io.StringIO(),
            )
        peak = peak_rss_mb()
    print(f"input: {size_gb:.2f} GB WAV (96 kHz 24-bit stereo)")
    print(f"peak RSS after start-up: {baseline:6.1f} MB")
    print(f"peak RSS after hash + transcode: {peak:6.1f} MB (limit {LIMIT_MB} MB)")
    print(
        f"ratio peak / start-up: {peak / baseline:.2f}; growth {peak - baseline:.1f} MB"
    )


if __name__ == "__main__":
    main(*(float(a) for a in sys.argv[1:2]))
