"""A genuinely full filesystem for tests: a small tmpfs mounted for the test (root
only, as in the CI container) and a file that fills it until ENOSPC."""

from __future__ import annotations

import errno
import os
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


@contextmanager
def small_tmpfs(parent: Path, size: str = "16m") -> Iterator[Path]:
    """Mount a tmpfs of `size` under `parent`; skip with the reason if this machine
    cannot (not root, or no mount in the container)."""
    mnt = parent / f"disk-{uuid.uuid4().hex[:6]}"
    mnt.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root; these tests run as a user")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(mnt)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def fill(disk: Path, leave: int = 0) -> Path:
    """Write a file until the filesystem is full, then give back `leave` bytes."""
    filler = disk / "filler"
    with open(filler, "ab") as f:
        block = b"\0" * 65536
        try:
            while True:
                f.write(block)
                f.flush()
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
            size = f.tell()
    with open(filler, "r+b") as f:
        f.truncate(max(size - leave, 0))
    return filler


def free(disk: Path) -> int:
    st = os.statvfs(disk)
    return st.f_bavail * st.f_frsize
