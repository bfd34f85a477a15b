"""Property-based: arbitrary JSON, headers and CSV thrown at the station API never
get a 5xx. Seeded (derandomised) and bounded, so it runs the same in CI every time."""

from __future__ import annotations

import hashlib
import io
import json

import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from broadcast.models import Package, PlannedAiring, Station
from broadcast.services import station_token_create

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

FUZZ = settings(
    max_examples=40,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# What a client controls: any JSON value, with integers far beyond 64 bits.
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=False)
    | st.text(max_size=40),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
timestamps = st.one_of(
    st.datetimes().map(lambda d: d.isoformat()),
    st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()),
    st.text(max_size=30),
)
header_text = st.text(
    st.characters(min_codepoint=32, max_codepoint=126), max_size=120
) | st.from_regex(
    r"bytes=[0-9]{0,30}-[0-9]{0,30}(,[0-9]{0,5}-[0-9]{0,5})?", fullmatch=True
)
# Numbers of thousands of digits: Python refuses to parse them past 4,300.
header_text |= (st.sampled_from([19, 4301, 6000]) | st.integers(0, 6000)).map(
    lambda n: f"bytes={'9' * n}-"
)


@pytest.fixture
def station(radio_item, schedule_today, tmp_path):
    schedule_today(radio_item(), ["dx-tan-phu-loa"], days=1)
    s = Station.objects.get(code="dx-tan-phu-loa")
    _t, raw = station_token_create(station=s)
    data = bytes(range(256)) * 40
    path = tmp_path / "p.zip"
    path.write_bytes(data)
    today = timezone.localdate()
    package = Package.objects.create(
        station=s,
        period_start=today,
        period_end=today,
        inputs_hash="fuzz",
        status=Package.Status.READY,
        path=str(path),
        bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )
    return {
        "client": Client(HTTP_AUTHORIZATION=f"Bearer {raw}"),
        "airing": PlannedAiring.objects.get().pk,
        "package": package,
    }


def _no_5xx(res):
    assert res.status_code < 500, res.content[:500]
    if (
        res.status_code >= 400
        and res.content  # a HEAD answer has the headers only
        and res.get("Content-Type", "").startswith("application/json")
    ):
        assert "code" in res.json()
    return res


@FUZZ
@given(body=json_values)
def test_any_json_body_to_confirmations_is_answered_without_5xx(station, body):
    _no_5xx(
        station["client"].post(
            "/api/v1/airings", json.dumps(body), content_type="application/json"
        )
    )


@FUZZ
@given(
    items=st.lists(
        st.fixed_dictionaries(
            {},
            optional={
                "uuid": st.uuids().map(str) | st.text(max_size=50) | json_values,
                "airing": st.just("mine")
                | st.integers(min_value=-(2**70), max_value=2**70)
                | json_values,
                "status": st.sampled_from(["aired", "missed", "", "AIRED"])
                | json_values,
                "aired_at": timestamps | json_values,
                "reason": st.sampled_from(["power", "other", ""]) | st.text(),
                "note": st.text(max_size=200),
            },
        ),
        max_size=6,
    )
)
def test_confirmation_shaped_batches_answer_each_item(station, items):
    for item in items:
        if item.get("airing") == "mine":
            item["airing"] = station["airing"]
    res = _no_5xx(
        station["client"].post(
            "/api/v1/airings",
            json.dumps({"confirmations": items}),
            content_type="application/json",
        )
    )
    if res.status_code == 200:
        assert len(res.json()) == len(items)


@FUZZ
@given(
    range_=header_text,
    if_range=header_text,
    if_none_match=header_text,
    method=st.sampled_from(["get", "head"]),
)
def test_any_download_headers_are_answered_without_5xx(
    station, range_, if_range, if_none_match, method
):
    p = station["package"]
    res = _no_5xx(
        getattr(station["client"], method)(
            f"/api/v1/packages/{p.public_id}/download",
            HTTP_RANGE=range_,
            HTTP_IF_RANGE=if_range,
            HTTP_IF_NONE_MATCH=if_none_match,
        )
    )
    if res.status_code in (200, 206) and method == "get":
        b"".join(res.streaming_content)


@FUZZ
@given(
    text=st.text(max_size=2000)
    | st.lists(
        st.tuples(timestamps, st.text(max_size=30), st.text(max_size=8)), max_size=20
    ).map(lambda rows: "start,file,duration\n" + "\n".join(",".join(r) for r in rows)),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1258", "utf-16"]),
)
def test_any_asrun_file_is_answered_without_5xx(station, text, encoding):
    try:
        raw = text.encode(encoding)
    except UnicodeEncodeError:
        raw = text.encode("utf-8", "surrogatepass")
    f = io.BytesIO(raw)
    f.name = "asrun.csv"
    _no_5xx(station["client"].post("/api/v1/airings/import", {"file": f}))


@FUZZ
@given(
    params=st.dictionaries(
        st.sampled_from(["from", "to", "all", "since"]),
        st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=30)
        | st.dates().map(str)
        | st.integers(min_value=-(2**70), max_value=2**70).map(str),
        max_size=4,
    ),
    path=st.sampled_from(
        ["/api/v1/schedule", "/api/v1/packages", "/api/v1/log/checkpoints"]
    ),
)
def test_any_query_string_is_answered_without_5xx(station, params, path):
    _no_5xx(station["client"].get(path, params))
