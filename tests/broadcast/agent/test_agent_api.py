"""The agent's endpoints, priorities, urgent announcements and device status,
on the server side (test client, SQLite)."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import uuid
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from broadcast.agent_services import urgent_create
from broadcast.models import (
    AgentStatus,
    Confirmation,
    DistributionEvent,
    PlannedAiring,
    Station,
    UrgentAnnouncement,
    UrgentDelivery,
)
from broadcast.packages import package_build
from broadcast.services import ServiceError
from loa.units.models import Unit
from tests.media import ffmpeg

pytestmark = pytest.mark.django_db
STATION = "dx-tan-phu-loa"


def _grant(username: str, *perms: str):
    user = get_user_model().objects.get(username=username)
    for p in perms:
        user.user_permissions.add(Permission.objects.get(codename=p))
    return user


@pytest.fixture
def mp3(tmp_path):
    path = tmp_path / "alarm.mp3"
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=800:duration=1", str(path))
    return path


def _play(airing: PlannedAiring, **kw) -> dict:
    return {
        "uuid": str(uuid.uuid4()),
        "station": airing.station.code,
        "content_id": airing.schedule.item_id,
        "planned_at": airing.planned_at.isoformat(),
        "status": "aired",
        "aired_at": airing.planned_at.isoformat(),
        "stopped_at": (airing.planned_at + timedelta(seconds=30)).isoformat(),
        "sha256": "ab" * 32,
        "exit_code": 0,
        **kw,
    }


def test_agent_plays_become_confirmations_with_source_agent_and_clock_offset(
    radio_item, schedule_today, station_client
):
    schedule_today(radio_item(), [STATION])
    airing = PlannedAiring.objects.filter(station__code=STATION).first()
    api = station_client(STATION)
    play = _play(airing, clock_offset_s=2.5)
    resp = api.post(
        "/api/v1/agent/plays",
        {"plays": [play], "clock_offset_s": 9.9},
        content_type="application/json",
    )
    assert resp.status_code == 200, resp.content
    assert resp.json()["results"][0]["result"] == "created"
    conf = Confirmation.objects.get(uuid=play["uuid"])
    assert conf.source == "agent" and conf.actor_station.code == STATION
    # The note is in the request's language; the figures are what matter.
    assert "+2.5" in conf.note and "sha256 " + "ab" * 32 in conf.note
    # The agent's clock was 2.5 s behind the server's: its times are corrected.
    assert conf.aired_at == airing.planned_at + timedelta(seconds=2.5)
    again = api.post(
        "/api/v1/agent/plays", {"plays": [play]}, content_type="application/json"
    )
    assert again.json()["results"][0]["result"] == "duplicate"
    assert Confirmation.objects.count() == 1
    assert DistributionEvent.objects.filter(source="agent").count() == 1


def test_a_failed_play_is_reported_missed_with_the_players_error(
    radio_item, schedule_today, station_client
):
    schedule_today(radio_item(), [STATION])
    airing = PlannedAiring.objects.filter(station__code=STATION).first()
    play = _play(
        airing, status="missed", reason="equipment", exit_code=2, error="no sound card"
    )
    resp = station_client(STATION).post(
        "/api/v1/agent/plays", {"plays": [play]}, content_type="application/json"
    )
    assert resp.json()["results"][0]["result"] == "created"
    conf = Confirmation.objects.get(uuid=play["uuid"])
    assert conf.status == "missed" and conf.reason == "equipment"
    assert "no sound card" in conf.note and "2" in conf.note
    airing.refresh_from_db()
    assert airing.status == "missed"


def test_plays_for_another_stations_airing_are_rejected_as_unknown(
    radio_item, schedule_today, station_client
):
    schedule_today(radio_item(), ["dx-tien-thanh-loa"])
    airing = PlannedAiring.objects.filter(station__code="dx-tien-thanh-loa").first()
    resp = station_client(STATION).post(
        "/api/v1/agent/plays",
        {"plays": [_play(airing)]},
        content_type="application/json",
    )
    assert resp.json()["results"][0]["code"] == "unknown_airing"
    assert not Confirmation.objects.exists()


def test_agent_endpoints_refuse_a_staff_session(staff_client):
    resp = staff_client("xa.tanphu").get("/api/v1/agent/urgent")
    assert resp.status_code == 403
    assert resp.json()["code"] == "station_only"


def test_malformed_plays_get_a_422_not_a_500(station_client):
    resp = station_client(STATION).post(
        "/api/v1/agent/plays",
        {"plays": [{"uuid": "x", "planned_at": "yesterday"}]},
        content_type="application/json",
    )
    assert resp.status_code == 422


def test_heartbeat_keeps_device_status_and_logs_alerts(station_client, staff_client):
    api = station_client(STATION)
    resp = api.post(
        "/api/v1/agent/heartbeat",
        {
            "version": "1.0",
            "free_disk_bytes": 12345678,
            "current_package": "abc",
            "player": "mpv",
            "player_ok": False,
            "alerts": [{"code": "package_refused", "detail": "bad_signature"}],
        },
        content_type="application/json",
    )
    assert resp.status_code == 200
    status = AgentStatus.objects.get(station__code=STATION)
    assert status.free_disk_bytes == 12345678 and not status.player_ok
    alert = DistributionEvent.objects.get(kind="agent_alert")
    assert alert.station_code == STATION and alert.data["code"] == "package_refused"


def test_device_listing_names_stations_silent_for_more_than_a_day(
    station_client, staff_client
):
    Station.objects.filter(code=STATION).update(
        contact_name="Chị Lan", contact_phone="0912 345 678"
    )
    for code in (STATION, "dx-tien-thanh-loa"):
        station_client(code).post(
            "/api/v1/agent/heartbeat",
            {"version": "1.0"},
            content_type="application/json",
        )
    AgentStatus.objects.filter(station__code=STATION).update(
        last_heartbeat_at=timezone.now() - timedelta(days=2)
    )
    html = (
        staff_client("bientap.tinh").get("/admin/broadcast/devices/").content.decode()
    )
    silent = html.split('<ul class="silent">')[1].split("</ul>")[0]
    assert STATION in silent and "0912 345 678" in silent
    assert "dx-tien-thanh-loa" not in silent
    assert staff_client("xa.tanphu").get("/admin/broadcast/devices/").status_code in (
        302,
        403,
    )


def test_device_status_is_for_the_roles_that_send_urgent_within_their_scope(
    station_client, staff_client
):
    # Those who send urgent announcements need to know which stations would not hear
    # them; each sees only the stations their scope covers.
    for code in (STATION, "bl-fm"):
        station_client(code).post(
            "/api/v1/agent/heartbeat",
            {"version": "1.0"},
            content_type="application/json",
        )
    province = staff_client("bientap.tinh").get("/admin/broadcast/devices/")
    district = staff_client("dai.dongxoai").get("/admin/broadcast/devices/")
    assert province.status_code == 200 and district.status_code == 200
    assert STATION in province.content.decode() and "bl-fm" in province.content.decode()
    assert STATION in district.content.decode()
    assert "bl-fm" not in district.content.decode()
    for username in ("duyet.tinh", "bientap.dongxoai", "xa.tanphu"):
        refused = staff_client(username).get("/admin/broadcast/devices/")
        assert refused.status_code in (302, 403), username


def test_the_agent_zipapp_is_served_and_runs(client, tmp_path):
    resp = client.get("/api/v1/agent/loa-agent.pyz")
    assert resp.status_code == 200
    pyz = tmp_path / "loa-agent.pyz"
    pyz.write_bytes(resp.content)
    done = subprocess.run(
        [sys.executable, str(pyz), "--version"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "1.0"
    assert client.get("/api/v1/agent/loa-agent.pyz")["ETag"] == resp["ETag"]


# --- priorities ----------------------------------------------------------------


def test_n_times_in_the_period_is_always_normal(radio_item, schedule_today):
    sched = schedule_today(
        radio_item(), [STATION], slots=(), times_in_period=3, priority="emergency"
    )
    assert sched.priority == "normal"


def test_an_unknown_priority_is_refused(radio_item, schedule_today):
    with pytest.raises(ServiceError) as exc:
        schedule_today(radio_item(), [STATION], priority="urgent!!")
    assert exc.value.code == "bad_priority"


def test_manifest_entries_carry_the_schedules_priority(audio_item, schedule_today):
    normal, first = audio_item("Thường"), audio_item("Ưu tiên", seconds=3.1)
    schedule_today(normal, [STATION])
    schedule_today(first, [STATION], priority="priority")
    today = timezone.localdate()
    package = package_build(
        station_id=Station.objects.get(code=STATION).pk, start=today, end=today
    )
    by_title = {i["title"]: i["priority"] for i in package.manifest["items"]}
    assert by_title == {"Thường": "normal", "Ưu tiên": "priority"}


def test_commune_page_shows_a_priority_items_priority(
    radio_item, schedule_today, staff_client
):
    schedule_today(radio_item("Tin bão"), [STATION], priority="emergency")
    html = staff_client("xa.tanphu").get("/station/").content.decode()
    assert 'class="prio prio-emergency"' in html


# --- urgent announcements --------------------------------------------------------


def test_sending_an_urgent_announcement_needs_the_permission(staff_client):
    assert staff_client("xa.tanphu").get(
        "/admin/broadcast/urgent/new/"
    ).status_code in (
        302,
        403,
    )


def test_urgent_from_an_upload_reaches_the_station_and_its_state_is_tracked(
    staff_client, station_client, mp3
):
    _grant("bientap.dongxoai", "send_urgent", "access_admin")
    editor = staff_client("bientap.dongxoai")
    dx = Unit.objects.get(code="dx")
    form = editor.get("/admin/broadcast/urgent/new/")
    assert form.status_code == 200
    assert "new MediaRecorder(stream)" in form.content.decode()
    with open(mp3, "rb") as fh:
        resp = editor.post(
            "/admin/broadcast/urgent/new/",
            {"title": "Lũ quét", "audio": fh, "units": [dx.pk], "repeat": 3},
        )
    assert resp.status_code == 302, resp.content.decode()[:3000]
    a = UrgentAnnouncement.objects.get(title="Lũ quét")
    assert a.status == "sent" and a.repeat == 3
    assert a.deliveries.filter(station__code=STATION).exists()
    sent = DistributionEvent.objects.get(kind="urgent_sent")
    assert STATION in sent.data["stations"]

    api = station_client(STATION)
    [polled] = api.get("/api/v1/agent/urgent").json()
    assert polled["id"] == a.pk and polled["repeat"] == 3
    audio = api.get(f"/api/v1/agent/urgent/{a.pk}/audio")
    assert audio.status_code == 200
    served = b"".join(audio.streaming_content)
    # Stations get the loudspeaker rendition the pipeline made of the upload.
    assert a.audio_path.endswith(".loudspeaker.mp3")
    assert hashlib.sha256(served).hexdigest() == polled["sha256"] == a.audio_sha256
    for state in ("delivered", "playing", "played"):
        r = api.post(
            f"/api/v1/agent/urgent/{a.pk}/state",
            {"state": state, "plays": 3 if state == "played" else 0},
            content_type="application/json",
        )
        assert r.status_code == 200
    # A late "delivered" never hides "played".
    api.post(
        f"/api/v1/agent/urgent/{a.pk}/state",
        {"state": "delivered"},
        content_type="application/json",
    )
    d = UrgentDelivery.objects.get(announcement=a, station__code=STATION)
    assert d.state == "played" and d.plays == 3
    assert DistributionEvent.objects.filter(kind="urgent_state").count() == 3
    bad = api.post(
        f"/api/v1/agent/urgent/{a.pk}/state",
        {"state": "exploded"},
        content_type="application/json",
    )
    assert bad.status_code == 422

    # Ended: no longer polled.
    resp = editor.post(f"/admin/broadcast/urgent/{a.pk}/", {"end": "1"})
    assert resp.status_code == 302
    assert api.get("/api/v1/agent/urgent").json() == []
    assert DistributionEvent.objects.filter(kind="urgent_ended").count() == 1


def test_a_non_audio_upload_is_a_form_error(staff_client, tmp_path):
    _grant("bientap.dongxoai", "send_urgent", "access_admin")
    resp = staff_client("bientap.dongxoai").post(
        "/admin/broadcast/urgent/new/",
        {
            "title": "x",
            "audio": SimpleUploadedFile("x.mp3", b"not audio at all"),
            "units": [Unit.objects.get(code="dx").pk],
            "repeat": 1,
        },
    )
    assert resp.status_code == 200
    assert not UrgentAnnouncement.objects.exists()


def test_live_board_lists_stations_not_heard_from_with_their_contact(
    staff_client, station_client, mp3
):
    Station.objects.filter(code="dx-tien-thanh-loa").update(
        contact_name="Anh Tư", contact_phone="0987 000 111"
    )
    user = _grant("bientap.dongxoai", "send_urgent", "access_admin")
    a = urgent_create(
        title="Cháy rừng",
        units=[Unit.objects.get(code="dx")],
        upload=SimpleUploadedFile("a.mp3", mp3.read_bytes()),
        created_by=user,
    )
    station_client(STATION).post(
        f"/api/v1/agent/urgent/{a.pk}/state",
        {"state": "delivered"},
        content_type="application/json",
    )
    html = (
        staff_client("bientap.dongxoai")
        .get(f"/admin/broadcast/urgent/{a.pk}/board/")
        .content.decode()
    )
    to_call = html.split('<ul class="to-call">')[1].split("</ul>")[0]
    assert "dx-tien-thanh-loa" in to_call and "0987 000 111" in to_call
    assert STATION not in to_call


def test_commune_page_shows_the_urgent_announcement_with_its_audio_on_top(
    staff_client, mp3
):
    a = urgent_create(
        title="Sơ tán khẩn",
        units=[Unit.objects.get(code="dx")],
        upload=SimpleUploadedFile("a.mp3", mp3.read_bytes()),
    )
    staff = staff_client("xa.tanphu")
    html = staff.get("/station/").content.decode()
    assert html.index("Sơ tán khẩn") < html.index("<h1>")
    assert f'src="/station/urgent/{a.pk}/audio/"' in html
    assert staff.get(f"/station/urgent/{a.pk}/audio/").status_code == 200


def test_second_approval_when_turned_on_needs_another_person(demo, settings, mp3):
    settings.LOA_URGENT_SECOND_APPROVAL = True
    maker = _grant("bientap.dongxoai", "send_urgent")
    a = urgent_create(
        title="Bão số 5",
        units=[Unit.objects.get(code="dx")],
        upload=SimpleUploadedFile("a.mp3", mp3.read_bytes()),
        created_by=maker,
    )
    assert a.status == "awaiting_approval" and not a.deliveries.exists()
    from broadcast.agent_services import urgent_approve

    with pytest.raises(ServiceError) as exc:
        urgent_approve(announcement=a, user=maker)
    assert exc.value.code == "same_person"
    urgent_approve(
        announcement=a, user=get_user_model().objects.get(username="duyet.tinh")
    )
    a.refresh_from_db()
    assert a.status == "sent" and a.deliveries.exists()
