"""Image and media titles are single-line, control-character-free text: the admin
forms refuse the rest with a message (the rule is loa.textsafe's). (A title that
starts like a formula is one line, so accepted: see
tests/broadcast/test_formula_titles_end_to_end.py.)"""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from media_pipeline.models import LoaImage, LoaMedia
from tests.media import sine_wav

pytestmark = pytest.mark.django_db

BAD_TITLES = ["x\n#EXTINF:5,Evil", "Ảnh\rđẹp", "tab\there", "a\u2028b", "e\x1b[2J"]


def _png() -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (32, 24), "#a3120f").save(buf, "PNG")
    return SimpleUploadedFile("poster.png", buf.getvalue())


def _codes(form, field: str) -> list[str]:
    return [e.code for e in form.errors.as_data()[field]]


@pytest.mark.parametrize("title", BAD_TITLES)
def test_admin_image_title_with_control_characters_is_refused(admin_client, title):
    resp = admin_client.post(
        "/admin/images/add/",
        {"title": title, "file": _png(), "collection": "1"},
    )
    assert resp.status_code == 200  # the form comes back with the error
    assert _codes(resp.context["form"], "title") == ["control_characters"]
    assert not LoaImage.objects.exists()


def test_admin_image_title_in_vietnamese_on_one_line_is_saved(admin_client):
    resp = admin_client.post(
        "/admin/images/add/",
        {"title": "Áp phích: Quyền trẻ em", "file": _png(), "collection": "1"},
    )
    assert resp.status_code == 302
    assert LoaImage.objects.get().title == "Áp phích: Quyền trẻ em"


def test_editing_an_image_title_to_several_lines_is_refused(admin_client):
    from tests.factories import ImageFactory

    image = ImageFactory(title="Áp phích")
    resp = admin_client.post(
        f"/admin/images/{image.pk}/",
        {"title": "Áp phích\n#EXTINF:1,x", "collection": "1"},
    )
    assert resp.status_code == 200
    assert _codes(resp.context["form"], "title") == ["control_characters"]
    image.refresh_from_db()
    assert image.title == "Áp phích"


@pytest.mark.parametrize("title", BAD_TITLES)
def test_admin_audio_title_with_control_characters_is_refused(
    admin_client, tmp_path, title
):
    wav = sine_wav(tmp_path / "a.wav", seconds=0.5).read_bytes()
    resp = admin_client.post(
        "/admin/media/audio/add/",
        {
            "title": title,
            "file": SimpleUploadedFile("a.wav", wav),
            "collection": "1",
        },
    )
    assert resp.status_code == 200
    assert _codes(resp.context["form"], "title") == ["control_characters"]
    assert not LoaMedia.objects.exists()


@pytest.mark.parametrize(
    "language,words", [("vi", "một dòng"), ("en", "must be one line")]
)
def test_the_refusal_says_why_in_the_users_language(admin_client, language, words):
    resp = admin_client.post(
        "/admin/images/add/",
        {"title": "a\nb", "file": _png(), "collection": "1"},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    with translation.override(language):
        assert words in " ".join(resp.context["form"].errors["title"])
