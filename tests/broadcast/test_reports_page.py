"""The periodic report page: figures, inline SVG charts (no CDN), printable,
staff-only and scoped by role."""

from __future__ import annotations

import re
import uuid

import pytest
from django.utils import translation

from broadcast.models import PlannedAiring
from broadcast.services import ConfirmationInput, confirmations_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def confirmed(radio_item, schedule_today):
    schedule_today(
        radio_item(title="Bản tin pháp luật"),
        ["dx-fm", "dx-tan-phu-loa", "dx-tien-thanh-loa", "ct-minh-hung-loa"],
        days=1,
    )
    a = {x.station.code: x for x in PlannedAiring.objects.select_related("station")}
    confirmations_record(
        items=[
            ConfirmationInput(str(uuid.uuid4()), a["dx-tan-phu-loa"].pk, "aired"),
            ConfirmationInput(
                str(uuid.uuid4()), a["dx-tien-thanh-loa"].pk, "missed", reason="weather"
            ),
        ],
        station_ids=None,
        source="web",
    )
    return a


def _get(client, url):
    with translation.override("en"):
        return client.get(url, HTTP_ACCEPT_LANGUAGE="en")


def test_province_report_shows_figures_charts_and_coverage(staff_client, confirmed):
    resp = _get(staff_client("bientap.tinh"), "/station/reports/")
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "<svg" in html and "<script" not in html.split("</main>")[0]
    assert not re.search(r'(src|href)="https?://', html)  # nothing from a CDN
    assert "Bản tin pháp luật" in html
    # 3 commune stations planned, 1 aired → one third of communes covered.
    assert re.search(r"<td class=\"n\">3</td><td class=\"n\">1</td>.*?33%", html, re.S)
    assert "Weather" in html
    assert "format=xlsx" in html and "print=1" in html
    printable = _get(staff_client("bientap.tinh"), "/station/reports/?print=1").content
    # Decree 30/2020 layout: national heading, motto, title, signature block.
    for text in (
        b"Socialist Republic of Vietnam",
        b"Independence \xe2\x80\x93 Freedom \xe2\x80\x93 Happiness",
        b"Results of grassroots broadcasting",
        b"Recipients:",
        b"Head of the issuing body",
        b'<tr class="total">',
    ):
        assert text in printable, text


def test_district_report_is_scoped_and_station_staff_are_refused(
    staff_client, confirmed
):
    html = _get(staff_client("bientap.dongxoai"), "/station/reports/").content.decode()
    assert "Đồng Xoài" in html and "Chơn Thành" not in html
    assert _get(staff_client("xa.tanphu"), "/station/reports/").status_code == 403


def test_reporting_period_and_bad_filters_do_not_fail(staff_client, confirmed):
    c = staff_client("bientap.tinh")
    resp = _get(c, "/station/reports/?period=semiannual&year=2026")
    assert resp.status_code == 200
    assert "15/12/2025 – 14/06/2026" in resp.content.decode()
    junk = _get(c, "/station/reports/?from=yesterday&to=2026-13-40&campaign=x&item=%00")
    assert junk.status_code == 200
