"""Many files dropped at once become draft items, each with its pipeline jobs."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from cms.models import PhotoPage, PosterPage, RadioItemPage, VideoItemPage
from cms.setup import district_library
from loa.units.models import Unit
from media_pipeline.models import RenditionJob
from tests import media as test_media

pytestmark = pytest.mark.django_db
URL = "/admin/loa/bulk-upload/"


def _png(name="tranh-co-dong.png") -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), "#b3120f").save(buf, "PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


def _file(path, name=None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name or path.name, path.read_bytes())


def _post(client, parent, collection, files, **extra):
    return client.post(
        URL,
        {
            "parent": parent.pk,
            "collection": collection.pk,
            "image_kind": "poster",
            "files": files,
            **extra,
        },
    )


def test_bulk_upload_makes_one_draft_per_file_with_its_jobs(
    login, demo, tmp_path, django_capture_on_commit_callbacks
):
    from wagtail.models import Collection

    wav = test_media.speechlike_wav(
        tmp_path / "phong_su_quyen_con_nguoi.wav", seconds=1.0
    )
    wav2 = test_media.speechlike_wav(tmp_path / "ban-tin-sang.wav", seconds=1.0)
    video = test_media.test_video(tmp_path / "clip.mp4", seconds=1.0, size="160x90")
    client = login("bientap.tinh")
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(
            client,
            demo,
            Collection.get_first_root_node(),
            [_file(wav), _file(wav2), _file(video), _png()],
        )
    assert response.status_code == 302
    radio = RadioItemPage.objects.order_by("title")
    assert [p.title for p in radio] == ["ban tin sang", "phong su quyen con nguoi"]
    assert VideoItemPage.objects.count() == 1 and PosterPage.objects.count() == 1
    for page in [*radio, VideoItemPage.objects.get(), PosterPage.objects.get()]:
        assert not page.live and page.has_unpublished_changes
        assert page.owner.username == "bientap.tinh"
        assert page.get_parent().pk == demo.pk
        source = page.specific.media_source
        assert RenditionJob.objects.filter(
            **{"image" if page.specific_class is PosterPage else "media": source}
        ).exists(), page.title
    assert radio[0].slug == "ban-tin-sang"


def test_bulk_upload_pictures_can_become_photos(login, demo):
    from wagtail.models import Collection

    response = _post(
        login("bientap.tinh"),
        demo,
        Collection.get_first_root_node(),
        [_png("anh-1.png"), _png("anh-2.png")],
        image_kind="photo",
    )
    assert response.status_code == 302
    assert PhotoPage.objects.count() == 2 and PosterPage.objects.count() == 0


def test_bulk_upload_refuses_unknown_types_empty_files_and_broken_images(login, demo):
    from wagtail.models import Collection

    files = [
        SimpleUploadedFile("virus.exe", b"MZ..."),
        SimpleUploadedFile("rong.mp3", b""),
        SimpleUploadedFile("hong.png", b"not a png"),
    ]
    response = _post(
        login("bientap.tinh"), demo, Collection.get_first_root_node(), files
    )
    assert response.status_code == 200
    assert not RadioItemPage.objects.exists() and not PosterPage.objects.exists()
    errors = " ".join(response.context["form"].errors["files"])
    for name in ("virus.exe", "rong.mp3", "hong.png"):
        assert name in errors


def test_bulk_upload_keeps_good_files_when_some_are_bad(login, demo):
    from wagtail.models import Collection

    response = _post(
        login("bientap.tinh"),
        demo,
        Collection.get_first_root_node(),
        [_png("tot.png"), SimpleUploadedFile("x.exe", b"MZ")],
    )
    assert response.status_code == 302
    assert PosterPage.objects.get().title == "tot"


def test_district_editor_uploads_only_into_their_folder_and_collection(login, demo):
    dx = Unit.objects.get(code="dx")
    bd = Unit.objects.get(code="bd")
    client = login("bientap.dongxoai")
    form = client.get(URL).context["form"]
    assert list(form.fields["parent"].queryset) == [district_library(dx)]
    assert list(form.fields["collection"].queryset) == [dx.collection]
    response = _post(client, district_library(bd), bd.collection, [_png()])
    assert response.status_code == 200
    assert not PosterPage.objects.exists()
    response = _post(client, district_library(dx), dx.collection, [_png()])
    assert response.status_code == 302
    page = PosterPage.objects.get()
    assert page.get_parent().pk == district_library(dx).pk
    assert page.image.collection_id == dx.collection_id


@pytest.mark.parametrize("username", ["dai.dongxoai", "xa.tanphu"])
def test_roles_without_editing_cannot_bulk_upload(login, demo, username):
    response = login(username).get(URL)
    assert response.status_code in (302, 403)


def test_bulk_upload_without_files_is_a_form_error(login, demo):
    from wagtail.models import Collection

    response = _post(login("bientap.tinh"), demo, Collection.get_first_root_node(), [])
    assert response.status_code == 200
    assert "files" in response.context["form"].errors
