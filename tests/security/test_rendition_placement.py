"""Renditions follow their item: while no live page uses an original, its
renditions (media renditions, their side files, Wagtail image renditions) live
under the private root and are served only to those who may see the original;
publishing moves them to the public folder, unpublishing and expiry move them back.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from wagtail.models import Page

from broadcast.models import Station
from broadcast.services import station_token_create
from cms.models import PosterPage, RadioItemPage, VideoItemPage
from cms.setup import district_library
from exhibitions.models import Exhibit
from loa.units.models import Unit
from media_pipeline.models import LoaImage, LoaImageRendition, LoaMedia, RenditionJob
from tests.factories import AudioMediaFactory, ImageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def roots(settings, tmp_path):
    """Fresh public and private roots: the walks below see this test's files only."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.LOA_PRIVATE_ROOT = tmp_path / "private"
    settings.LOA_PACKAGE_ROOT = tmp_path / "private" / "packages"
    settings.ROOT_URLCONF = "tests.security.urls_serving_media"
    return settings


def _under(path: str | Path, root) -> bool:
    return Path(path).resolve().is_relative_to(Path(root).resolve())


def _files(job: RenditionJob) -> list[str]:
    names = [job.file.name]
    names += [job.extra[k] for k in ("poster", "captions_vtt") if k in job.extra]
    return names


def _draft_radio_item(capture, title="Tin nháp"):
    library = district_library(Unit.objects.get(code="dx"))
    with capture(execute=True):
        media = AudioMediaFactory(
            title=title, collection=Unit.objects.get(code="dx").collection
        )
    page = library.add_child(
        instance=RadioItemPage(title=title, format="news", audio=media, live=False)
    )
    page.save_revision()
    jobs = list(RenditionJob.objects.filter(media=media, status="done"))
    assert jobs, "the pipeline made no rendition"
    return page, media, jobs


def test_a_draft_items_renditions_are_written_under_the_private_root(
    demo, roots, django_capture_on_commit_callbacks
):
    _page, _media, jobs = _draft_radio_item(django_capture_on_commit_callbacks)
    for job in jobs:
        for name in _files(job):
            assert _under(default_storage.path(name), roots.LOA_PRIVATE_ROOT), name
            assert not (Path(roots.MEDIA_ROOT) / name).exists()
        assert Client().get(job.file.url).status_code == 404
        assert Client().get(f"/media/{job.file.name}").status_code == 404
    assert not list(Path(roots.MEDIA_ROOT).rglob("*.mp3"))


def test_the_renditions_panel_gets_private_renditions_through_the_checking_view(
    demo, roots, django_capture_on_commit_callbacks, settings
):
    _page, _media, jobs = _draft_radio_item(django_capture_on_commit_callbacks)
    job = jobs[0]
    own = Client()
    assert own.login(username="bientap.dongxoai", password="loa-demo")
    response = own.get(job.file.url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == Path(job.file.path).read_bytes()
    other = Client()
    other.force_login(_district_editor("bl"))
    assert other.get(job.file.url).status_code == 404
    settings.LOA_PRIVATE_OFFLOAD = "x-accel-redirect"
    handed = own.get(job.file.url)
    assert handed["X-Accel-Redirect"] == (
        settings.LOA_PRIVATE_OFFLOAD_PREFIX + job.file.name
    )


def _district_editor(short: str):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from broadcast.models import StaffAssignment
    from cms import roles
    from cms.setup import district_setup

    user = get_user_model().objects.create_user(f"bientap.{short}", password="x")
    user.groups.add(Group.objects.get(name=roles.DISTRICT_EDITOR))
    user.groups.add(district_setup(unit=Unit.objects.get(code=short)))
    StaffAssignment.objects.create(user=user, unit=Unit.objects.get(code=short))
    return user


def test_publishing_moves_renditions_out_and_unpublishing_moves_them_back(
    demo, roots, django_capture_on_commit_callbacks
):
    page, media, jobs = _draft_radio_item(django_capture_on_commit_callbacks)
    for round_ in range(2):  # the second round finds everything in place
        with django_capture_on_commit_callbacks(execute=True):
            page.get_latest_revision().publish()
        for job in RenditionJob.objects.filter(pk__in=[j.pk for j in jobs]):
            for name in _files(job):
                assert _under(default_storage.path(name), roots.MEDIA_ROOT), name
                assert Path(default_storage.path(name)).is_file()
            assert job.file.url.startswith(roots.MEDIA_URL)
            assert Client().get(job.file.url).status_code == 200, round_
        with django_capture_on_commit_callbacks(execute=True):
            Page.objects.get(pk=page.pk).specific.unpublish()
        for job in RenditionJob.objects.filter(pk__in=[j.pk for j in jobs]):
            for name in _files(job):
                assert _under(default_storage.path(name), roots.LOA_PRIVATE_ROOT)
                assert Path(default_storage.path(name)).is_file()
            assert Client().get(job.file.url).status_code == 404
    assert not list(Path(roots.MEDIA_ROOT).rglob("*.mp3"))


def test_an_expired_items_renditions_go_back_to_the_private_root(
    demo, roots, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    page, _media, jobs = _draft_radio_item(django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        page.get_latest_revision().publish()
    RadioItemPage.objects.filter(pk=page.pk).update(
        expire_at=timezone.now() - timedelta(minutes=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        call_command("publish_scheduled")
    job = RenditionJob.objects.get(pk=jobs[0].pk)
    assert _under(job.file.path, roots.LOA_PRIVATE_ROOT)


def test_a_draft_posters_image_renditions_are_private_until_it_is_published(
    demo, roots, django_capture_on_commit_callbacks
):
    unit = Unit.objects.get(code="dx")
    image = ImageFactory(collection=unit.collection)
    page = district_library(unit).add_child(
        instance=PosterPage(title="Tranh nháp", image=image, live=False)
    )
    page.save_revision()
    thumbnail = image.get_rendition("max-165x165")  # as the admin listing makes
    assert _under(thumbnail.file.path, roots.LOA_PRIVATE_ROOT)
    assert Client().get(thumbnail.url).status_code == 404
    assert Client().get(f"/media/{thumbnail.file.name}").status_code == 404
    editor = Client()
    assert editor.login(username="bientap.dongxoai", password="loa-demo")
    assert editor.get(thumbnail.url).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        page.get_latest_revision().publish()
    for rendition in LoaImageRendition.objects.filter(image=image):
        assert _under(rendition.file.path, roots.MEDIA_ROOT), rendition.file.name
        assert Client().get(rendition.url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        Page.objects.get(pk=page.pk).specific.unpublish()
    for rendition in LoaImageRendition.objects.filter(image=image):
        assert _under(rendition.file.path, roots.LOA_PRIVATE_ROOT)
    image = LoaImage.objects.get(pk=image.pk)
    assert _under(image.get_rendition("max-165x165").file.path, roots.LOA_PRIVATE_ROOT)


def test_no_private_rendition_is_served_anonymously_or_to_another_stations_token(
    demo, roots, django_capture_on_commit_callbacks
):
    _draft_radio_item(django_capture_on_commit_callbacks)
    unit = Unit.objects.get(code="dx")
    image = ImageFactory(collection=unit.collection)
    district_library(unit).add_child(
        instance=PosterPage(title="Tranh nháp", image=image, live=False)
    )
    image.get_rendition("max-165x165")
    root = Path(roots.LOA_PRIVATE_ROOT)
    names = [str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()]
    assert any(n.startswith("drafts/renditions/") for n in names)
    assert any(n.startswith("drafts/images/") for n in names)
    _row, raw = station_token_create(station=Station.objects.get(code="dx-fm"))
    clients = {
        "anonymous": Client(),
        "a station's token": Client(HTTP_AUTHORIZATION=f"Bearer {raw}"),
    }
    served = [
        f"{who} {url}"
        for name in names
        for url in (f"/media/{name}", default_storage.url(name))
        for who, client in clients.items()
        if client.get(url).status_code not in (403, 404)
    ]
    assert not served, "\n".join(served)


def _live_sources() -> tuple[set[int], set[int]]:
    """Media and images some live page uses, read from the pages themselves."""
    live = Page.objects.live()
    media = set(
        RadioItemPage.objects.filter(pk__in=live).values_list("audio_id", flat=True)
    ) | set(
        VideoItemPage.objects.filter(pk__in=live).values_list("video_id", flat=True)
    )
    images = set(
        PosterPage.objects.filter(pk__in=live).values_list("image_id", flat=True)
    ) | set(Exhibit.objects.filter(page__in=live).values_list("image_id", flat=True))
    return media, images


def test_every_public_file_after_the_demo_belongs_to_something_live(
    roots, django_capture_on_commit_callbacks
):
    from demo.loader import load_demo

    with django_capture_on_commit_callbacks(execute=True):
        load_demo(with_media=True)
    _draft_radio_item(django_capture_on_commit_callbacks, title="Bản nháp")
    draft_image = ImageFactory(collection=Unit.objects.get(code="dx").collection)
    district_library(Unit.objects.get(code="dx")).add_child(
        instance=PosterPage(title="Tranh nháp", image=draft_image, live=False)
    )
    draft_image.get_rendition("max-165x165")
    for page in Page.objects.live().specific():
        Client().get(page.url)  # renditions the public pages make on the way

    live_media, live_images = _live_sources()
    public = Path(roots.MEDIA_ROOT)
    orphans = []
    for path in sorted(p for p in public.rglob("*") if p.is_file()):
        name = path.relative_to(public).as_posix()
        job = (
            RenditionJob.objects.filter(file=name).first()
            or RenditionJob.objects.filter(extra__poster=name).first()
            or RenditionJob.objects.filter(extra__captions_vtt=name).first()
        )
        rendition = LoaImageRendition.objects.filter(file=name).first()
        if job is not None and (
            job.media_id in live_media or job.image_id in live_images
        ):
            continue
        if rendition is not None and rendition.image_id in live_images:
            continue
        orphans.append(name)
    assert not orphans, "\n".join(orphans)
    assert any(public.rglob("*.mp3")), "the demo's live items have public renditions"


def test_renditions_of_drafts_made_before_this_are_moved_by_the_upgrade_command(
    demo, roots
):
    import io

    from django.core.management import call_command

    media = LoaMedia(title="Cũ", type="audio")
    media.save()
    old = Path(roots.MEDIA_ROOT) / "renditions" / "web-audio" / "cu.mp3"
    old.parent.mkdir(parents=True, exist_ok=True)
    old.write_bytes(b"ID3")
    job = RenditionJob.objects.create(
        media=media,
        profile="web-audio",
        profile_version="t",
        source_sha256="0" * 64,
        status=RenditionJob.Status.DONE,
        file="renditions/web-audio/cu.mp3",
    )
    call_command("move_private_files", stdout=io.StringIO())
    job.refresh_from_db()
    assert job.file.name == "drafts/renditions/web-audio/cu.mp3"
    assert _under(job.file.path, roots.LOA_PRIVATE_ROOT)
    assert Path(job.file.path).read_bytes() == b"ID3" and not old.exists()


def test_print_pdfs_are_kept_outside_the_public_folder(demo, roots):
    from exhibitions.printing import print_pdf_path

    unit = Unit.objects.get(code="dx")
    image = ImageFactory(file__width=1240, file__height=1754)
    page = district_library(unit).add_child(
        instance=PosterPage(title="Tranh in", image=image)
    )
    page.save_revision().publish()
    assert Client().get(f"/print/{image.pk}/a3/").status_code == 200
    made = print_pdf_path(image, "a3")
    assert made.is_file() and _under(made, roots.LOA_PRIVATE_ROOT)
    assert not list(Path(roots.MEDIA_ROOT).rglob("*.pdf"))


def test_renders_in_progress_are_not_under_the_public_folder(demo, roots):
    from media_pipeline.services import work_dir

    media = LoaMedia(title="Đang làm", type="audio")
    media.save()
    job = RenditionJob.objects.create(
        media=media, profile="web-audio", profile_version="t", source_sha256="0" * 64
    )
    assert _under(work_dir(job), roots.LOA_PRIVATE_ROOT)
    assert not _under(work_dir(job), roots.MEDIA_ROOT)
