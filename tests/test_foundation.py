"""The ground everything stands on: settings from the environment, ffmpeg without
apt, the demo province, language and time zone."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

ROOT = Path(__file__).resolve().parents[1]


def _manage(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _production_env(**extra) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "SECRET_KEY"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="loa.settings.production",
        ALLOWED_HOSTS="loa.example.gov.vn",
        WAGTAILADMIN_BASE_URL="https://loa.example.gov.vn",
        DATABASE_URL="sqlite:////tmp/loa-deploy-check.sqlite3",
        **extra,
    )
    return env


def test_production_settings_refuse_to_start_without_a_secret_key():
    result = _manage("check", env=_production_env())
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_check_deploy_passes_with_a_production_environment():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env=_production_env(SECRET_KEY="x" * 60 + "-loa-Prod-Key-0123456789"),
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_settings_come_from_the_environment():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "loa.settings.dev",
        "DATABASE_URL": "postgres://u:p@db.internal:5433/loa",
        "CELERY_BROKER_URL": "redis://redis.internal:6379/2",
        "MEDIA_ROOT": "/mnt/shared-media",
    }
    code = (
        "import django;django.setup();from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'],s.DATABASES['default']['HOST'],s.DATABASES['default']['PORT'],"
        "s.CELERY_BROKER_URL,s.MEDIA_ROOT,s.CELERY_BROKER_TRANSPORT_OPTIONS.get('visibility_timeout'),"
        "s.DATABASES['default']['CONN_MAX_AGE'],s.DATABASES['default']['CONN_HEALTH_CHECKS'])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.stdout.split() == [
        "django.db.backends.postgresql",
        "db.internal",
        "5433",
        "redis://redis.internal:6379/2",
        "/mnt/shared-media",
        "14400",
        # A PostgreSQL connection is kept between requests (a new one per request
        # cost a server process and a fifth of a station API call), and checked
        # before reuse.
        "60",
        "True",
    ], out.stderr


def test_ffmpeg_is_found_without_a_system_install(monkeypatch, tmp_path):
    from media_pipeline import ffmpeg

    # An empty PATH: no system ffmpeg or ffprobe; the pip-shipped binary must be used.
    monkeypatch.setenv("PATH", str(tmp_path))
    ffmpeg.ffmpeg_binary.cache_clear()
    ffmpeg.ffprobe_binary.cache_clear()
    try:
        binary = ffmpeg.ffmpeg_binary()
        assert "imageio_ffmpeg" in binary
        assert ffmpeg.ffprobe_binary() is None
        version = subprocess.run(
            [binary, "-version"], capture_output=True, text=True, check=True
        ).stdout
        assert "libmp3lame" in version and "libx264" in version
    finally:
        ffmpeg.ffmpeg_binary.cache_clear()
        ffmpeg.ffprobe_binary.cache_clear()


@pytest.mark.django_db
def test_load_demo_is_idempotent_and_builds_the_province(demo):
    from django.contrib.auth.models import User

    from broadcast.models import Station
    from demo.loader import DISTRICTS, load_demo
    from loa.units.models import Unit

    counts = (Unit.objects.count(), Station.objects.count(), User.objects.count())
    load_demo(with_media=False)
    assert (
        Unit.objects.count(),
        Station.objects.count(),
        User.objects.count(),
    ) == counts
    districts = Unit.objects.filter(level="district")
    assert sorted(districts.values_list("name", flat=True)) == sorted(
        d[0] for d in DISTRICTS
    )
    assert len(DISTRICTS) == 11
    for d in districts:
        assert Station.objects.filter(unit=d, kind="district_radio").count() == 1
        communes = Unit.objects.filter(parent=d)
        assert communes.count() >= 3
        assert (
            Station.objects.filter(
                unit__in=communes, kind="commune_loudspeaker"
            ).count()
            == communes.count()
        )
    assert Station.objects.filter(kind="ebulletin").exists()
    assert Unit.objects.get(level="province").name == "Bình Phước"


@pytest.mark.django_db
def test_each_demo_role_can_sign_in(demo):
    from demo.loader import DEMO_PASSWORD, DEMO_USERS

    for username, *_ in DEMO_USERS:
        assert Client().login(username=username, password=DEMO_PASSWORD), username


@pytest.mark.django_db
def test_pages_are_vietnamese_by_default_and_english_on_request(demo):
    c = Client()
    c.login(username="xa.tanphu", password="loa-demo")
    vi = c.get("/station/").content.decode()
    assert 'lang="vi"' in vi and "Lịch phát hôm nay" in vi
    c.post("/i18n/setlang/", {"language": "en", "next": "/station/"})
    en = c.get("/station/").content.decode()
    assert 'lang="en"' in en and "Nothing is planned for today." in en


def test_times_are_stored_in_utc_and_shown_in_vietnam(settings):
    assert settings.USE_TZ is True
    assert settings.TIME_ZONE == "Asia/Ho_Chi_Minh"
    now = timezone.now()
    assert now.utcoffset().total_seconds() == 0
    assert timezone.localtime(now).utcoffset().total_seconds() == 7 * 3600


@pytest.mark.django_db
def test_admin_login_page_is_vietnamese(demo):
    html = Client().get("/admin/login/").content.decode()
    assert 'lang="vi"' in html
    assert "Đăng nhập" in html


def test_demo_media_is_made_without_espeak_or_system_fonts(monkeypatch, tmp_path):
    """A fresh machine may lack espeak-ng and fonts: tones and the pip-shipped font serve."""
    from PIL import Image

    from demo import loader as demo
    from media_pipeline import fonts
    from media_pipeline.probe import probe

    monkeypatch.setattr(demo.shutil, "which", lambda name: None)
    wav = demo.make_speech("xin chào", tmp_path / "s.wav", seconds=1.0)
    info = probe(wav)
    assert info.audio_codec.startswith("pcm") and 0.9 < info.duration < 1.2

    monkeypatch.setattr(fonts, "_CANDIDATES", ("/nonexistent.ttf",))
    monkeypatch.setattr(fonts, "_BOLD", ("/nonexistent-bold.ttf",))
    fonts.vietnamese_font.cache_clear()
    try:
        assert "OpenSans" in fonts.vietnamese_font().name
        png = demo.make_poster("Quyền con người", "Bình Phước", tmp_path / "p.png")
        with Image.open(png) as img:
            assert img.size == (1240, 1754)
    finally:
        fonts.vietnamese_font.cache_clear()


def test_loas_vietnamese_catalogue_is_complete_and_compiled():
    import polib

    po = polib.pofile(str(ROOT / "locale/vi/LC_MESSAGES/django.po"))
    assert not po.untranslated_entries()
    assert not po.fuzzy_entries()
    mo = polib.mofile(str(ROOT / "locale/vi/LC_MESSAGES/django.mo"))
    compiled = {e.msgid: e.msgstr or e.msgstr_plural for e in mo}
    for entry in po.translated_entries():
        assert compiled.get(entry.msgid) == (entry.msgstr or entry.msgstr_plural), (
            entry.msgid
        )
