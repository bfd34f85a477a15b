"""Three audio profiles from one 20-minute speech WAV: Loa's transcode command
(one analysis decode, a limiter estimate over excerpts, one render decode with the
WAV measured inside it, the MP3s measured after) against the naive way, three
separate two-pass loudnorm runs of bare ffmpeg. Target ratio ≤ 0.30.

`python -m bench.bench_media_audio [minutes] [rounds]`
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench._media import ffmpeg, paired_rounds, setup_django, transcode_cli

PROFILES = ["commune-loudspeaker", "district-fm", "web-audio"]


SENTENCES = (
    "Thông báo của ủy ban nhân dân xã Tân Phú về việc phòng chống dịch bệnh và bảo vệ "
    "môi trường trong mùa mưa năm nay. Bà con chú ý giữ gìn vệ sinh, không vứt rác "
    "xuống kênh rạch. Các hộ gia đình cần kiểm tra mái nhà trước mùa mưa bão."
)


def speech_wav(path: Path, minutes: float) -> Path:
    """Synthetic Vietnamese speech (espeak-ng) looped to length, 48 kHz stereo like a
    studio export; pulsed noise with plosive spikes when espeak-ng is missing."""
    secs = minutes * 60
    exe = shutil.which("espeak-ng") or shutil.which("espeak")
    if exe:
        voice = path.with_name("voice.wav")
        subprocess.run(
            [exe, "-v", "vi", "-s", "150", "-w", str(voice), SENTENCES], check=True
        )
        ffmpeg(
            "-stream_loop", "-1", "-i", str(voice), "-t", str(secs),
            "-ar", "48000", "-ac", "2", str(path),
        )  # fmt: skip
        return path
    ffmpeg(
        "-f", "lavfi", "-i", f"anoisesrc=color=pink:duration={secs}:sample_rate=48000:amplitude=0.12",
        "-f", "lavfi", "-i", f"anoisesrc=color=white:duration={secs}:sample_rate=48000:amplitude=0.95",
        "-filter_complex",
        "[0]apulsator=hz=4:amount=0.9[a];[1]volume='if(lt(mod(t,0.37),0.004),1,0)':eval=frame[b];"
        "[a][b]amix=inputs=2:normalize=0,aformat=channel_layouts=stereo",
        "-ar", "48000", str(path),
    )  # fmt: skip
    return path


def naive_two_pass(src: Path, out_dir: Path) -> None:
    """What a technician would script: per profile, measure then normalise."""
    from media_pipeline.audio import pre_filters
    from media_pipeline.ffmpeg import run_ffmpeg
    from media_pipeline.profiles import get_profile

    for name in PROFILES:
        p = get_profile(name)
        tp = p.true_peak_target
        chain = ",".join(pre_filters(p))
        chain = (chain + ",") if chain else ""
        first = run_ffmpeg(
            [
                "-i",
                str(src),
                "-af",
                f"{chain}loudnorm=I={p.loudness}:TP={tp}:LRA={p.lra}:print_format=json",
            ]
            + ["-f", "null", "-"],
            timeout=3600,
        )
        m = json.loads(re.search(r"\{[^{}]*\"input_i\"[^{}]*\}", first.stderr).group(0))
        norm = (
            f"loudnorm=I={p.loudness}:TP={tp}:LRA={p.lra}:measured_I={m['input_i']}"
            f":measured_TP={m['input_tp']}:measured_LRA={m['input_lra']}"
            f":measured_thresh={m['input_thresh']}:offset={m['target_offset']}:linear=true"
        )
        args = ["-i", str(src), "-af", f"{chain}{norm}", "-c:a", p.codec]
        if p.bitrate and not p.codec.startswith("pcm_"):
            args += ["-b:a", p.bitrate]
        if p.channels:
            args += ["-ac", str(p.channels)]
        args += ["-ar", str(p.sample_rate), str(out_dir / f"{name}.{p.ext}")]
        run_ffmpeg(args, timeout=3600)


def main(minutes: float = 20.0, rounds: float = 2) -> None:
    setup_django()
    with tempfile.TemporaryDirectory(prefix="bench-audio-") as tmp:
        tmp = Path(tmp)
        src = speech_wav(tmp / "speech.wav", minutes)

        def naive(r: int) -> None:
            (tmp / f"naive{r}").mkdir()
            naive_two_pass(src, tmp / f"naive{r}")

        (baseline, baseline_cpu), (loa, loa_cpu) = paired_rounds(
            int(rounds),
            naive,
            lambda r: transcode_cli([src], PROFILES, tmp / f"loa{r}"),
        )
    print(
        f"source: {minutes:g} min speech-like WAV, 48 kHz stereo, {int(rounds)} rounds"
    )
    print(f"naive 3 × two-pass ffmpeg: {baseline:7.1f} s ({baseline_cpu:.1f} s CPU)")
    print(f"loa transcode (3 profiles, measured): {loa:7.1f} s ({loa_cpu:.1f} s CPU)")
    print(f"ratio loa / naive: {loa / baseline:.2f} (target ≤ 0.30)")
    print(f"CPU ratio loa / naive: {loa_cpu / baseline_cpu:.2f}")


if __name__ == "__main__":
    main(*(float(a) for a in sys.argv[1:3]))
