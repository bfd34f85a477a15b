"""As-run confirmation ids are scoped to the posting station and keyed with a
server secret: no station can predict another's and block its import."""

from __future__ import annotations

import io
import json
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from broadcast.asrun import AsRunLine, line_uuid
from broadcast.models import Confirmation, PlannedAiring, Station

pytestmark = pytest.mark.django_db

# The namespace the first round derived as-run ids from (public in its source).
OLD_NAMESPACE = uuid.UUID("6f0b5f2e-2d0c-4f55-9a3e-6c6f61617372")


@pytest.fixture
def two_stations(radio_item, schedule_today):
    item = radio_item()
    schedule_today(item, ["dx-tan-phu-loa", "dx-tien-thanh-loa"], days=1)
    return {a.station.code: a for a in PlannedAiring.objects.select_related("station")}


def _line(a: PlannedAiring) -> tuple[str, str]:
    start = timezone.localtime(a.planned_at) + timedelta(minutes=2)
    what = f"{a.schedule.item_id}-commune-loudspeaker.mp3"
    return f"{start:%d/%m/%Y %H:%M:%S}", what


def _airings_named(body: dict) -> set[int]:
    return {
        r[k]
        for part in ("results", "unmatched")
        for r in body[part]
        for k in ("airing", "airing_id")
        if k in r
    }


def _import(client, text: str):
    f = io.BytesIO(("start,file\n" + text + "\n").encode())
    f.name = "asrun.csv"
    return client.post("/api/v1/airings/import", {"file": f}, HTTP_ACCEPT_LANGUAGE="en")


def test_a_station_cannot_claim_another_stations_import_id(
    two_stations, station_client
):
    mine, theirs = two_stations["dx-tan-phu-loa"], two_stations["dx-tien-thanh-loa"]
    when, what = _line(theirs)
    start = timezone.localtime(theirs.planned_at) + timedelta(minutes=2)
    predicted = uuid.uuid5(
        OLD_NAMESPACE, f"dx-tien-thanh-loa|{start.isoformat()}|{what}"
    )
    attacker = station_client("dx-tan-phu-loa")
    squat = attacker.post(
        "/api/v1/airings",
        json.dumps(
            {
                "confirmations": [
                    {"uuid": str(predicted), "airing": mine.pk, "status": "aired"}
                ]
            }
        ),
        content_type="application/json",
    )
    assert squat.json()[0]["result"] == "created"

    res = _import(station_client("dx-tien-thanh-loa"), f"{when},{what}")
    assert res.status_code == 200, res.content
    body = res.json()
    assert [(r["airing"], r["result"]) for r in body["results"]] == [
        (theirs.pk, "created")
    ]
    assert mine.pk not in _airings_named(body)
    assert Confirmation.objects.get(airing=theirs).actor_station.code == (
        "dx-tien-thanh-loa"
    )


def test_import_ids_differ_by_station_and_by_server_secret(two_stations, settings):
    a = two_stations["dx-tan-phu-loa"]
    ln = AsRunLine(
        line=2, start=a.planned_at, content_id=1, raw_what="1-x.mp3", duration=None
    )
    one, two = Station.objects.filter(code__in=["dx-tan-phu-loa", "dx-tien-thanh-loa"])
    assert line_uuid(one, ln) == line_uuid(one, ln)
    assert line_uuid(one, ln) != line_uuid(two, ln)
    before = line_uuid(one, ln)
    settings.SECRET_KEY = "another-installation"
    assert line_uuid(one, ln) != before


def test_a_rejection_never_names_another_stations_airing(two_stations, station_client):
    """Even when one station's line id already exists for another station's airing,
    the answer speaks only of the caller's own airing."""
    mine, theirs = two_stations["dx-tan-phu-loa"], two_stations["dx-tien-thanh-loa"]
    when, what = _line(theirs)
    first = _import(station_client("dx-tien-thanh-loa"), f"{when},{what}").json()
    assert first["results"][0]["result"] == "created"
    again = _import(station_client("dx-tan-phu-loa"), f"{when},{what}").json()
    assert _airings_named(again) <= {mine.pk}


def test_import_ids_are_the_ones_earlier_imports_got(two_stations, settings):
    """The id is derived with the key made once per import; it must equal what
    Django's salted_hmac gave before, or re-importing an old file would record
    every line a second time."""
    from django.utils.crypto import salted_hmac

    settings.SECRET_KEY = "a-server-secret-" * 3
    a = two_stations["dx-tan-phu-loa"]
    ln = AsRunLine(
        1, timezone.localtime(a.planned_at), a.schedule.item_id, "7-x.mp3", 30
    )
    digest = salted_hmac(
        "loa.asrun.line",
        f"{a.station.pk}|{ln.start.isoformat()}|{ln.raw_what}",
        algorithm="sha256",
    ).digest()
    assert line_uuid(a.station, ln) == uuid.UUID(bytes=digest[:16], version=4)
