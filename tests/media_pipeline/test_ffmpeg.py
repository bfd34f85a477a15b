"""Which ffmpeg Loa runs, what it can do, and how its failures read.

Every test runs the real binaries. A "limited" ffmpeg is the real one behind a
wrapper that hides one filter from its listing, as a build without libass would.
"""

from __future__ import annotations

import io
import os
import shutil
import stat
from pathlib import Path

import pytest
from django.core.management import call_command

from media_pipeline import ffmpeg as ff
from media_pipeline.doctor import findings, system_check

from .samples import plosive_speech


@pytest.fixture
def fresh_choice(monkeypatch):
    """Forget the process's choice before and after, so each test chooses anew."""
    ff.ffmpeg_binary.cache_clear()
    yield monkeypatch
    ff.ffmpeg_binary.cache_clear()


def bundled() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def real_ffmpeg() -> str:
    return os.environ.get("LOA_FFMPEG") or shutil.which("ffmpeg") or bundled()


def ffmpeg_without_subtitles(folder: Path) -> Path:
    """A PATH folder whose `ffmpeg` is the real one minus the `subtitles` filter."""
    folder.mkdir(exist_ok=True)
    exe = folder / "ffmpeg"
    exe.write_text(
        "#!/bin/sh\n"
        'if [ "$3" = "-filters" ]; then\n'
        f'  "{real_ffmpeg()}" "$@" | {shutil.which("grep")} -v " subtitles "\n'
        "else\n"
        f'  exec "{real_ffmpeg()}" "$@"\n'
        "fi\n"
    )
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR)
    return exe


def test_the_chosen_ffmpeg_has_every_encoder_filter_and_muxer_loa_uses():
    choice = ff.ffmpeg_choice()
    assert choice.capabilities.missing() == []
    assert choice.reason


@pytest.mark.skipif(not shutil.which("ffmpeg"), reason="no system ffmpeg")
def test_a_capable_system_ffmpeg_is_preferred_with_its_own_ffprobe(fresh_choice):
    fresh_choice.delenv("LOA_FFMPEG", raising=False)
    choice = ff.ffmpeg_choice()
    assert choice.ffmpeg == shutil.which("ffmpeg")
    assert "system ffmpeg has everything" in choice.reason
    sibling = Path(choice.ffmpeg).with_name("ffprobe")
    assert choice.ffprobe == (str(sibling) if sibling.exists() else None)


def test_loa_ffmpeg_wins_and_a_build_without_ffprobe_probes_with_ffmpeg(
    fresh_choice,
):
    fresh_choice.setenv("LOA_FFMPEG", bundled())
    choice = ff.ffmpeg_choice()
    assert (choice.ffmpeg, choice.reason) == (bundled(), "LOA_FFMPEG is set")
    # imageio-ffmpeg ships no ffprobe: never pair it with another build's.
    assert choice.ffprobe is None


def test_a_system_ffmpeg_lacking_a_filter_is_passed_over_for_the_bundled_one(
    fresh_choice, tmp_path
):
    limited = ffmpeg_without_subtitles(tmp_path / "bin")
    fresh_choice.delenv("LOA_FFMPEG", raising=False)
    fresh_choice.setenv("PATH", str(limited.parent))
    choice = ff.ffmpeg_choice()
    assert choice.ffmpeg == bundled()
    assert f"{limited} lacks filter subtitles" in choice.reason


def test_system_check_and_doctor_warn_about_an_ffmpeg_lacking_a_filter(
    fresh_choice, tmp_path
):
    limited = ffmpeg_without_subtitles(tmp_path / "bin")
    fresh_choice.setenv("LOA_FFMPEG", str(limited))
    warnings = system_check()
    assert [w.id for w in warnings] == ["media_pipeline.W001"]
    assert "filter subtitles" in warnings[0].msg and str(limited) in warnings[0].msg
    err = io.StringIO()
    call_command("media_doctor", stdout=io.StringIO(), stderr=err)
    assert "WARNING" in err.getvalue() and "filter subtitles" in err.getvalue()


def test_media_doctor_names_ffmpeg_ffprobe_fonts_espeak_and_scratch_space():
    out, err = io.StringIO(), io.StringIO()
    call_command("media_doctor", stdout=out, stderr=err)
    text = out.getvalue() + err.getvalue()
    choice = ff.ffmpeg_choice()
    assert f"{choice.ffmpeg} {choice.capabilities.short_version}" in text
    assert "ffprobe" in text and "espeak-ng" in text
    assert ".ttf" in text and " GB" in text
    topics = {f.topic for f in findings()}
    assert topics == {"ffmpeg", "ffprobe", "fonts", "espeak-ng", "scratch"}


def test_loudness_meter_runs_on_the_chosen_binary_without_per_frame_lines(tmp_path):
    caps = ff.ffmpeg_capabilities()
    res = ff.run_ffmpeg(
        ["-f", "lavfi", "-i", "sine=d=2", "-af", caps.ebur128(), "-f", "null", "-"],
        timeout=60,
    )
    assert "Summary:" in res.stderr
    if caps.ebur128_framelog:
        # 20 frames of 100 ms would each print a "t:" line at the default level.
        assert " t: " not in res.stderr


def test_ffmpeg_errors_name_the_binary_and_ffmpegs_own_reason():
    with pytest.raises(ff.FFmpegError) as exc:
        ff.run_ffmpeg(
            ["-f", "lavfi", "-i", "sine=d=1", "-af", "nosuchfilter", "-f", "null", "-"],
            timeout=60,
        )
    message = str(exc.value)
    assert message.startswith(f"{ff.ffmpeg_binary()}: ")
    assert "nosuchfilter" in message
    assert "Conversion failed" not in message and "Invalid argument" != message


@pytest.mark.parametrize(
    "tail, expected",
    [
        (
            '[ebur128 @ 0x5] Unable to parse option value "quiet"\n'
            "[AVFilterGraph @ 0x1] Error initializing filter 'ebur128' with args"
            " 'peak=true:framelog=quiet'\n"
            "[Parsed_ebur128_0 @ 0x2] Summary:\n\n  Integrated loudness:\n"
            "    I:         -70.0 LUFS\n"
            "Error reinitializing filters!\n"
            "Failed to inject frame into filter network: Invalid argument\n"
            "Error while processing the decoded data for stream #0:0\n"
            "Conversion failed!\n",
            "Error initializing filter 'ebur128' with args 'peak=true:framelog=quiet'",
        ),
        (
            "[AVFilterGraph @ 0x55e1028907c0] No such filter: 'nosuchfilter'\n"
            "Error : Filter not found\n",
            "No such filter: 'nosuchfilter'",
        ),
        (
            "[aost#0:0 @ 0x55] Unknown encoder 'nosuchenc'\n"
            "[aost#0:0 @ 0x55] Error selecting an encoder\n"
            "Error opening output file -.\n"
            "Error opening output files: Encoder not found\n",
            "Unknown encoder 'nosuchenc'",
        ),
        (
            # ffmpeg 6.0 ends with the bare error string.
            "[AVFilterGraph @ 0x24214d00] No such filter: 'nosuchfilter'\n"
            "Error initializing complex filters.\n"
            "Filter not found\n",
            "No such filter: 'nosuchfilter'",
        ),
        (
            # ffmpeg 7.0 parses a complex graph among the global options.
            "[AVFilterGraph @ 0x3af070c0] No such filter: 'nosuchfilter'\n"
            "Failed to set value '[0:a:0]asplit=2[s0][s1];[s0]nosuchfilter[o0];"
            "[s1]anull[o1]' for option 'filter_complex': Filter not found\n"
            "Error parsing global options: Filter not found\n",
            "No such filter: 'nosuchfilter'",
        ),
        (
            # ffmpeg 7.0 adds a generic line of its own after the reason.
            "[AVFilterGraph @ 0x26ba77c0] No such filter: 'nosuchfilter'\n"
            "[aost#0:0/pcm_s16le @ 0x26ba6280] Error initializing a simple "
            "filtergraph\n"
            "Error opening output file -.\n"
            "Error opening output files: Filter not found\n",
            "No such filter: 'nosuchfilter'",
        ),
    ],
)
def test_last_meaningful_line_skips_ffmpegs_generic_trailer(tail, expected):
    # Stderr as ffmpeg 5.1, 6.0, 7.0 and 7.1+ print these failures.
    assert ff.last_error_line(tail) == expected


def test_transcode_names_ffmpegs_reason_and_binary_not_a_log(tmp_path, settings):
    settings.LOA_PROFILE_OVERRIDES = {"district-fm": {"filters": ("nosuchfilter",)}}
    good = plosive_speech(tmp_path / "ban-tin.wav", seconds=2)
    err = io.StringIO()
    with pytest.raises(SystemExit):
        call_command(
            "transcode",
            str(good),
            "--profile",
            "district-fm",
            "--output",
            str(tmp_path / "out"),
            stdout=io.StringIO(),
            stderr=err,
        )
    line = err.getvalue().strip()
    assert line.startswith(f"{good}: ")
    assert f"{ff.ffmpeg_binary()}: " in line and "nosuchfilter" in line
    assert "log" not in line.lower() and "nhật ký" not in line
