"""Who holds "phát thông báo khẩn" out of the box: every demo role opens and sends
an urgent announcement through real requests, or is refused with nothing made."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission

from broadcast.models import UrgentAnnouncement
from cms import roles
from loa.units.models import Unit
from tests.media import ffmpeg

pytestmark = pytest.mark.django_db
URL = "/admin/broadcast/urgent/new/"

# Province editors cover the province; the district station operator is the one on
# air when a flood comes. Reviewers, district editors and commune staff are not.
MAY_SEND = {
    "admin": True,
    "bientap.tinh": True,
    "dai.dongxoai": True,
    "duyet.tinh": False,
    "bientap.dongxoai": False,
    "xa.tanphu": False,
}


@pytest.fixture
def mp3(tmp_path):
    path = tmp_path / "alarm.mp3"
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=800:duration=1", str(path))
    return path


def _login(client, username: str):
    password = "loa-admin" if username == "admin" else "loa-demo"
    assert client.login(username=username, password=password), username
    return client


@pytest.mark.parametrize("username", sorted(MAY_SEND))
def test_role_matrix_for_opening_and_sending_an_urgent_announcement(
    client, demo, mp3, username
):
    _login(client, username)
    dx = Unit.objects.get(code="dx")
    form = client.get(URL)
    with open(mp3, "rb") as fh:
        sent = client.post(
            URL,
            {"title": f"Lũ — {username}", "audio": fh, "units": [dx.pk], "repeat": 2},
        )
    made = UrgentAnnouncement.objects.filter(title=f"Lũ — {username}")
    if MAY_SEND[username]:
        assert form.status_code == 200
        assert sent.status_code == 302, sent.content.decode()[:2000]
        assert made.get().deliveries.filter(station__code="dx-tan-phu-loa").exists()
    else:
        # Wagtail's admin turns a refusal into a redirect (to its login page, or
        # to the dashboard with "no permission"). Either way nothing is made.
        for refused in (form, sent):
            assert refused.status_code in (302, 403)
            if refused.status_code == 302:
                assert refused["Location"].startswith("/admin/")
                assert not refused["Location"].startswith(URL)
        assert not made.exists()


def test_send_urgent_is_granted_by_the_roles_themselves(demo):
    holders = set(
        Group.objects.filter(
            permissions=Permission.objects.get(codename="send_urgent")
        ).values_list("name", flat=True)
    )
    assert holders == {roles.PROVINCE_EDITOR, roles.STATION_OPERATOR}


def test_migrations_grant_send_urgent_to_an_existing_database():
    """The test database was built by migrate alone (no demo): the roles hold it."""
    group = Group.objects.get(name=roles.STATION_OPERATOR)
    assert group.permissions.filter(codename="send_urgent").exists()
    assert group.permissions.filter(codename="access_admin").exists()
