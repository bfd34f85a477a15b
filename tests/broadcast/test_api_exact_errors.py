"""Every bad input from finding 6 gets a 4xx JSON answer with a stable code; one bad
item in a batch is `rejected` and the others are still recorded."""

from __future__ import annotations

import io
import json
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from broadcast.models import Confirmation, DistributionEvent, PlannedAiring, Station
from broadcast.packages import package_build

pytestmark = pytest.mark.django_db


@pytest.fixture
def airing(radio_item, schedule_today):
    schedule_today(radio_item(), ["dx-tan-phu-loa"], days=1, slots=("00:00", "00:05"))
    return list(PlannedAiring.objects.order_by("planned_at"))


def _post(client, items):
    return client.post(
        "/api/v1/airings",
        json.dumps({"confirmations": items}),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )


def _ok(airing):
    # Aired at its slot: the server refuses times outside the window around it.
    return {
        "uuid": str(uuid.uuid4()),
        "airing": airing.pk,
        "status": "aired",
        "aired_at": airing.planned_at.isoformat(),
    }


def test_aired_at_without_utc_offset_rejects_only_that_item(airing, station_client):
    first, second = airing
    naive = timezone.localtime(first.planned_at).replace(tzinfo=None) + timedelta(
        minutes=1
    )
    res = _post(
        station_client("dx-tan-phu-loa"),
        [{**_ok(first), "aired_at": naive.isoformat()}, _ok(second)],
    )
    assert res.status_code == 200, res.content
    assert [(r["result"], r["code"]) for r in res.json()] == [
        ("rejected", "naive_time"),
        ("created", ""),
    ]
    assert list(Confirmation.objects.values_list("airing_id", flat=True)) == [second.pk]


@pytest.mark.parametrize("bad_id", [2**63, 2**63 - 1, 2**70, -1, 0])
def test_airing_ids_beyond_64_bits_are_unknown_not_a_server_error(
    airing, station_client, bad_id
):
    res = _post(
        station_client("dx-tan-phu-loa"),
        [{**_ok(airing[0]), "airing": bad_id}, _ok(airing[1])],
    )
    assert res.status_code == 200, res.content
    assert [(r["result"], r["code"]) for r in res.json()] == [
        ("rejected", "unknown_airing"),
        ("created", ""),
    ]


def test_a_malformed_item_is_rejected_and_the_rest_recorded(airing, station_client):
    good = _ok(airing[1])
    res = _post(
        station_client("dx-tan-phu-loa"),
        [
            {"uuid": "u1", "airing": "not a number", "status": "aired"},
            {"uuid": "u2", "airing": airing[0].pk, "aired_at": "yesterday-ish"},
            "just a string",
            good,
        ],
    )
    assert res.status_code == 200, res.content
    body = res.json()
    assert [(r["uuid"], r["result"], r["code"]) for r in body] == [
        ("u1", "rejected", "invalid_item"),
        ("u2", "rejected", "invalid_item"),
        ("", "rejected", "invalid_item"),
        (good["uuid"], "created", ""),
    ]


def test_an_asrun_field_over_the_csv_limit_is_a_422(station_client, airing):
    data = b"start,file\n" + b"01/12/2026 00:00:00," + b"x" * 140_000 + b"\n"
    f = io.BytesIO(data)
    f.name = "asrun.csv"
    res = station_client("dx-tan-phu-loa").post(
        "/api/v1/airings/import", {"file": f}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert res.status_code == 422 and res.json()["code"] == "bad_csv"
    assert not Confirmation.objects.exists()


@pytest.fixture
def package(audio_item, schedule_today):
    schedule_today(audio_item(), ["dx-tan-phu-loa"], days=1)
    today = timezone.localdate()
    return package_build(
        station_id=Station.objects.get(code="dx-tan-phu-loa").pk, start=today, end=today
    )


def test_huge_range_headers_are_416_json_and_head_works(package, station_client):
    c = station_client("dx-tan-phu-loa")
    url = f"/api/v1/packages/{package.public_id}/download"
    for header in (
        f"bytes={'9' * 4400}-",
        f"bytes=0-{'9' * 4400}",
        "bytes=-" + "1" * 5000,
    ):
        res = c.get(url, HTTP_RANGE=header)
        assert res.status_code == 416, header[:20]
        assert res.json()["code"] == "bad_range"
        assert res["Content-Range"] == f"bytes */{package.bytes}"
    # Long numbers that still fit in a short header: past the end, or clamped.
    past = c.get(url, HTTP_RANGE=f"bytes={'9' * 30}-")
    assert past.status_code == 416
    tail = c.get(url, HTTP_RANGE=f"bytes=10-{'9' * 30}")
    assert tail.status_code == 206
    assert tail["Content-Range"] == f"bytes 10-{package.bytes - 1}/{package.bytes}"

    head = c.head(url)
    assert head.status_code == 200 and head.content == b""
    assert head["Content-Length"] == str(package.bytes)
    assert head["ETag"] == package.etag and head["Accept-Ranges"] == "bytes"
    part = c.head(url, HTTP_RANGE="bytes=0-99")
    assert part.status_code == 206 and part["Content-Length"] == "100"
    assert not DistributionEvent.objects.filter(kind="package_downloaded").exists()
