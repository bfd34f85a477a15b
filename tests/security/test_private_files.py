"""Private and public files apart: originals and packages live under a private root
that no URL maps to; they are served only through a view that checks who asks,
and handed to the front server with X-Accel-Redirect in production."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.test import Client
from PIL import Image as PILImage
from wagtail.documents import get_document_model

from broadcast.models import Station
from broadcast.services import station_token_create
from cms.models import PosterPage
from cms.setup import district_library
from loa.units.models import Unit
from media_pipeline.models import LoaImage, LoaMedia

pytestmark = pytest.mark.django_db


@pytest.fixture
def private_things(demo, settings):
    settings.ROOT_URLCONF = "tests.security.urls_serving_media"
    things = {}
    for short in ("dx", "bl"):
        unit = Unit.objects.get(code=short)
        buf = io.BytesIO()
        PILImage.new("RGB", (8, 8), (10, 120, 30)).save(buf, "PNG")
        image = LoaImage(title=f"{short} draft poster", collection=unit.collection)
        image.file = ImageFile(buf, name=f"{short}-draft-poster.png")
        image.save()
        media = LoaMedia(
            title=f"{short} draft", type="audio", collection=unit.collection
        )
        media.file.save(f"{short}-draft.wav", ContentFile(b"RIFF0000WAVE"), save=False)
        media.duration = 1
        media.save()
        doc = get_document_model()(title=f"{short} note", collection=unit.collection)
        doc.file.save(f"{short}-note.txt", ContentFile(b"ghi chu"), save=True)
        district_library(unit).add_child(
            instance=PosterPage(title=f"{short} draft", image=image, live=False)
        ).save_revision()
        package = Path(settings.LOA_PACKAGE_ROOT) / f"{short}-fm" / f"{short}-fm_1.zip"
        package.parent.mkdir(parents=True, exist_ok=True)
        package.write_bytes(b"PK\x05\x06" + b"\0" * 18)
        things[short] = {"image": image, "media": media, "document": doc}
    return things


def _private_files() -> list[str]:
    root = Path(django_settings.LOA_PRIVATE_ROOT)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_originals_documents_and_packages_live_under_the_private_root(
    private_things, settings
):
    private = Path(settings.LOA_PRIVATE_ROOT)
    public = Path(settings.MEDIA_ROOT)
    assert not private.is_relative_to(public)
    for thing in private_things["dx"].values():
        assert Path(thing.file.path).is_relative_to(private), thing.file.name
        assert not (public / thing.file.name).exists()
    assert Path(settings.LOA_PACKAGE_ROOT).is_relative_to(private)


def test_no_private_file_is_served_anonymously_or_to_another_stations_token(
    private_things,
):
    from django.core.files.storage import default_storage

    names = _private_files()
    assert any(n.startswith("packages/dx-fm/") for n in names)
    assert any(n.startswith("media/") for n in names)
    assert any(n.startswith("original_images/") for n in names)
    _row, raw = station_token_create(station=Station.objects.get(code="bl-fm"))
    clients = {
        "anonymous": Client(),
        "other station's token": Client(HTTP_AUTHORIZATION=f"Bearer {raw}"),
    }
    served = []
    for name in names:
        urls = {f"/media/{name}", default_storage.url(name)}
        for who, client in clients.items():
            for url in urls:
                status = client.get(url).status_code
                if status not in (403, 404):
                    served.append(f"{who} {url}: {status}")
    assert not served, "\n".join(served)


def test_editors_get_their_own_districts_originals_through_the_view_only(
    private_things,
):
    own, other = private_things["dx"], private_things["bl"]
    editor = Client()
    assert editor.login(username="bientap.dongxoai", password="loa-demo")
    for kind in ("media", "image", "document"):
        assert editor.get(own[kind].file.url).status_code == 200, kind
        assert editor.get(other[kind].file.url).status_code == 404, kind
    admin = Client()
    assert admin.login(username="admin", password="loa-admin")
    response = admin.get(other["media"].file.url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"RIFF0000WAVE"


def test_packages_are_not_served_by_the_private_view_even_to_staff(private_things):
    admin = Client()
    assert admin.login(username="admin", password="loa-admin")
    name = next(n for n in _private_files() if n.startswith("packages/"))
    from django.core.files.storage import default_storage

    assert admin.get(default_storage.url(name)).status_code == 404


def test_production_hands_private_files_to_the_front_server(private_things, settings):
    settings.LOA_PRIVATE_OFFLOAD = "x-accel-redirect"
    admin = Client()
    assert admin.login(username="admin", password="loa-admin")
    media = private_things["dx"]["media"]
    response = admin.get(media.file.url)
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == (
        settings.LOA_PRIVATE_OFFLOAD_PREFIX + media.file.name
    )
    assert response.content == b""


def test_files_stored_before_the_private_root_are_moved_there(settings):
    from django.core.management import call_command

    old = Path(settings.MEDIA_ROOT) / "media" / "old-recording.wav"
    old.parent.mkdir(parents=True, exist_ok=True)
    old.write_bytes(b"RIFF")
    rendition = Path(settings.MEDIA_ROOT) / "renditions" / "x" / "keep.mp3"
    rendition.parent.mkdir(parents=True, exist_ok=True)
    rendition.write_bytes(b"ID3")
    call_command("move_private_files", stdout=io.StringIO())
    assert not old.exists()
    assert (Path(settings.LOA_PRIVATE_ROOT) / "media" / "old-recording.wav").exists()
    assert rendition.exists()


def test_a_draft_document_is_not_served_by_id_outside_its_scope(private_things):
    own, other = private_things["dx"]["document"], private_things["bl"]["document"]
    editor = Client()
    assert editor.login(username="bientap.dongxoai", password="loa-demo")
    assert editor.get(own.url).status_code == 200
    assert editor.get(other.url).status_code == 404
    assert Client().get(own.url).status_code == 404


def test_a_live_pages_document_is_served_to_anyone_and_a_drafts_to_no_one(demo):
    from cms.models import VideoItemPage

    library = district_library(Unit.objects.get(code="dx"))
    Document = get_document_model()
    docs = {}
    for state in ("live", "draft"):
        doc = Document(title=f"{state} captions")
        doc.file.save(f"{state}-captions.srt", ContentFile(b"1\n"), save=True)
        page = library.add_child(
            instance=VideoItemPage(title=f"{state} video", captions=doc, live=False)
        )
        revision = page.save_revision()
        if state == "live":
            revision.publish()
        docs[state] = doc
    anonymous = Client()
    assert anonymous.get(docs["live"].url).status_code == 200
    assert anonymous.get(docs["draft"].url).status_code == 404
    assert Path(docs["live"].file.path).is_relative_to(django_settings.LOA_PRIVATE_ROOT)


def test_production_hands_documents_to_the_front_server(demo, settings):
    settings.LOA_PRIVATE_OFFLOAD = "x-accel-redirect"
    doc = get_document_model()(title="note")
    doc.file.save("handoff-note.txt", ContentFile(b"ghi chu"), save=True)
    admin = Client()
    assert admin.login(username="admin", password="loa-admin")
    response = admin.get(doc.url)
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == (
        settings.LOA_PRIVATE_OFFLOAD_PREFIX + doc.file.name
    )
    assert response.content == b""
    assert response["X-Content-Type-Options"] == "nosniff"
