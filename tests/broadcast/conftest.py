"""Fixtures for the distribution path: demo province, published items with real
renditions (ffmpeg, 1 s of audio), station tokens and API clients."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files import File
from django.test import Client
from django.utils import timezone

from broadcast.models import Station
from broadcast.services import schedule_create, station_token_create
from tests.media import speechlike_wav


@pytest.fixture
def station_client(demo):
    """A test client speaking as a station, by code, with a fresh token."""

    def make(code: str) -> Client:
        _token, raw = station_token_create(station=Station.objects.get(code=code))
        return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")

    return make


@pytest.fixture
def staff_client(demo):
    def make(username: str) -> Client:
        c = Client()
        assert c.login(username=username, password="loa-demo"), username
        return c

    return make


@pytest.fixture
def radio_item(demo):
    """A published radio item without media (enough for schedules and confirmations)."""
    from cms.models import RadioItemPage

    def make(title: str = "Bản tin quyền con người", **fields):
        item = demo.add_child(
            instance=RadioItemPage(
                title=title,
                slug=f"item-{RadioItemPage.objects.count()}",
                **{"format": "news", **fields},
            )
        )
        item.save_revision().publish()
        return item

    return make


@pytest.fixture
def audio_item(demo, tmp_path, django_capture_on_commit_callbacks):
    """A published radio item whose 3 s recording (loudnorm needs 3 s) went through the real pipeline."""
    from cms.models import RadioItemPage
    from media_pipeline.models import LoaMedia

    def make(title: str = "Phóng sự quyền con người", seconds: float = 3.0):
        wav = speechlike_wav(
            tmp_path / f"src-{seconds}-{len(title)}.wav", seconds=seconds
        )
        with django_capture_on_commit_callbacks(execute=True):
            with open(wav, "rb") as fh:
                media = LoaMedia(title=title, type="audio")
                media.file.save(Path(wav).name, File(fh), save=True)
        item = demo.add_child(
            instance=RadioItemPage(
                title=title,
                slug=f"audio-{RadioItemPage.objects.count()}",
                audio=media,
                format="report",
            )
        )
        item.save_revision().publish()
        return item

    return make


@pytest.fixture
def schedule_today():
    """A schedule for chosen stations with, by default, one slot an hour ago: due,
    and within the window in which staff may say it aired."""

    def make(item, codes: list[str], *, slots=None, days: int = 2, **kw):
        an_hour_ago = timezone.localtime() - timedelta(hours=1)
        today = an_hour_ago.date() if slots is None else timezone.localdate()
        slots = slots or (an_hour_ago.strftime("%H:%M"),)
        return schedule_create(
            item=item,
            start_date=today,
            end_date=today + timedelta(days=days - 1),
            target_kind="stations",
            target_stations=list(Station.objects.filter(code__in=codes)),
            slot_times=list(slots),
            **kw,
        )

    return make
