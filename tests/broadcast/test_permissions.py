"""Who sees what, as a matrix of real requests: station tokens and signed-in staff
against /api/v1/schedule, /api/v1/station and confirmations."""

from __future__ import annotations

import uuid

import pytest
from django.utils import timezone

from broadcast.models import Confirmation, PlannedAiring, Station

pytestmark = pytest.mark.django_db

CODES = ["dx-fm", "dx-tan-phu-loa", "dx-tien-thanh-loa", "ct-fm", "ct-minh-hung-loa"]


@pytest.fixture
def planned(radio_item, schedule_today):
    schedule_today(radio_item(), CODES, days=1)
    return {a.station.code: a for a in PlannedAiring.objects.select_related("station")}


# caller → stations whose airings it sees (among CODES)
TOKEN_MATRIX = {
    "dx-fm": {"dx-fm", "dx-tan-phu-loa", "dx-tien-thanh-loa"},
    "dx-tan-phu-loa": {"dx-tan-phu-loa"},
    "ct-minh-hung-loa": {"ct-minh-hung-loa"},
}
USER_MATRIX = {
    "xa.tanphu": {"dx-tan-phu-loa"},
    "dai.dongxoai": {"dx-fm", "dx-tan-phu-loa", "dx-tien-thanh-loa"},
    "bientap.dongxoai": {"dx-fm", "dx-tan-phu-loa", "dx-tien-thanh-loa"},
    "bientap.tinh": set(CODES),
}


def _seen(client) -> set[str]:
    today = timezone.localdate()
    resp = client.get(f"/api/v1/schedule?from={today}&to={today}")
    assert resp.status_code == 200, resp.content
    return {r["station"] for r in resp.json()}


@pytest.mark.parametrize("caller", TOKEN_MATRIX)
def test_station_tokens_see_their_station_and_a_district_its_communes(
    caller, station_client, planned
):
    c = station_client(caller)
    assert _seen(c) == TOKEN_MATRIX[caller]
    tree = c.get("/api/v1/station").json()
    assert tree["station"]["code"] == caller
    children = {s["code"] for s in tree["children"]}
    assert caller not in children
    assert children <= {
        s.code for s in Station.objects.filter(code__startswith=caller[:3])
    }
    # Confirm every planned airing: only those in scope are recorded.
    body = {
        "confirmations": [
            {"uuid": str(uuid.uuid4()), "airing": a.pk, "status": "aired"}
            for a in planned.values()
        ]
    }
    res = c.post("/api/v1/airings", body, content_type="application/json").json()
    created = {
        planned_code
        for planned_code, r in zip(planned, res, strict=True)
        if r["result"] == "created"
    }
    assert created == TOKEN_MATRIX[caller]
    assert Confirmation.objects.count() == len(TOKEN_MATRIX[caller])


@pytest.mark.parametrize("username", USER_MATRIX)
def test_staff_see_their_station_district_or_province(username, staff_client, planned):
    assert _seen(staff_client(username)) & set(CODES) == USER_MATRIX[username]


def test_no_token_or_a_bad_token_sees_nothing(planned):
    from django.test import Client

    for headers in ({}, {"HTTP_AUTHORIZATION": "Bearer loa_not-a-token"}):
        resp = Client(**headers).get("/api/v1/schedule")
        assert resp.status_code == 401 and resp.json()["code"] == "unauthorized"
