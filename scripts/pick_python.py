"""Pick the Python that `make` builds Loa's virtualenv with.

Run by whatever `python3` the machine has (so: standard library only, and no syntax
newer than Python 3.6). Prints the chosen interpreter on stdout and why on stderr;
exits 1 with a clear message when no usable Python is found.

    python3 scripts/pick_python.py                 # the newest supported Python
    python3 scripts/pick_python.py --want 3.11     # exactly this version, or fail
    python3 scripts/pick_python.py --check CMD     # is CMD usable? print its version
    python3 scripts/pick_python.py --resolve CMD   # CMD, or the interpreter behind
                                                   # its inactive pyenv shim

Debian 13 and Ubuntu 24.04 ship Python 3.13 and 3.12 with no 3.11 package, so
`make` must not insist on one version. A name on PATH may be a pyenv shim for a
version that is installed but not active (it then fails to run), so each candidate
is run and asked its version, and pyenv's installed versions are candidates too.
"""

import glob
import os
import shutil
import subprocess
import sys

MINIMUM = (3, 11)
# The versions Loa's pinned requirements are tested on (CI) and have wheels for.
TESTED = ((3, 13), (3, 12), (3, 11))
NAMES = [f"python{major}.{minor}" for major, minor in TESTED] + ["python3"]


def parse_version(text):
    """'3.13' or '3.13.0' -> (3, 13); None if it is not a version."""
    parts = text.strip().split(".")
    try:
        return int(parts[0]), int(parts[1])
    except (IndexError, ValueError):
        return None


def choose(found):
    """The best of `found`, a list of (command, (major, minor)) in preference order.

    Tested versions come first, newest first; a version newer than any tested one
    (say python3 is 3.14) is used only when no tested version is there, since its
    wheels may be missing. Versions older than MINIMUM are never chosen. Returns
    None when nothing qualifies. Among equal versions the earlier command wins.
    """
    usable = [(cmd, ver) for cmd, ver in found if ver is not None and ver >= MINIMUM]
    tested = [(cmd, ver) for cmd, ver in usable if ver in TESTED]
    pool = tested or usable
    if not pool:
        return None
    best = max(ver for _, ver in pool)
    for cmd, ver in pool:
        if ver == best:
            return cmd, ver
    return None


def version_of(command):
    """Run `command` and return its (major, minor), or None if it does not run."""
    try:
        out = subprocess.run(
            [command, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            timeout=20,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0:
        return None
    return parse_version(out.stdout.decode("ascii", "replace"))


def candidates(path=None):
    """Commands to try, in preference order: names on PATH, then pyenv's versions."""
    found = []
    for name in NAMES:
        resolved = shutil.which(name, path=path)
        if resolved:
            found.append(resolved)
    root = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
    for name in NAMES[:-1]:
        found.extend(
            sorted(glob.glob(os.path.join(root, "versions", "*", "bin", name)))
        )
    return found


def probe(commands):
    """[(command, version)] for the commands that run, without duplicates."""
    seen = set()
    result = []
    for command in commands:
        real = os.path.realpath(command)
        if real in seen:
            continue
        seen.add(real)
        result.append((command, version_of(command)))
    return result


def behind_shim(command):
    """The interpreter of the same name an inactive pyenv shim stands for, if any."""
    name = os.path.basename(command)
    for other, other_ver in probe(candidates()):
        if os.path.basename(other) == name and other_ver:
            return other
    return None


def main(argv):
    args = argv[1:]
    if args[:1] == ["--resolve"] and len(args) == 2:
        # `make PYTHON=python3.13` must work where pyenv installed 3.13 but another
        # version is active (the shim then refuses to run): use what it stands for.
        command = args[1]
        if version_of(command) is None:
            command = behind_shim(command) or command
        print(command)
        return 0
    if args[:1] == ["--check"] and len(args) == 2:
        command = args[1]
        ver = version_of(command)
        if ver is None or ver < MINIMUM:
            what = "does not run" if ver is None else f"is Python {ver[0]}.{ver[1]}"
            sys.stderr.write(
                f"{command} {what}; Loa needs Python 3.11 or newer (set PYTHON=...)\n"
            )
            # An inactive pyenv shim: name the interpreter behind it.
            other = behind_shim(command) if ver is None else None
            if other:
                sys.stderr.write(f"try PYTHON={other}\n")
            return 1
        print(f"{command} (Python {ver[0]}.{ver[1]})")
        return 0
    want = None
    if args[:1] == ["--want"] and len(args) == 2:
        want = parse_version(args[1])
    elif args:
        sys.stderr.write(__doc__)
        return 2
    found = probe(candidates())
    if want is not None:
        found = [(cmd, ver) for cmd, ver in found if ver == want]
    picked = choose(found)
    if picked is None:
        if want is not None:
            sys.stderr.write(f"Python {want[0]}.{want[1]} was not found\n")
        else:
            sys.stderr.write(
                "Python 3.11 or newer is needed: install python3 (3.11, 3.12 or "
                "3.13) and its venv module, or set PYTHON=/path/to/python3\n"
            )
        return 1
    command, ver = picked
    print(command)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
