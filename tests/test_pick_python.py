"""The Makefile's choice of Python (scripts/pick_python.py)."""

import importlib.util
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "pick_python.py"
_spec = importlib.util.spec_from_file_location("pick_python", SCRIPT)
pick_python = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(pick_python)


@pytest.mark.parametrize(
    "found, expected",
    [
        # Debian 13: only 3.13 (python3 is the same interpreter).
        ([("python3.13", (3, 13)), ("python3", (3, 13))], "python3.13"),
        # Ubuntu 24.04: only 3.12.
        ([("python3.12", (3, 12)), ("python3", (3, 12))], "python3.12"),
        # Debian 12 with a backported 3.13: the newest wins.
        ([("python3.11", (3, 11)), ("python3.13", (3, 13))], "python3.13"),
        # A pyenv shim for an inactive version does not run: skipped.
        ([("python3.13", None), ("python3.11", (3, 11))], "python3.11"),
        # python3 alone, new enough.
        ([("python3", (3, 12))], "python3"),
        # An untested newer python3 only when no tested version is there.
        ([("python3", (3, 14)), ("python3.12", (3, 12))], "python3.12"),
        ([("python3", (3, 14))], "python3"),
    ],
)
def test_the_newest_usable_python_from_3_11_is_chosen(found, expected):
    assert pick_python.choose(found)[0] == expected


@pytest.mark.parametrize(
    "found",
    [[], [("python3", (3, 10))], [("python3.13", None), ("python3", (3, 9))]],
)
def test_nothing_is_chosen_without_python_3_11_or_newer(found):
    assert pick_python.choose(found) is None


def _fake_python(directory: Path, name: str, version: str | None) -> None:
    """A stand-in interpreter that prints its version, or fails like a pyenv shim."""
    body = f"echo {version}" if version else "echo 'pyenv: not found' >&2; exit 127"
    path = directory / name
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


def _run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {"PATH": str(tmp_path / "bin"), "PYENV_ROOT": str(tmp_path / "pyenv")}
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


@pytest.fixture
def machine(tmp_path):
    (tmp_path / "bin").mkdir()
    return tmp_path


def test_script_prints_the_newest_python_on_path(machine):
    _fake_python(machine / "bin", "python3.12", "3.12")
    _fake_python(machine / "bin", "python3", "3.12")
    _fake_python(machine / "bin", "python3.11", "3.11")
    out = _run(machine)
    assert out.returncode == 0
    assert out.stdout.strip() == str(machine / "bin" / "python3.12")


def test_script_finds_a_pyenv_version_behind_an_inactive_shim(machine):
    _fake_python(machine / "bin", "python3.13", None)
    _fake_python(machine / "bin", "python3", "3.11")
    pyenv_bin = machine / "pyenv" / "versions" / "3.13.0" / "bin"
    pyenv_bin.mkdir(parents=True)
    _fake_python(pyenv_bin, "python3.13", "3.13")
    out = _run(machine)
    assert out.stdout.strip() == str(pyenv_bin / "python3.13")


def test_script_fails_clearly_when_only_an_old_python_exists(machine):
    _fake_python(machine / "bin", "python3", "3.9")
    out = _run(machine)
    assert out.returncode == 1
    assert out.stdout == ""
    assert "Python 3.11 or newer is needed" in out.stderr


def test_script_finds_an_exact_version_on_request(machine):
    _fake_python(machine / "bin", "python3.13", "3.13")
    _fake_python(machine / "bin", "python3.11", "3.11")
    assert _run(machine, "--want", "3.11").stdout.strip() == str(
        machine / "bin" / "python3.11"
    )
    missing = _run(machine, "--want", "3.12")
    assert missing.returncode == 1
    assert "Python 3.12 was not found" in missing.stderr


def test_check_accepts_an_override_and_rejects_an_old_or_broken_one(machine):
    _fake_python(machine / "bin", "python3.12", "3.12")
    _fake_python(machine / "bin", "python3.10", "3.10")
    _fake_python(machine / "bin", "python3.13", None)
    ok = _run(machine, "--check", str(machine / "bin" / "python3.12"))
    assert ok.returncode == 0
    assert ok.stdout.strip().endswith("(Python 3.12)")
    old = _run(machine, "--check", str(machine / "bin" / "python3.10"))
    assert old.returncode == 1
    assert "is Python 3.10; Loa needs Python 3.11 or newer" in old.stderr
    broken = _run(machine, "--check", str(machine / "bin" / "python3.13"))
    assert broken.returncode == 1
    assert "does not run" in broken.stderr


def test_resolve_uses_the_interpreter_behind_an_inactive_shim(machine):
    _fake_python(machine / "bin", "python3.13", None)
    _fake_python(machine / "bin", "python3.12", "3.12")
    pyenv_bin = machine / "pyenv" / "versions" / "3.13.0" / "bin"
    pyenv_bin.mkdir(parents=True)
    _fake_python(pyenv_bin, "python3.13", "3.13")
    shim = _run(machine, "--resolve", "python3.13")
    assert shim.stdout.strip() == str(pyenv_bin / "python3.13")
    # A command that runs is kept as given.
    assert _run(machine, "--resolve", "python3.12").stdout.strip() == "python3.12"
    # Nothing behind it: kept, so the check that follows names the problem.
    assert _run(machine, "--resolve", "python3.9").stdout.strip() == "python3.9"


@pytest.mark.skipif(not os.path.exists("/usr/bin/make"), reason="needs make")
def test_makefile_says_which_python_it_picked(machine):
    # The newest tested version on PATH wins, whatever else the machine has.
    _fake_python(machine / "bin", "python3.13", "3.13")
    root = SCRIPT.parent.parent
    out = subprocess.run(
        [
            "make",
            "-s",
            "-C",
            str(root),
            "which-python",
            f"BOOTSTRAP_PYTHON={sys.executable}",
        ],
        capture_output=True,
        text=True,
        env={
            "PATH": f"{machine / 'bin'}:/usr/bin:/bin",
            "PYENV_ROOT": str(machine / "pyenv"),
        },
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert (
        out.stdout.strip() == f"Python: {machine / 'bin' / 'python3.13'} (Python 3.13)"
    )
