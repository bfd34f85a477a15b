"""Every role × every screen and endpoint × own vs other district, as requests.

Đồng Xoài (dx) is "own" for its district editor, its station operator, its commune
staff and its stations' tokens; Bình Long (bl) is "other". Bình Long holds a draft
poster, a draft recording, a document, a draft page using them and a log event, all
marked BLOTHER, and airings at bl-fm and bl-an-loc-loa. No dx-scoped principal may
see any of it on any screen; province staff and the superuser see it on the same
screens (so the check is not vacuous).
"""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.test import Client
from django.utils import timezone
from PIL import Image as PILImage
from wagtail.documents import get_document_model

from broadcast.log import log_event
from broadcast.models import DistributionEvent, Station
from broadcast.services import schedule_create, station_token_create
from cms.models import PosterPage, RadioItemPage
from cms.setup import district_library
from loa.units.models import Unit
from media_pipeline.models import LoaImage, LoaMedia

pytestmark = pytest.mark.django_db

OTHER_MARKERS = ("BLOTHER", "bl-fm", "bl-an-loc")
PROVINCE_WIDE = ["admin", "bientap.tinh", "duyet.tinh"]
DX_SCOPED = ["bientap.dongxoai", "dai.dongxoai", "xa.tanphu", "token:dx-fm"]
DX_TOKENS = ["token:dx-fm", "token:dx-tan-phu-loa"]


def _png() -> bytes:
    buf = io.BytesIO()
    PILImage.new("RGB", (8, 8), (200, 30, 30)).save(buf, "PNG")
    return buf.getvalue()


def _district_things(short: str, marker: str, item_title: str) -> dict:
    unit = Unit.objects.get(code=short)
    collection = unit.collection
    image = LoaImage(title=f"{marker}-IMAGE", collection=collection)
    image.file = ImageFile(io.BytesIO(_png()), name=f"{short}-poster.png")
    image.save()
    media = LoaMedia(title=f"{marker}-MEDIA", type="audio", collection=collection)
    media.file.save(
        f"{short}-draft.wav", ContentFile(b"RIFF0000WAVE" + marker.encode()), save=False
    )
    media.duration = 1
    media.save()
    document = get_document_model()(title=f"{marker}-DOC", collection=collection)
    document.file.save(
        f"{short}-note.txt", ContentFile(f"{marker} ghi chu".encode()), save=True
    )
    folder = district_library(unit)
    draft = folder.add_child(
        instance=PosterPage(title=f"{marker}-DRAFT", image=image, live=False)
    )
    draft.save_revision()
    radio = folder.add_child(
        instance=RadioItemPage(
            title=f"{marker}-RADIO-DRAFT", format="news", audio=media, live=False
        )
    )
    radio.save_revision()
    item = folder.add_child(instance=RadioItemPage(title=item_title, format="news"))
    item.save_revision().publish()
    stations = list(Station.objects.filter(unit__in=unit.descendant_ids()))
    today = timezone.localdate()
    schedule_create(
        item=item,
        start_date=today,
        end_date=today + timedelta(days=1),
        target_kind="stations",
        target_stations=stations,
        slot_times=["00:00", "23:59"],
    )
    event = log_event(
        kind=DistributionEvent.Kind.values[0],
        actor="tester",
        station_code=f"{short}-fm",
        unit_code=short,
        item_title=f"{marker}-EVENT",
    )
    return {"image": image, "media": media, "document": document, "event": event}


@pytest.fixture
def world(demo):
    return {
        "own": _district_things("dx", "DXOWN", "Tin Đồng Xoài"),
        "other": _district_things("bl", "BLOTHER", "Tin Bình Long"),
    }


def _client(principal: str) -> Client:
    if principal.startswith("token:"):
        station = Station.objects.get(code=principal.removeprefix("token:"))
        _row, raw = station_token_create(station=station)
        return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    client = Client()
    password = "loa-admin" if principal == "admin" else "loa-demo"
    assert client.login(username=principal, password=password), principal
    return client


def _screens(world) -> dict[str, str]:
    own, other = world["own"], world["other"]
    today = timezone.localdate()
    return {
        "image listing": "/admin/images/",
        "image chooser": "/admin/images/chooser/",
        "image chooser search": "/admin/images/chooser/results/?q=IMAGE",
        "image usage (own)": f"/admin/images/usage/{own['image'].pk}/",
        "image usage (other)": f"/admin/images/usage/{other['image'].pk}/",
        "image edit (other)": f"/admin/images/{other['image'].pk}/",
        "media listing": "/admin/media/",
        "media chooser": "/admin/media/chooser/",
        "media usage (own)": f"/admin/media/usage/{own['media'].pk}/",
        "media usage (other)": f"/admin/media/usage/{other['media'].pk}/",
        "media edit (other)": f"/admin/media/edit/{other['media'].pk}/",
        "document listing": "/admin/documents/",
        "document chooser": "/admin/documents/chooser/",
        "document usage (own)": f"/admin/documents/usage/{own['document'].pk}/",
        "document usage (other)": f"/admin/documents/usage/{other['document'].pk}/",
        "document download (other)": other["document"].url,
        "media original (other)": other["media"].file.url,
        "image original (other)": other["image"].file.url,
        "log snippet listing": "/admin/snippets/broadcast/distributionevent/",
        "log snippet inspect (other)": (
            f"/admin/snippets/broadcast/distributionevent/inspect/{other['event'].pk}/"
        ),
        "schedule form": "/admin/broadcast/schedule/new/",
        "station today": "/station/",
        "station log": "/station/log/",
        "station report": f"/station/reports/?from={today.replace(day=1)}&to={today}",
        "api station": "/api/v1/station",
        "api packages": "/api/v1/packages",
        "api report": "/api/v1/reports/airings?group_by=station",
        "api report summary": "/api/v1/reports/airings?group_by=summary",
    }


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


@pytest.mark.slow
def test_no_screen_shows_another_districts_draft_title_or_log_event(world):
    leaks = []
    for principal in DX_SCOPED + ["token:dx-tan-phu-loa"]:
        client = _client(principal)
        for screen, url in _screens(world).items():
            response = client.get(url)
            assert response.status_code < 500, (principal, screen)
            body = _body(response)
            found = [m for m in OTHER_MARKERS if m in body]
            if found:
                leaks.append(
                    f"{principal} · {screen} ({response.status_code}): {found}"
                )
    assert not leaks, "\n".join(leaks)


@pytest.mark.slow
def test_province_staff_see_every_district_on_the_same_screens(world):
    """The other district's markers are on these screens for province roles: the
    matrix above would catch a leak."""
    expected = {
        "admin": [
            "image chooser",
            "image usage (other)",
            "media chooser",
            "media usage (other)",
            "document chooser",
            "log snippet listing",
            "log snippet inspect (other)",
            "api report",
        ],
        "bientap.tinh": [
            "image chooser",
            "media chooser",
            "document chooser",
            "log snippet listing",
            "station log",
            "api report",
        ],
        "duyet.tinh": ["image chooser", "station log", "api report"],
    }
    screens = _screens(world)
    for principal, names in expected.items():
        client = _client(principal)
        for name in names:
            response = client.get(screens[name])
            assert response.status_code == 200, (principal, name)
            body = _body(response)
            assert any(m in body for m in OTHER_MARKERS), (principal, name)


@pytest.mark.slow
def test_a_district_editor_sees_their_own_district_on_every_media_screen(world):
    client = _client("bientap.dongxoai")
    screens = _screens(world)
    for name, marker in [
        ("image chooser", "DXOWN-IMAGE"),
        ("image listing", "DXOWN-IMAGE"),
        ("image usage (own)", "DXOWN-DRAFT"),
        ("media chooser", "DXOWN-MEDIA"),
        ("media listing", "DXOWN-MEDIA"),
        ("media usage (own)", "DXOWN-RADIO-DRAFT"),
        ("document chooser", "DXOWN-DOC"),
        ("log snippet listing", "DXOWN-EVENT"),
        ("station log", "DXOWN-EVENT"),
    ]:
        response = client.get(screens[name])
        assert response.status_code == 200, name
        assert marker in _body(response), name


@pytest.mark.parametrize("principal", DX_TOKENS + ["dai.dongxoai", "xa.tanphu"])
def test_station_principals_see_their_own_airings(world, principal):
    client = _client(principal)
    if principal.startswith("token:"):
        response = client.get("/api/v1/station")
        assert response.status_code == 200
        assert "dx-" in _body(response)
    elif principal == "xa.tanphu":
        response = client.get("/station/")
        assert response.status_code == 200
        assert "Tin Đồng Xoài" in _body(response)
    else:
        response = client.get("/station/log/")
        assert response.status_code == 200
        assert "DXOWN-EVENT" in _body(response)
