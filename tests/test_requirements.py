"""Servers install only what Loa runs with; test-only packages live in
requirements-dev.txt, which `make test` installs."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEST_ONLY = {"pytest", "pytest-django", "playwright", "axe-playwright-python", "ruff"}


def _names(path: Path) -> set[str]:
    lines = path.read_text().splitlines()
    return {
        line.split("==")[0].split("[")[0].strip().lower()
        for line in lines
        if line.strip() and not line.startswith(("#", "-r"))
    }


def test_test_only_packages_are_not_runtime_requirements():
    runtime = _names(ROOT / "requirements.txt")
    dev = _names(ROOT / "requirements-dev.txt")
    assert not TEST_ONLY & runtime
    assert TEST_ONLY | {"factory-boy", "polib"} <= dev
    assert "-r requirements.txt" in (ROOT / "requirements-dev.txt").read_text()


def test_make_test_installs_the_dev_requirements():
    makefile = (ROOT / "Makefile").read_text()
    test_rule = next(line for line in makefile.splitlines() if line.startswith("test:"))
    assert "install-dev" in test_rule
    assert "-r requirements-dev.txt" in makefile
