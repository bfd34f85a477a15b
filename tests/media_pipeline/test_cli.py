"""The transcode and profiles commands: no database, JSON per output, errors per input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from media_pipeline.profiles import all_profiles
from media_pipeline.services import sha256_file

from .inspect import pyloudnorm_lufs
from .samples import plosive_speech

ROOT = Path(__file__).resolve().parents[2]


def transcode(*args: str) -> subprocess.CompletedProcess:
    # A real process, as a technician runs it; DATABASE_URL points nowhere to show
    # the command never needs the database.
    return subprocess.run(
        [sys.executable, "manage.py", "transcode", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={
            **__import__("os").environ,
            "DJANGO_SETTINGS_MODULE": "loa.settings.test",
            "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
            "LANGUAGE_CODE": "en",
        },
        check=False,
    )


def test_transcode_prints_measured_outputs_and_one_error_line_per_bad_input(tmp_path):
    good = plosive_speech(tmp_path / "ban-tin.wav", seconds=3)
    bad = tmp_path / "fake.mp3"
    bad.write_text("just text\n" * 100)
    out = tmp_path / "out"
    res = transcode(
        str(good), str(bad), str(tmp_path / "missing.wav"),
        "--profile", "commune-loudspeaker", "--profile", "district-fm",
        "--output", str(out),
    )  # fmt: skip
    assert res.returncode == 1
    errors = res.stderr.strip().splitlines()
    assert len(errors) == 2
    assert errors[0].startswith(f"{bad}: ") and errors[1].startswith(
        f"{tmp_path / 'missing.wav'}: "
    )
    records = [json.loads(line) for line in res.stdout.splitlines()]
    assert [r["profile"] for r in records] == ["commune-loudspeaker", "district-fm"]
    for r in records:
        path = Path(r["path"])
        assert r["input"] == str(good) and path.parent == out
        assert r["bytes"] == path.stat().st_size and r["sha256"] == sha256_file(path)
        assert r["duration"] == pytest.approx(3.0, abs=0.6)
        target = all_profiles()[r["profile"]]
        assert abs(r["loudness_lufs"] - target.loudness) <= target.loudness_tolerance
        assert r["true_peak_dbtp"] <= target.true_peak_max
        assert pyloudnorm_lufs(path, tmp_path) == pytest.approx(
            r["loudness_lufs"], abs=0.5
        )
    # Nothing half-made left behind.
    assert sorted(p.name for p in out.iterdir()) == [
        "ban-tin.commune-loudspeaker.mp3",
        "ban-tin.district-fm.wav",
    ]


def test_transcode_rejects_an_unknown_profile(tmp_path):
    res = transcode(
        str(tmp_path / "x.wav"), "--profile", "nope", "--output", str(tmp_path)
    )
    assert res.returncode != 0 and "unknown profile 'nope'" in res.stderr


def test_profiles_command_lists_every_profile(capsys):
    call_command("profiles")
    text = capsys.readouterr().out
    for name, p in all_profiles().items():
        assert name in text and p.version in text
    assert "-16±1" in text and "1920x1080" in text
