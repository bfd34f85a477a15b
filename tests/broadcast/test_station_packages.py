"""Packages on the station page: a district operator (or commune staff) sees the
current package of each of their stations, what changed since the previous one, and
downloads it through the same resumable, logged serving function as the API."""

from __future__ import annotations

import hashlib

from django.utils import timezone

from broadcast.models import DistributionEvent, Package, Schedule
from broadcast.packages import package_build
from broadcast.services import schedule_withdraw


def _build(code: str) -> Package:
    from broadcast.models import Station

    today = timezone.localdate()
    return package_build(
        station_id=Station.objects.get(code=code).pk,
        start=today,
        end=today + timezone.timedelta(days=6),
    )


def _body(resp) -> bytes:
    return b"".join(resp.streaming_content) if resp.streaming else resp.content


def test_operator_sees_district_and_commune_packages_with_changes(
    audio_item, schedule_today, staff_client
):
    first, second = audio_item("Phóng sự thứ nhất"), audio_item("Phóng sự thứ hai")
    schedule_today(first, ["dx-tan-phu-loa"])
    _build("dx-fm")
    old = Schedule.objects.get()
    schedule_today(second, ["dx-tan-phu-loa"])
    schedule_withdraw(schedule=old, reason="Sai số liệu", actor="test")
    current = _build("dx-fm")
    commune = _build("dx-tan-phu-loa")
    html = staff_client("dai.dongxoai").get("/station/packages/").content.decode()
    for package in (current, commune):
        assert package.sha256 in html
        assert f"/station/packages/{package.public_id}/download/" in html
    section = html.split(f'id="package-{current.public_id}"')[1].split("</section>")[0]
    # What changed since the previous package of the district station.
    assert "Phóng sự thứ hai" in section.split('class="added"')[1].split("</ul>")[0]
    assert (
        "Phóng sự thứ nhất" in section.split('class="withdrawn"')[1].split("</ul>")[0]
    )
    # The verification steps, in Vietnamese.
    assert "sha256sum -c SHA256SUMS" in html
    assert "Kiểm tra" in html


def test_commune_staff_see_only_their_own_station_package(
    audio_item, schedule_today, staff_client
):
    schedule_today(audio_item(), ["dx-tan-phu-loa", "dx-tan-binh-loa"])
    own, other = _build("dx-tan-phu-loa"), _build("dx-tan-binh-loa")
    district = _build("dx-fm")
    client = staff_client("xa.tanphu")
    html = client.get("/station/packages/").content.decode()
    assert own.sha256 in html
    assert other.sha256 not in html and district.sha256 not in html
    assert (
        client.get(f"/station/packages/{other.public_id}/download/").status_code == 404
    )


def test_page_download_is_resumable_logged_and_the_file_matches(
    audio_item, schedule_today, staff_client
):
    schedule_today(audio_item(), ["dx-tan-phu-loa"])
    package = _build("dx-fm")
    client = staff_client("dai.dongxoai")
    url = f"/station/packages/{package.public_id}/download/"
    whole = client.get(url)
    assert whole.status_code == 200
    assert whole["ETag"] == package.etag
    body = _body(whole)
    assert hashlib.sha256(body).hexdigest() == package.sha256
    # A browser resuming an interrupted download sends Range with If-Range.
    part = client.get(url, HTTP_RANGE="bytes=1000-", HTTP_IF_RANGE=package.etag)
    assert part.status_code == 206
    assert _body(part) == body[1000:]
    events = DistributionEvent.objects.filter(
        kind=DistributionEvent.Kind.PACKAGE_DOWNLOADED, package_id=package.pk
    )
    # A download counts once per package and caller, when its last byte goes.
    assert [(e.actor, e.source) for e in events] == [("dai.dongxoai", "web")]


def test_page_shows_when_the_stations_token_last_downloaded(
    audio_item, schedule_today, staff_client, station_client
):
    schedule_today(audio_item(), ["dx-tan-phu-loa"])
    package = _build("dx-fm")
    client = staff_client("dai.dongxoai")

    def last_download() -> str:
        html = client.get("/station/packages/").content.decode()
        return html.split('id="last-token-download"')[1].split("</p>")[0]

    local = timezone.localtime().strftime("%d/%m/%Y")
    never = last_download()
    assert local not in never
    # The operator's own page download does not count: only the playout PC's token.
    client.get(f"/station/packages/{package.public_id}/download/")
    assert last_download() == never
    api = station_client("dx-fm")
    response = api.get(f"/api/v1/packages/{package.public_id}/download")
    assert response.status_code == 200
    b"".join(response.streaming_content)  # counted once the last byte is sent
    assert local in last_download()


def test_anonymous_and_unassigned_users_cannot_see_packages(demo, client):
    from django.contrib.auth import get_user_model

    resp = client.get("/station/packages/")
    assert resp.status_code == 302
    get_user_model().objects.create_user("lac", password="x")
    client.login(username="lac", password="x")
    assert client.get("/station/packages/").status_code == 403
