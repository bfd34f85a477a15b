"""A download is one completed transfer (or a fetch of the last byte), counted once
per package and caller; headers reach the log normalised and bounded; the report's
download figure follows its station and unit filters."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from broadcast.models import DistributionEvent, PackageDownload, Station
from broadcast.packages import package_build

pytestmark = pytest.mark.django_db


@pytest.fixture
def packages(audio_item, schedule_today):
    schedule_today(audio_item(), ["dx-tan-phu-loa", "dx-tien-thanh-loa"], days=1)
    today = timezone.localdate()
    return {
        code: package_build(
            station_id=Station.objects.get(code=code).pk, start=today, end=today
        )
        for code in ("dx-tan-phu-loa", "dx-tien-thanh-loa")
    }


def _get(client, p, **headers):
    res = client.get(f"/api/v1/packages/{p.public_id}/download", **headers)
    if hasattr(res, "streaming_content"):
        b"".join(res.streaming_content)  # the transfer runs to its end
    return res


def _downloads() -> int:
    return DistributionEvent.objects.filter(kind="package_downloaded").count()


def test_partial_requests_do_not_count_and_a_finished_transfer_counts_once(
    packages, station_client
):
    p = packages["dx-tan-phu-loa"]
    c = station_client("dx-tan-phu-loa")
    for _ in range(30):
        assert _get(c, p, HTTP_RANGE="bytes=0-0").status_code == 206
    assert _downloads() == 0
    assert _get(c, p).status_code == 200
    assert _get(c, p).status_code == 200
    for _ in range(5):
        _get(c, p, HTTP_RANGE="bytes=-1")
    assert _downloads() == 1 and PackageDownload.objects.count() == 1


def test_a_download_resumed_in_ranges_counts_when_the_last_byte_is_sent(
    packages, station_client
):
    p = packages["dx-tan-phu-loa"]
    c = station_client("dx-tan-phu-loa")
    _get(c, p, HTTP_RANGE="bytes=0-999")
    assert _downloads() == 0
    _get(c, p, HTTP_RANGE="bytes=1000-")
    (event,) = DistributionEvent.objects.filter(kind="package_downloaded")
    assert event.actor == "station:dx-tan-phu-loa"
    assert event.data["range"] == f"1000-{p.bytes - 1}"


def test_a_transfer_cut_short_is_not_counted(packages, station_client):
    p = packages["dx-tan-phu-loa"]
    res = station_client("dx-tan-phu-loa").get(
        f"/api/v1/packages/{p.public_id}/download"
    )
    next(iter(res.streaming_content))  # the link drops after the first block
    res.close()
    assert _downloads() == 0


def test_a_60kb_range_header_never_reaches_the_log(packages, station_client):
    p = packages["dx-tan-phu-loa"]
    c = station_client("dx-tan-phu-loa")
    res = _get(c, p, HTTP_RANGE="bytes=0-0," + "1-1," * 15_000)
    assert res.status_code == 416
    _get(c, p)
    assert all(
        len(str(e.data)) < 200
        for e in DistributionEvent.objects.filter(kind="package_downloaded")
    )


def test_report_downloads_follow_the_station_and_unit_filters(packages, station_client):
    for code, p in packages.items():
        _get(station_client(code), p)
    staff = Client()
    assert staff.login(username="admin", password="loa-admin")
    today = timezone.localdate()
    base = f"/api/v1/reports/airings?group_by=summary&from={today}&to={today}"
    assert staff.get(base).json()["downloads"] == 2
    one = staff.get(base + "&station=dx-tan-phu-loa").json()
    assert one["downloads"] == 1
    unit = Station.objects.get(code="dx-tien-thanh-loa").unit.code
    assert staff.get(base + f"&unit={unit}").json()["downloads"] == 1
