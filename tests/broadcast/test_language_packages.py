"""A S'tiêng version reaches only the stations that declared S'tiêng; the others
get Vietnamese, and the manifest names each file's language."""

import json
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files import File
from django.utils import timezone

from broadcast.models import Station
from broadcast.packages import package_build
from cms.models import ItemLanguageVersion, Language
from media_pipeline.models import LoaMedia
from tests.media import speechlike_wav

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture
def stieng_recording(tmp_path, django_capture_on_commit_callbacks):
    # Longer than the Vietnamese one, so the two renditions differ.
    wav = speechlike_wav(tmp_path / "stieng.wav", seconds=3.5)
    with django_capture_on_commit_callbacks(execute=True):
        with open(wav, "rb") as fh:
            media = LoaMedia(title="S'tiêng", type="audio")
            media.file.save(Path(wav).name, File(fh), save=True)
    return media


def test_stieng_version_goes_only_to_stations_that_speak_it(
    audio_item, stieng_recording, schedule_today, tmp_path
):
    Station.objects.filter(code="dx-tan-phu-loa").update(languages="stieng, vi")
    item = audio_item()
    item.language_versions.add(
        ItemLanguageVersion(
            language=Language.objects.get(code="stieng"),
            title="Bản tiếng S'tiêng",
            media=stieng_recording,
        )
    )
    item.save_revision().publish()
    schedule_today(item, ["dx-fm", "dx-tan-phu-loa", "dx-tien-thanh-loa"])
    today = timezone.localdate()
    package = package_build(
        station_id=Station.objects.get(code="dx-fm").pk,
        start=today,
        end=today + timedelta(days=1),
    )
    with zipfile.ZipFile(package.path) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    by_station = {i["station"]: i for i in manifest["items"]}
    assert by_station["dx-tan-phu-loa"]["language"] == "stieng"
    assert by_station["dx-tien-thanh-loa"]["language"] == "vi"
    assert by_station["dx-fm"]["language"] == "vi"
    stieng_sha = stieng_recording.jobs.get(profile="commune-loudspeaker").sha256
    vi_sha = item.audio.jobs.get(profile="commune-loudspeaker").sha256
    assert by_station["dx-tan-phu-loa"]["sha256"] == stieng_sha
    assert by_station["dx-tien-thanh-loa"]["sha256"] == vi_sha != stieng_sha
