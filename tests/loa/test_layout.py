"""The layout shows the design: the project package holds what belongs to the site,
the content app depends on no app above it, and the demo sits on top."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ABOVE_CONTENT = ("broadcast", "exhibitions", "demo")


def _imports(path: Path) -> set[str]:
    """Every module a file imports, at any depth (function-level imports included)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
    return found


def test_content_app_source_imports_no_app_above_it():
    offenders = []
    for path in sorted((ROOT / "cms").rglob("*.py")):
        for module in _imports(path):
            if module.split(".")[0] in ABOVE_CONTENT:
                offenders.append(f"{path.relative_to(ROOT)} imports {module}")
    assert offenders == []


def test_import_cms_models_pulls_in_no_broadcast_or_exhibitions_module():
    # A fresh interpreter, with the apps above content not even installed: importing
    # the content app's models, services and admin hooks must neither fail nor load them.
    code = (
        "import json, sys, django; django.setup(); "
        "import cms.models, cms.services, cms.selectors, cms.setup, cms.forms, "
        "cms.wagtail_hooks; "
        "print(json.dumps(sorted(m for m in sys.modules "
        f"if m.split('.')[0] in {ABOVE_CONTENT!r})))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.loa.content_only_settings"}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr[-3000:]
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []


# Each app may import only the ones before it. The project package (urls, wsgi,
# settings) sits outside the order: it wires them all together.
LAYERS = ["loa.units", "media_pipeline", "cms", "broadcast", "exhibitions", "demo"]


def _layer_of(module: str) -> int | None:
    for index, layer in enumerate(LAYERS):
        if module == layer or module.startswith(layer + "."):
            return index
    return None


def test_each_app_imports_only_the_layers_below_it():
    offenders = []
    for index, layer in enumerate(LAYERS):
        for path in sorted((ROOT / layer.replace(".", "/")).rglob("*.py")):
            if "migrations" in path.parts:
                continue  # historical: they name the apps of their time
            for module in _imports(path):
                found = _layer_of(module)
                if found is not None and found > index:
                    offenders.append(f"{path.relative_to(ROOT)} imports {module}")
    assert offenders == []


def test_project_package_holds_the_site_wide_modules():
    from django.conf import settings

    assert settings.ROOT_URLCONF == "loa.urls"
    assert settings.WSGI_APPLICATION == "loa.wsgi.application"
    from loa import celery_app

    assert celery_app.main == "loa"
    for name in ("settings", "urls.py", "celery.py", "wsgi.py", "runlocal.py"):
        assert not (ROOT / "cms" / name).exists(), f"cms/{name} belongs to the project"
    # The design card's top-level names stay.
    for name in (
        "cms",
        "media_pipeline",
        "broadcast",
        "exhibitions",
        "templates",
        "tests",
    ):
        assert (ROOT / name).is_dir()
