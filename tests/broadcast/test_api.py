"""The station API over real HTTP requests (Django test client): confirmations per
item, bad input as JSON errors with stable codes, as-run import, reports."""

from __future__ import annotations

import io
import json
import unicodedata
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from broadcast.models import Confirmation, DistributionEvent, PlannedAiring

pytestmark = pytest.mark.django_db


def _post(client, payload, **extra):
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return client.post(
        "/api/v1/airings",
        body,
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
        **extra,
    )


@pytest.fixture
def airings(radio_item, schedule_today):
    """An airing an hour ago (due) for two communes and the district station."""
    item = radio_item()
    schedule_today(item, ["dx-tan-phu-loa", "dx-fm", "ct-minh-hung-loa"], days=1)
    return {a.station.code: a for a in PlannedAiring.objects.select_related("station")}


def test_batch_answers_created_duplicate_conflict_and_rejected_per_item(
    station_client, airings
):
    c = station_client("dx-tan-phu-loa")
    mine, other = airings["dx-tan-phu-loa"], airings["ct-minh-hung-loa"]
    u1, u2 = str(uuid.uuid4()), str(uuid.uuid4())
    first = _post(
        c, {"confirmations": [{"uuid": u1, "airing": mine.pk, "status": "aired"}]}
    )
    assert first.status_code == 200 and first.json()[0]["result"] == "created"
    again = _post(
        c,
        {
            "confirmations": [
                {"uuid": u1, "airing": mine.pk, "status": "aired"},
                {"uuid": u1, "airing": mine.pk, "status": "missed", "reason": "power"},
                {"uuid": u2, "airing": other.pk, "status": "aired"},
                {"uuid": str(uuid.uuid4()), "airing": 999999, "status": "aired"},
                {"uuid": "not-a-uuid", "airing": mine.pk, "status": "aired"},
            ]
        },
    ).json()
    assert [r["result"] for r in again] == [
        "duplicate",
        "conflict",
        "rejected",
        "rejected",
        "rejected",
    ]
    assert [r["code"] for r in again[2:]] == [
        "unknown_airing",
        "unknown_airing",
        "bad_uuid",
    ]
    assert again[2]["message"] == "No such planned airing for this station."
    assert Confirmation.objects.count() == 1
    other.refresh_from_db()
    assert other.status == "planned"


def test_aired_at_before_the_plan_or_in_the_future_is_rejected(station_client, airings):
    c = station_client("dx-tan-phu-loa")
    a = airings["dx-tan-phu-loa"]
    now = timezone.now()
    res = _post(
        c,
        {
            "confirmations": [
                {
                    "uuid": str(uuid.uuid4()),
                    "airing": a.pk,
                    "status": "aired",
                    "aired_at": (a.planned_at - timedelta(days=2)).isoformat(),
                },
                {
                    "uuid": str(uuid.uuid4()),
                    "airing": a.pk,
                    "status": "aired",
                    "aired_at": (now + timedelta(minutes=20)).isoformat(),
                },
                {"uuid": str(uuid.uuid4()), "airing": a.pk, "status": "missed"},
                {"uuid": str(uuid.uuid4()), "airing": a.pk, "status": "maybe"},
            ]
        },
    ).json()
    assert [r["code"] for r in res] == [
        "outside_window",
        "in_future",
        "reason_required",
        "bad_status",
    ]
    assert Confirmation.objects.count() == 0


def test_malformed_and_oversized_bodies_are_json_errors_and_record_nothing(
    station_client, airings, settings
):
    c = station_client("dx-tan-phu-loa")
    bad = _post(c, b'{"confirmations": [')
    assert bad.status_code == 400
    assert bad.json() == {
        "code": "malformed_body",
        "message": "The request body is not valid JSON.",
    }
    wrong = _post(c, {"confirmations": 5})
    assert wrong.status_code == 422 and wrong.json()["code"] == "invalid_request"
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    big = _post(
        c,
        {
            "confirmations": [
                {"uuid": str(uuid.uuid4()), "airing": 1, "status": "aired"}
            ]
            * 300
        },
    )
    assert big.status_code == 413 and big.json()["code"] == "body_too_large"
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
    many = _post(
        c,
        {
            "confirmations": [
                {"uuid": str(uuid.uuid4()), "airing": 1, "status": "aired"}
            ]
            * 1001
        },
    )
    assert many.status_code == 413 and many.json()["code"] == "batch_too_large"
    assert Confirmation.objects.count() == 0


def test_errors_come_in_the_requests_language(station_client, airings):
    c = station_client("dx-tan-phu-loa")
    res = c.get("/api/v1/packages/not-a-uuid/download", HTTP_ACCEPT_LANGUAGE="en")
    assert res.status_code == 422 and res.json()["code"] == "invalid_request"
    en = c.get(f"/api/v1/packages/{uuid.uuid4()}/download", HTTP_ACCEPT_LANGUAGE="en")
    assert en.status_code == 404
    assert en.json() == {
        "code": "not_found",
        "message": "No such package for this station.",
    }
    anon = _post(__import__("django.test").test.Client(), {"confirmations": []})
    assert anon.status_code == 401 and anon.json()["code"] == "unauthorized"


def test_schedule_lists_the_callers_airings_with_ids(station_client, airings):
    today = timezone.localdate()
    rows = (
        station_client("dx-tan-phu-loa")
        .get(f"/api/v1/schedule?from={today}&to={today}")
        .json()
    )
    assert [(r["id"], r["station"]) for r in rows] == [
        (airings["dx-tan-phu-loa"].pk, "dx-tan-phu-loa")
    ]
    bad = station_client("dx-fm").get(
        f"/api/v1/schedule?from={today}&to={today - timedelta(days=1)}",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert bad.status_code == 422 and bad.json()["code"] == "bad_period"


# --- as-run import --------------------------------------------------------------


def _asrun(client, data: bytes, name="asrun.csv"):
    f = io.BytesIO(data)
    f.name = name
    return client.post("/api/v1/airings/import", {"file": f}, HTTP_ACCEPT_LANGUAGE="en")


def test_asrun_import_matches_lines_and_lists_the_unmatched(station_client, airings):
    a = airings["dx-fm"]
    item_id = a.schedule.item_id
    start = timezone.localtime(a.planned_at) + timedelta(minutes=2)
    text = (
        "start,file,duration\n"
        f"{start:%d/%m/%Y %H:%M:%S},C:\\Loa\\media\\{item_id}-district-fm.mp3,00:03:00\n"
        f"{start:%Y-%m-%d %H:%M},nhac-hieu.mp3,30\n"
        "not a time,1,2\n"
    )
    c = station_client("dx-fm")
    res = _asrun(c, text.encode("utf-8-sig"))
    assert res.status_code == 200, res.content
    body = res.json()
    assert [(r["line"], r["airing"], r["result"]) for r in body["results"]] == [
        (2, a.pk, "created")
    ]
    assert sorted(u["line"] for u in body["unmatched"]) == [3, 4]
    conf = Confirmation.objects.get()
    assert conf.source == "import" and conf.aired_at == start
    # Re-importing the same log records nothing new.
    again = _asrun(c, text.encode("utf-8")).json()
    assert [r["result"] for r in again["results"]] == ["duplicate"]
    assert Confirmation.objects.count() == 1


def test_asrun_windows_1258_with_combining_tones_is_read_as_nfc(
    station_client, radio_item, schedule_today
):
    item = radio_item(title="Tiếng nói quyền con người")
    schedule_today(item, ["dx-fm"], days=1)
    a = PlannedAiring.objects.get(station__code="dx-fm")
    start = timezone.localtime(a.planned_at)
    # "Tiếng" in cp1258: base letter ê (0xEA) then combining acute (0xEC).
    line = f"bắt đầu;content_id;thời lượng\n{start:%Y-%m-%d %H:%M:%S};{item.pk};60\n"
    raw = _cp1258(line)
    assert b"\xe3\xec" in raw  # "ắ" as ă + combining acute
    res = _asrun(station_client("dx-fm"), raw)
    assert res.status_code == 200, res.content
    assert [r["result"] for r in res.json()["results"]] == ["created"]
    from broadcast.asrun import decode

    # Decomposed tones as Windows-1258 writes them come out composed (NFC).
    assert decode(b"Ti\xeang") == "Tiêng"
    assert decode(_cp1258("Tiếng Việt")) == "Tiếng Việt"
    assert decode("\ufeffTiếng".encode()) == "Tiếng"


def _cp1258(text: str) -> bytes:
    """Encode as Windows-1258 writes Vietnamese: precomposed vowel (ă, ê, ơ…) and
    the tone as a separate combining mark."""
    out = []
    for ch in text:
        try:
            out.append(ch.encode("cp1258"))
            continue
        except UnicodeEncodeError:
            pass
        d = unicodedata.normalize("NFD", ch)
        base, marks = d[0], list(d[1:])
        for m in marks:
            composed = unicodedata.normalize("NFC", base + m)
            if len(composed) == 1 and composed.encode("cp1258", "ignore"):
                base = composed
                marks.remove(m)
                break
        rest = "".join(marks)
        out.append((base + rest).encode("cp1258"))
    return b"".join(out)


def test_asrun_binary_or_oversized_files_are_refused_with_a_message(
    station_client, airings
):
    c = station_client("dx-fm")
    res = _asrun(c, b"\x00\x01\x02PK\x03\x04" * 10)
    assert res.status_code == 422 and res.json()["code"] == "bad_encoding"
    res = _asrun(c, b"a,b,c\n" * (400_000))
    assert res.status_code == 413 and res.json()["code"] == "file_too_large"
    staff = __import__("django.test").test.Client()
    staff.login(username="bientap.tinh", password="loa-demo")
    res = _asrun(staff, b"start,file\n")
    assert res.status_code == 404 and res.json()["code"] == "unknown_station"
    assert Confirmation.objects.count() == 0


# --- reports ------------------------------------------------------------------


def test_reports_json_csv_xlsx_with_group_by_and_filters(
    staff_client, station_client, airings
):
    a = airings["dx-tan-phu-loa"]
    _post(
        station_client("dx-tan-phu-loa"),
        {
            "confirmations": [
                {"uuid": str(uuid.uuid4()), "airing": a.pk, "status": "aired"}
            ]
        },
    )
    _post(
        station_client("ct-minh-hung-loa"),
        {
            "confirmations": [
                {
                    "uuid": str(uuid.uuid4()),
                    "airing": airings["ct-minh-hung-loa"].pk,
                    "status": "missed",
                    "reason": "power",
                }
            ]
        },
    )
    c = staff_client("bientap.tinh")
    today = timezone.localdate()
    q = f"/api/v1/reports/airings?from={today}&to={today}"
    rows = c.get(q + "&group_by=district").json()["rows"]
    by = {r["district"]: r for r in rows}
    # Đồng Xoài's FM station counts under Đồng Xoài, not as a "province" row.
    assert by["dx"]["planned"] == 2 and by["dx"]["aired"] == 1
    assert "binh-phuoc" not in by
    assert by["ct"]["missed"] == 1
    only_dx = c.get(q + "&group_by=station&unit=dx").json()["rows"]
    assert {r["station"] for r in only_dx} == {"dx-fm", "dx-tan-phu-loa"}
    xlsx = c.get(q + "&group_by=station&format=xlsx")
    assert xlsx.status_code == 200
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    values = list(ws.values)
    # Title, period, issuer, header, three stations, totals.
    assert values[3][:2] == ("Mã đài", "Đài") and len(values) == 8
    summary = c.get(q + "&group_by=summary").json()
    assert summary["totals"]["planned"] == 3 and summary["missed_reasons"] == {
        "power": 1
    }
    (cov,) = summary["coverage"]
    assert (cov["communes"], cov["aired_communes"], cov["coverage"]) == (2, 1, 0.5)
    bad = c.get(q + "&format=pdf", HTTP_ACCEPT_LANGUAGE="en")
    assert bad.status_code == 422 and bad.json()["code"] == "bad_format"
    assert station_client("dx-fm").get(q).status_code == 403
    assert staff_client("xa.tanphu").get(q).json()["code"] == "forbidden"
    district = staff_client("bientap.dongxoai").get(q + "&group_by=station").json()
    assert {r["station"] for r in district["rows"]} == {"dx-fm", "dx-tan-phu-loa"}


def test_reporting_periods_come_from_settings(settings):
    from datetime import date

    from broadcast.reports import period_dates

    assert period_dates("semiannual", 2026) == (
        date(2025, 12, 15),
        date(2026, 6, 14),
        date(2026, 6, 20),
    )
    assert period_dates("annual", 2026)[2] == date(2026, 11, 20)
    settings.LOA_REPORT_PERIODS = {
        "semiannual": {"label": "x", "start": (1, 1), "end": (6, 30), "due": (7, 15)}
    }
    assert period_dates("semiannual", 2026) == (
        date(2026, 1, 1),
        date(2026, 6, 30),
        date(2026, 7, 15),
    )


def test_download_is_logged_once_when_complete(
    station_client, audio_item, schedule_today
):
    from broadcast.packages import package_build

    schedule_today(audio_item(), ["dx-tan-phu-loa"], days=1)
    today = timezone.localdate()
    p = package_build(
        station_id=PlannedAiring.objects.first().station_id, start=today, end=today
    )
    c = station_client("dx-tan-phu-loa")
    full = c.get(f"/api/v1/packages/{p.public_id}/download")
    assert full.status_code == 200 and full["Content-Length"] == str(p.bytes)
    assert b"".join(full.streaming_content) == open(p.path, "rb").read()
    part = c.get(f"/api/v1/packages/{p.public_id}/download", HTTP_RANGE="bytes=10-19")
    assert part.status_code == 206 and part["Content-Range"] == f"bytes 10-19/{p.bytes}"
    assert b"".join(part.streaming_content) == open(p.path, "rb").read()[10:20]
    same = c.get(f"/api/v1/packages/{p.public_id}/download", HTTP_IF_NONE_MATCH=p.etag)
    assert same.status_code == 304
    changed = c.get(
        f"/api/v1/packages/{p.public_id}/download",
        HTTP_RANGE="bytes=10-19",
        HTTP_IF_RANGE='"stale"',
    )
    assert changed.status_code == 200
    past = c.get(
        f"/api/v1/packages/{p.public_id}/download", HTTP_RANGE=f"bytes={p.bytes}-"
    )
    assert past.status_code == 416 and past["Content-Range"] == f"bytes */{p.bytes}"
    events = DistributionEvent.objects.filter(kind="package_downloaded")
    # Counted once, for the completed transfer; partial requests add nothing.
    assert [e.data["range"] for e in events.order_by("pk")] == [""]
    assert all(e.actor == "station:dx-tan-phu-loa" for e in events)
    other = station_client("dx-tien-thanh-loa").get(
        f"/api/v1/packages/{p.public_id}/download"
    )
    assert other.status_code == 404


def test_same_uuid_twice_in_one_batch_is_recorded_once(station_client, airings):
    a = airings["dx-tan-phu-loa"]
    u = str(uuid.uuid4())
    entry = {"uuid": u, "airing": a.pk, "status": "aired"}
    res = _post(station_client("dx-tan-phu-loa"), {"confirmations": [entry, entry]})
    assert [r["result"] for r in res.json()] == ["created", "duplicate"]
    assert Confirmation.objects.count() == 1
