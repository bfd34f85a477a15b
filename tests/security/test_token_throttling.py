"""Guessing station tokens is slowed: after the limit of bad tokens from one
address, even a good token from that address waits; other addresses do not."""

from __future__ import annotations

import pytest
from django.test import Client

from broadcast.models import Station
from broadcast.services import station_token_create
from loa.units.models import Unit


@pytest.fixture
def token(db):
    unit = Unit.objects.create(code="t-prov", name="Tỉnh thử", level="province")
    station = Station.objects.create(
        code="t-fm", name="Đài thử", unit=unit, kind="district_radio"
    )
    _row, raw = station_token_create(station=station)
    return raw


def _get(raw: str, address: str):
    return Client(REMOTE_ADDR=address).get(
        "/api/v1/station", HTTP_AUTHORIZATION=f"Bearer {raw}"
    )


def test_repeated_bad_tokens_from_one_address_get_429(token, settings):
    settings.LOA_TOKEN_FAILURE_LIMIT = 5
    assert _get(token, "203.0.113.7").status_code == 200
    for i in range(5):
        assert _get(f"loa_guess{i}", "203.0.113.7").status_code == 401
    blocked = _get(token, "203.0.113.7")
    assert blocked.status_code == 429
    assert blocked.json()["code"] == "too_many_bad_tokens"
    assert _get(token, "198.51.100.2").status_code == 200
