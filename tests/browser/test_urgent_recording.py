"""Recording an urgent announcement with the microphone, in a real Chromium whose
microphone is a file (Chromium's fake capture device): MediaRecorder records it,
the form sends it, the pipeline makes the loudspeaker rendition with real ffmpeg,
and the station's agent endpoint offers it."""

from __future__ import annotations

import hashlib

import pytest
from django.test import Client

from broadcast.models import Station, UrgentAnnouncement
from broadcast.services import station_token_create
from loa.units.models import Unit
from media_pipeline.probe import measure_loudness, probe
from media_pipeline.profiles import get_profile
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.media import speechlike_wav

pytestmark = pytest.mark.django_db(transaction=True)
STATION = "dx-tan-phu-loa"


@pytest.fixture
def microphone_browser(pw, tmp_path):
    """Chromium whose microphone plays a speech-like WAV (looped), no prompt."""
    voice = speechlike_wav(tmp_path / "voice.wav", seconds=6, rate=48000)
    b = pw.chromium.launch(
        executable_path=CHROMIUM,
        args=[
            *CHROMIUM_ARGS,
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-audio-capture={voice}",
        ],
    )
    yield b
    b.close()


def _login(page, base: str, username: str) -> None:
    page.goto(base + "/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "loa-demo")
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/")


def test_a_microphone_recording_becomes_a_loudspeaker_announcement_at_the_station(
    live_server, microphone_browser, demo
):
    ctx = microphone_browser.new_context(locale="vi-VN")
    page = ctx.new_page()
    # A province editor holds "phát thông báo khẩn" by default (cms.roles).
    _login(page, live_server.url, "bientap.tinh")
    page.goto(live_server.url + "/admin/broadcast/urgent/new/")
    page.fill("input[name=title]", "Cảnh báo lũ quét")
    dx = Unit.objects.get(code="dx")
    page.check(f"input[name=units][value='{dx.pk}']")
    page.fill("input[name=repeat]", "3")

    record = page.locator("#record-urgent")
    start_label = record.inner_text()
    record.click()
    page.wait_for_function(
        "() => document.querySelector('#record-urgent').textContent !== "
        f"{start_label!r}"
    )
    page.wait_for_timeout(4000)  # four seconds of the announcer's voice
    record.click()
    page.wait_for_function(
        "() => document.querySelector('input[name=audio]').files.length === 1"
    )
    recorded = page.evaluate(
        "() => { const f = document.querySelector('input[name=audio]').files[0];"
        " return {name: f.name, size: f.size, type: f.type}; }"
    )
    assert recorded["size"] > 10_000, recorded
    assert recorded["name"].startswith("recording.")

    page.locator("form:has(#record-urgent) button[type=submit]").click()
    page.wait_for_url("**/admin/broadcast/urgent/*/")
    ctx.close()

    a = UrgentAnnouncement.objects.get(title="Cảnh báo lũ quét")
    assert a.status == "sent" and a.repeat == 3
    # The pipeline made the loudspeaker rendition from the recording (not the
    # original, which is what airs if rendering fails).
    assert a.audio_path.endswith(".loudspeaker.mp3")
    assert a.audio.name.endswith((".webm", ".ogg"))
    info = probe(a.audio_path)
    assert info.audio_codec == "mp3" and not info.video_codec
    assert 3.0 <= info.duration <= 6.0, info.duration
    profile = get_profile("commune-loudspeaker")
    loud = measure_loudness(a.audio_path)
    assert abs(loud.integrated - profile.loudness) <= profile.loudness_tolerance, loud
    assert loud.true_peak <= profile.true_peak_max + 0.5, loud

    # The station learns of it and downloads exactly that rendition.
    _token, raw = station_token_create(station=Station.objects.get(code=STATION))
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    [polled] = [u for u in api.get("/api/v1/agent/urgent").json() if u["id"] == a.pk]
    assert polled["repeat"] == 3
    served = b"".join(api.get(f"/api/v1/agent/urgent/{a.pk}/audio").streaming_content)
    assert hashlib.sha256(served).hexdigest() == polled["sha256"] == a.audio_sha256
    # And the commune page shows it at the top, for stations without an agent.
    staff = Client()
    assert staff.login(username="xa.tanphu", password="loa-demo")
    assert "Cảnh báo lũ quét" in staff.get("/station/").content.decode()


def test_a_refused_microphone_says_so_and_nothing_is_sent(live_server, browser, demo):
    # The ordinary browser fixture: no fake device, and no permission granted.
    ctx = browser.new_context(locale="vi-VN")
    page = ctx.new_page()
    _login(page, live_server.url, "bientap.tinh")
    page.goto(live_server.url + "/admin/broadcast/urgent/new/")
    page.locator("#record-urgent").click()
    alert = page.locator("form [role=alert]")
    alert.wait_for()
    assert "Không dùng được micrô" in alert.inner_text()
    assert (
        page.evaluate("document.querySelector('input[name=audio]').files.length") == 0
    )
    ctx.close()
    assert not UrgentAnnouncement.objects.exists()
