"""Upload forms sniff content: a renamed text, HTML or SVG file never gets in."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms import ValidationError
from django.utils import translation

from media_pipeline.forms import check_image_upload, check_media_upload
from tests.media import sine_wav

from .samples import video

SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>x</script></svg>'
HTML = b"<!DOCTYPE html><html><body><script>x</script></body></html>"


def up(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


@pytest.mark.parametrize(
    "name,content,code",
    [
        ("empty.mp3", b"", "empty"),
        ("notes.mp3", b"Meeting notes, not a recording.\n" * 20, "not_media"),
        ("page.mp4", HTML, "not_media"),
    ],
)
def test_media_form_rejects_what_is_not_audio_or_video(name, content, code):
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        check_media_upload(up(name, content))
    assert exc.value.code == code


def test_media_form_accepts_real_audio_and_video(tmp_path):
    check_media_upload(
        up("a.wav", sine_wav(tmp_path / "a.wav", seconds=0.5).read_bytes())
    )
    check_media_upload(up("v.mp4", video(tmp_path / "v.mp4", seconds=0.5).read_bytes()))


@pytest.mark.parametrize("content", [SVG, HTML, b""], ids=["svg", "html", "empty"])
def test_image_form_rejects_svg_html_and_empty_files_named_png(content):
    with translation.override("en"), pytest.raises(ValidationError):
        check_image_upload(up("poster.png", content))


def test_admin_image_upload_of_svg_posing_as_png_is_refused(admin_client):
    resp = admin_client.post(
        "/admin/images/add/",
        {"title": "Poster", "file": up("poster.png", SVG), "collection": "1"},
    )
    assert resp.status_code == 200  # the form comes back with an error
    # Wagtail's own image field or the sniffer, whichever sees it first.
    assert "file" in resp.context["form"].errors
    from media_pipeline.models import LoaImage

    assert not LoaImage.objects.exists()


def test_admin_audio_upload_of_text_posing_as_mp3_is_refused(admin_client):
    with translation.override("en"):
        resp = admin_client.post(
            "/admin/media/audio/add/",
            {
                "title": "Song",
                "file": up("song.mp3", b"text\n" * 200),
                "collection": "1",
            },
        )
    assert resp.status_code == 200
    assert "text/plain" in str(resp.context["form"].errors["file"])
    from media_pipeline.models import LoaMedia

    assert not LoaMedia.objects.exists()
