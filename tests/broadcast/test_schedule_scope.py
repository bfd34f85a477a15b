"""District editors schedule for their own district's stations only."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from broadcast.models import PlannedAiring, Schedule
from cms.models import RadioItemPage
from loa.units.models import Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(demo):
    page = demo.add_child(
        instance=RadioItemPage(
            title="Tin quyền con người", slug="tin-qcn", format="news"
        )
    )
    page.save_revision().publish()
    return page


def _post(client, item, **target):
    today = timezone.localdate()
    return client.post(
        "/admin/broadcast/schedule/new/",
        {
            "item": item.pk,
            "start_date": today.isoformat(),
            "end_date": (today + timedelta(days=1)).isoformat(),
            "slot_times": "06:00",
            **target,
        },
    )


def _client(username):
    c = Client()
    assert c.login(username=username, password="loa-demo")
    return c


def test_a_district_editor_cannot_schedule_another_district(item):
    other = Unit.objects.get(code="bl")
    resp = _post(
        _client("bientap.dongxoai"), item, target_kind="unit", target_unit=other.pk
    )
    assert resp.status_code == 200  # the form again, with an error
    assert not Schedule.objects.exists()


def test_a_district_editors_station_kind_target_stays_in_the_district(item):
    resp = _post(
        _client("bientap.dongxoai"),
        item,
        target_kind="station_kind",
        target_station_kind="commune_loudspeaker",
    )
    assert resp.status_code == 302
    codes = set(PlannedAiring.objects.values_list("station__code", flat=True))
    assert codes and all(code.startswith("dx-") for code in codes)


def test_province_editors_schedule_any_district(item):
    other = Unit.objects.get(code="bl")
    resp = _post(
        _client("bientap.tinh"), item, target_kind="unit", target_unit=other.pk
    )
    assert resp.status_code == 302
    codes = set(PlannedAiring.objects.values_list("station__code", flat=True))
    assert codes and all(code.startswith("bl-") for code in codes)
