"""One upload validation on every path (media form, image form, bulk upload):
sniffed type, LOA_MAX_UPLOAD_MB, and the picture decode budget checked from the
header. Each refusal is a form error in Vietnamese and nothing is saved."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from wagtail.models import Collection

from cms.models import PosterPage, RadioItemPage
from media_pipeline.models import LoaImage, LoaMedia
from tests.media import sine_wav

pytestmark = pytest.mark.django_db

HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>\n" * 20
BULK = "/admin/loa/bulk-upload/"


@pytest.fixture(scope="module")
def huge_png() -> bytes:
    """13,300 × 13,300 pixels in a small file: 1-bit, all white."""
    buf = io.BytesIO()
    Image.new("1", (13300, 13300), 1).save(buf, "PNG")
    return buf.getvalue()


def _errors(response, field: str) -> str:
    assert response.status_code == 200, response.status_code
    return " ".join(response.context["form"].errors[field])


def _bulk(client, library, *files):
    return client.post(
        BULK,
        {
            "parent": library.pk,
            "collection": Collection.get_first_root_node().pk,
            "image_kind": "poster",
            "files": list(files),
        },
    )


def test_bulk_upload_refuses_an_html_page_named_mp3(admin_client, demo):
    # Found by trying: the bulk path did not sniff.
    response = _bulk(admin_client, demo, SimpleUploadedFile("bai-hat.mp3", HTML))
    errors = _errors(response, "files")
    assert "bai-hat.mp3" in errors and "text/html" in errors
    assert "không phải âm thanh hay video" in errors
    assert not LoaMedia.objects.exists() and not RadioItemPage.objects.exists()


def test_media_form_refuses_a_file_over_the_upload_limit(
    admin_client, settings, tmp_path
):
    # Found by trying: the media form took a 1.1 GB file with no cap.
    settings.LOA_MAX_UPLOAD_MB = 1
    wav = sine_wav(tmp_path / "dai.wav", seconds=12)  # 2.3 MB
    response = admin_client.post(
        "/admin/media/audio/add/",
        {
            "title": "Dài",
            "file": SimpleUploadedFile("dai.wav", wav.read_bytes()),
            "collection": "1",
        },
    )
    errors = _errors(response, "file")
    assert "3 MB" in errors and "1 MB" in errors
    assert not LoaMedia.objects.exists()


def test_bulk_upload_applies_the_same_size_limit(
    admin_client, demo, settings, tmp_path
):
    settings.LOA_MAX_UPLOAD_MB = 1
    wav = sine_wav(tmp_path / "dai.wav", seconds=12)
    response = _bulk(
        admin_client, demo, SimpleUploadedFile("dai.wav", wav.read_bytes())
    )
    assert "1 MB" in _errors(response, "files")
    assert not LoaMedia.objects.exists()


def test_a_picture_over_the_decode_budget_is_refused_with_its_size(
    admin_client, huge_png
):
    # Found by trying: a 516 KB PNG under the pixel limit took a process to 1.85 GB.
    assert len(huge_png) < 2 * 1024 * 1024
    response = admin_client.post(
        "/admin/images/add/",
        {
            "title": "Áp phích",
            "file": SimpleUploadedFile("ap-phich.png", huge_png),
            "collection": "1",
        },
    )
    errors = _errors(response, "file")
    assert "13300 × 13300" in errors and "675 MB" in errors and "256 MB" in errors
    assert not LoaImage.objects.exists()


def test_bulk_upload_applies_the_same_decode_budget(admin_client, demo, huge_png):
    response = _bulk(admin_client, demo, SimpleUploadedFile("ap-phich.png", huge_png))
    assert "13300 × 13300" in _errors(response, "files")
    assert not LoaImage.objects.exists() and not PosterPage.objects.exists()


def test_a_picture_within_the_budget_is_accepted(admin_client, demo, settings):
    settings.LOA_IMAGE_DECODE_MB = 1
    buf = io.BytesIO()
    Image.new("RGB", (500, 500), "#b3120f").save(buf, "PNG")  # 0.95 MB decoded
    response = _bulk(admin_client, demo, SimpleUploadedFile("nho.png", buf.getvalue()))
    assert response.status_code == 302
    assert PosterPage.objects.get().title == "nho"
