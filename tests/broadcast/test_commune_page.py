"""The commune staff page without JavaScript: plain form posts, light enough for a
cheap phone on 3G, and re-sent forms never double-count."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.utils import translation

from broadcast.models import Confirmation, PlannedAiring

pytestmark = pytest.mark.django_db


@pytest.fixture
def page_setup(radio_item, schedule_today):
    a = radio_item(title="Bản tin sáng")
    b = radio_item(title="Thông báo phòng cháy")
    schedule_today(a, ["dx-tan-phu-loa"], days=1)
    schedule_today(b, ["dx-tan-phu-loa"], days=1)
    return list(PlannedAiring.objects.order_by("pk"))


def _uuid_for(html: str, airing: PlannedAiring) -> str:
    return re.search(
        rf'name="airing" value="{airing.pk}"><input type="hidden" name="uuid" value="([0-9a-f-]+)"',
        html,
    ).group(1)


def test_first_load_with_css_and_script_is_under_100_kb(staff_client, page_setup):
    c = staff_client("xa.tanphu")
    html = c.get("/station/").content
    total = len(html)
    assets = re.findall(rb'(?:src|href)="/static/([^"]+)"', html)
    assert any(a.endswith(b"queue.js") for a in assets)
    for asset in assets:
        path = finders.find(asset.decode())
        assert path, asset
        total += len(open(path, "rb").read())
    assert total < 100_000, total


def test_aired_missed_and_resend_without_javascript(staff_client, page_setup):
    first, second = page_setup
    c = staff_client("xa.tanphu")
    html = c.get("/station/").content.decode()
    assert "Bản tin sáng" in html and "Thông báo phòng cháy" in html
    u1 = _uuid_for(html, first)
    resp = c.post(
        "/station/confirm/",
        {"airing": first.pk, "uuid": u1, "status": "aired", "aired_at": ""},
    )
    assert resp.status_code == 302
    # The phone re-sends the same form after losing signal: still one confirmation.
    c.post("/station/confirm/", {"airing": first.pk, "uuid": u1, "status": "aired"})
    assert Confirmation.objects.filter(airing=first).count() == 1
    missed = c.post(
        "/station/confirm/",
        {
            "airing": second.pk,
            "uuid": _uuid_for(html, second),
            "status": "missed",
            "reason": "power",
            "note": "Mất điện cả xã",
        },
    )
    assert missed.status_code == 302
    second.refresh_from_db()
    assert second.status == "missed"
    assert second.confirmations.get().reason == "power"
    with translation.override("en"):
        after = c.get("/station/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert after.count('class="confirm"') == 0


def test_everything_due_lists_what_it_will_confirm_then_confirms_once(
    staff_client, page_setup
):
    c = staff_client("xa.tanphu")
    html = c.get("/station/").content.decode()
    form = re.search(r'<form[^>]*class="all-aired".*?</form>', html, re.S).group(0)
    assert (
        'class="action"' in form and "big aired" not in form
    )  # an action, not a banner
    all_uuid = re.search(
        r'name="all_aired" value="1"><input type="hidden" name="uuid" value="([0-9a-f-]+)"',
        form,
    ).group(1)
    asked = c.post("/station/confirm/", {"all_aired": "1", "uuid": all_uuid})
    assert asked.status_code == 200
    listing = asked.content.decode()
    assert "Bản tin sáng" in listing and "Thông báo phòng cháy" in listing
    assert Confirmation.objects.count() == 0  # nothing until the person says yes
    ids = re.findall(r'name="airing" value="(\d+)"', listing)
    assert sorted(int(i) for i in ids) == sorted(a.pk for a in page_setup)
    yes = {"all_aired": "1", "uuid": all_uuid, "confirmed": "1", "airing": ids}
    for _ in range(2):
        assert c.post("/station/confirm/", yes).status_code == 302
    assert set(PlannedAiring.objects.values_list("status", flat=True)) == {"aired"}
    assert Confirmation.objects.count() == 2


def test_json_answers_for_the_offline_queue_name_each_airing(staff_client, page_setup):
    first, _second = page_setup
    c = staff_client("xa.tanphu")
    html = c.get("/station/").content.decode()
    resp = c.post(
        "/station/confirm/",
        {"airing": first.pk, "uuid": _uuid_for(html, first), "status": "aired"},
        HTTP_ACCEPT="application/json",
    )
    assert resp.json()["results"][0]["result"] == "created"
    assert resp.json()["results"][0]["airing"] == first.pk
    bad = c.post(
        "/station/confirm/",
        {"airing": "abc", "uuid": "x", "status": "aired"},
        HTTP_ACCEPT="application/json",
    )
    assert bad.json()["results"][0]["result"] == "rejected"


def test_other_stations_airings_and_users_without_a_station_are_refused(
    staff_client, radio_item, schedule_today
):
    schedule_today(radio_item(), ["dx-tien-thanh-loa"], days=1)
    other = PlannedAiring.objects.get()
    c = staff_client("xa.tanphu")
    assert "airing-" not in c.get("/station/").content.decode()
    c.post(
        "/station/confirm/",
        {
            "airing": other.pk,
            "uuid": "6f0b5f2e-2d0c-4f55-9a3e-000000000001",
            "status": "aired",
        },
    )
    assert not Confirmation.objects.exists()
    # District staff see their district's airings; province staff have no station page.
    district = staff_client("bientap.dongxoai").get("/station/")
    assert f'id="airing-{other.pk}"' in district.content.decode()
    assert staff_client("bientap.tinh").get("/station/").status_code == 403
