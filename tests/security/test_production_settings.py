"""Passwords and production settings: Django's four validators (10 characters,
not only digits), production refuses a short key, DEBUG and a missing admin base
URL, sessions last 12 hours, and `check --deploy` is clean under the README's
production example."""

from __future__ import annotations

import os
import re
import secrets
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "k" * 20 + secrets.token_urlsafe(48)


@pytest.mark.parametrize(
    "password",
    ["48291037561234", "Hoa-Sen-9", "password123", "bientap.thu1"],
    ids=["numeric-only", "nine-characters", "common", "like-the-username"],
)
def test_weak_passwords_are_refused(password, db):
    user = get_user_model()(username="bientap.thu", email="bientap.thu@x.vn")
    with pytest.raises(ValidationError):
        validate_password(password, user=user)


def test_a_long_unusual_password_passes(db):
    validate_password("Loa-Bình-Phước-2026!", user=get_user_model()(username="a"))


def _production_env(**extra) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "SECRET_KEY", "DEBUG", "WAGTAILADMIN_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="loa.settings.production",
        ALLOWED_HOSTS="loa.example.gov.vn",
        DATABASE_URL="sqlite:////tmp/loa-deploy-check.sqlite3",
    )
    env.update(extra)
    return env


def _manage(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            {"SECRET_KEY": "x", "WAGTAILADMIN_BASE_URL": "https://loa.vn"},
            "at least 50 characters",
        ),
        (
            {
                "SECRET_KEY": GOOD_KEY,
                "WAGTAILADMIN_BASE_URL": "https://loa.vn",
                "DEBUG": "1",
            },
            "DEBUG must be off",
        ),
        ({"SECRET_KEY": GOOD_KEY}, "WAGTAILADMIN_BASE_URL must be set"),
    ],
    ids=["short-secret-key", "debug-on", "no-admin-base-url"],
)
def test_production_refuses_to_start(extra, message):
    result = _manage("check", env=_production_env(**extra))
    assert result.returncode != 0
    assert message in result.stderr


def test_a_signed_in_session_lasts_twelve_hours(db):
    user = get_user_model().objects.create_user("xa.thu", password="Mat-khau-dai-2026")
    client = Client()
    client.post(
        "/accounts/login/", {"username": "xa.thu", "password": "Mat-khau-dai-2026"}
    )
    assert client.session.get_expiry_age() == 12 * 3600
    assert "_auth_user_id" in client.session
    assert user.pk


def test_session_age_comes_from_the_environment():
    code = (
        "import django;django.setup();from django.conf import settings;"
        "print(settings.SESSION_COOKIE_AGE)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "loa.settings.dev",
            "SESSION_COOKIE_AGE": "3600",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.stdout.strip() == "3600", out.stderr


def _readme_production_exports() -> dict[str, str]:
    """The `export` lines of the README's deployment example, placeholders filled."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Deploying on several machines", 1)[1]
    block = section.split("```sh", 1)[1].split("```", 1)[0]
    env: dict[str, str] = {}
    for line in block.splitlines():
        if line.startswith("export "):
            for word in shlex.split(line)[1:]:
                name, _, value = word.partition("=")
                env[name] = value
    assert re.search(r"<.*>", env["SECRET_KEY"]), "the README's key is a placeholder"
    env["SECRET_KEY"] = GOOD_KEY
    return env


@pytest.mark.slow
def test_check_deploy_is_clean_under_the_readme_production_example(tmp_path):
    env = _readme_production_exports()
    assert {"SECRET_KEY", "ALLOWED_HOSTS", "WAGTAILADMIN_BASE_URL"} <= set(env)
    # The README's servers are not reachable here; `check` needs none of them.
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
        MEDIA_ROOT=str(tmp_path / "media"),
        LOA_PRIVATE_ROOT=str(tmp_path / "private"),
        LOA_SIGNING_KEY_FILE=str(tmp_path / "keys" / "signing.pem"),
    )
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={**_production_env(), **env},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
