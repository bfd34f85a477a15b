"""Exhibitions: exhibits and stops, print-ready posters, and the media the item pages
play."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files import File
from django.utils import timezone, translation

from cms.models import PosterPage, RadioItemPage, VideoItemPage
from exhibitions.models import Exhibit, ExhibitionStop
from exhibitions.printing import print_options, render_print_pdf
from loa.units.models import Unit
from media_pipeline.models import LoaMedia, RenditionJob
from media_pipeline.video import prepare_captions
from tests.media import ffmpeg

from .conftest import make_image, publish

pytestmark = pytest.mark.django_db


def test_exhibit_without_alt_text_is_refused(library):
    exhibit = Exhibit(image=make_image(), caption="Tranh", alt_text="")
    with pytest.raises(ValidationError) as err:
        exhibit.full_clean(exclude=["page"])
    assert "alt_text" in err.value.message_dict


def test_stop_that_ends_before_it_starts_is_refused(library):
    today = timezone.localdate()
    stop = ExhibitionStop(
        commune=Unit.objects.filter(level="commune").first(),
        venue="Hội trường",
        start_date=today,
        end_date=today - timedelta(days=1),
    )
    with pytest.raises(ValidationError) as err:
        stop.full_clean(exclude=["page"])
    assert "end_date" in err.value.message_dict


def test_exhibition_page_shows_sections_exhibits_and_stops(client, exhibition):
    stop = exhibition.stops.get()
    stop.visitor_count = 321
    stop.event_photos = [("photo", make_image(title="sự kiện"))]
    stop.save()
    exhibition.save_revision().publish()
    with translation.override("en"):
        html = client.get(exhibition.url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert html.index("Phần một") < html.index("Tranh số 1") < html.index("Phần hai")
    assert 'alt="Tranh số 0"' in html and "Chú thích 2" in html
    assert "Nhà văn hoá xã" in html and stop.commune.name in html
    assert "321 visitors" in html
    assert "321 visitors so far" in html
    assert 'alt="Mô tả sự kiện"' in html
    assert "Print this poster" in html  # only exhibit 0 is a poster
    assert html.count("Print this poster") == 1


def test_print_resolution_per_paper_size():
    # 3508×4961 px is A3 at 300 dpi, and A2 at 212 dpi.
    a3, a2 = print_options(3508, 4961)
    assert (a3.paper, a3.dpi, a3.warning) == ("a3", 300, False)
    assert (a2.paper, a2.dpi, a2.warning) == ("a2", 212, False)
    # A4 at 300 dpi: sharp on A3 (212 dpi), soft on A2 (149 dpi).
    a3, a2 = print_options(2480, 3508)
    assert a3.available and not a3.warning
    assert (a2.dpi, a2.available, a2.warning) == (149, True, True)
    small_a3, small_a2 = print_options(800, 1131)
    assert not small_a3.available and not small_a2.available


def test_landscape_posters_are_fitted_to_landscape_paper():
    a3, _a2 = print_options(4961, 3508)
    assert a3.landscape and a3.dpi == 300


def test_a3_pdf_is_an_a3_page_holding_the_whole_original(library):
    image = make_image(1754, 2480, title="a3")  # A3 at 150 dpi
    path = render_print_pdf(image, "a3")
    head = path.read_bytes().decode("latin-1")
    assert head.startswith("%PDF")
    # PDF points: A3 is 842 × 1191.
    import re

    box = re.search(r"/MediaBox \[ ?0 0 ([\d.]+) ([\d.]+) ?\]", head)
    width, height = float(box.group(1)), float(box.group(2))
    assert abs(width - 842) < 3 and abs(height - 1191) < 3
    assert render_print_pdf(image, "a3") == path  # made once


def test_print_downloads_for_a_public_poster(client, library):
    poster = publish(
        library,
        PosterPage(title="Tranh", slug="tranh", image=make_image(1240, 1754)),
    )
    image = poster.image
    original = client.get(f"/print/{image.pk}/original/")
    assert original.status_code == 200
    assert original["Content-Disposition"].startswith("attachment")
    a3 = client.get(f"/print/{image.pk}/a3/")  # 105 dpi: offered with a warning
    assert a3.status_code == 200 and a3["Content-Type"] == "application/pdf"
    assert a3["Content-Disposition"].startswith("attachment")
    assert b"".join(a3.streaming_content).startswith(b"%PDF")
    assert client.get(f"/print/{image.pk}/a2/").status_code == 404  # 74 dpi
    assert client.get(f"/print/{image.pk}/a0/").status_code == 404
    with translation.override("en"):
        html = client.get(poster.url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Low resolution for A3" in html
    assert "A2: the original is too small" in html


def test_print_downloads_refuse_images_not_on_a_public_poster(client, library):
    hidden = make_image(2000, 3000, title="riêng")
    assert client.get(f"/print/{hidden.pk}/original/").status_code == 404
    draft = PosterPage(
        title="Nháp", slug="nhap", image=make_image(2000, 3000), live=False
    )
    library.add_child(instance=draft)
    assert client.get(f"/print/{draft.image.pk}/a3/").status_code == 404


def mp3_job(tmp_path, settings) -> RenditionJob:
    """A finished web-audio rendition of an uploaded original."""
    wav = tmp_path / "src.wav"
    ffmpeg("-f", "lavfi", "-i", "sine=duration=1", str(wav))
    media = LoaMedia(title="Bản tin", type="audio")
    with open(wav, "rb") as f:
        media.file.save("src.wav", File(f), save=False)
    media.save()
    out = settings.MEDIA_ROOT / "renditions" / "web-audio" / f"t-{media.pk}.mp3"
    out.parent.mkdir(parents=True, exist_ok=True)
    ffmpeg("-i", str(wav), "-c:a", "libmp3lame", "-b:a", "64k", str(out))
    return RenditionJob.objects.create(
        media=media,
        profile="web-audio",
        profile_version="t",
        source_sha256="0" * 64,
        status=RenditionJob.Status.DONE,
        file=str(out.relative_to(settings.MEDIA_ROOT)),
        sha256="a" * 64,
        finished_at=timezone.now(),
    )


def test_radio_item_plays_its_web_rendition_with_range_requests(
    client, library, tmp_path, settings
):
    job = mp3_job(tmp_path, settings)
    item = publish(
        library,
        RadioItemPage(
            title="Tin",
            slug="tin",
            format="news",
            audio=job.media,
            transcript="<p>Lời</p>",
        ),
    )
    html = client.get(item.url).content.decode()
    assert f'<audio controls preload="metadata" src="/web-media/{job.pk}/"' in html
    assert "Lời" in html
    full = client.get(f"/web-media/{job.pk}/")
    assert full.status_code == 200 and full["Content-Type"] == "audio/mpeg"
    assert full["X-Content-Type-Options"] == "nosniff"
    part = client.get(f"/web-media/{job.pk}/", HTTP_RANGE="bytes=0-99")
    assert part.status_code == 206 and part["Content-Length"] == "100"


def test_renditions_of_unpublished_items_are_not_served(
    client, library, tmp_path, settings
):
    job = mp3_job(tmp_path, settings)
    assert client.get(f"/web-media/{job.pk}/").status_code == 404  # on no page
    item = publish(
        library, RadioItemPage(title="T", slug="t", format="news", audio=job.media)
    )
    assert client.get(f"/web-media/{job.pk}/").status_code == 200
    item.unpublish()
    assert client.get(f"/web-media/{job.pk}/").status_code == 404


def _captioned_video(library, name: str, content: bytes):
    from django.core.files.base import ContentFile
    from wagtail.documents.models import Document

    doc = Document(title="phụ đề")
    doc.file.save(name, ContentFile(content))
    return publish(library, VideoItemPage(title="Phim", slug="phim", captions=doc))


def test_served_captions_are_the_pipelines_webvtt(client, library, tmp_path):
    # One SRT→WebVTT conversion (media_pipeline.video.prepare_captions, checked by
    # ffmpeg), for the web page's track as for the rendered video's sidecar.
    srt = "\ufeff1\r\n00:00:01,000 --> 00:00:02,500\r\nXin chào\r\n".encode()
    video = _captioned_video(library, "phu-de.srt", srt)
    response = client.get(f"/captions/{video.pk}.vtt")
    source = tmp_path / "in.srt"
    source.write_bytes(srt)
    prepare_captions(source, tmp_path / "out", timeout=30)
    assert response.content == (tmp_path / "out" / "captions.vtt").read_bytes()
    assert "00:01.000 --> 00:02.500" in response.content.decode()


def test_unreadable_captions_answer_404_not_a_broken_track(client, library):
    video = _captioned_video(library, "hong.srt", b"\x00\x01 not subtitles at all")
    assert client.get(f"/captions/{video.pk}.vtt").status_code == 404


def test_video_captions_are_served_as_webvtt_for_public_videos(client, library):
    from django.core.files.base import ContentFile
    from wagtail.documents.models import Document

    doc = Document(title="phụ đề")
    doc.file.save(
        "phu-de.srt", ContentFile(b"1\n00:00:00,000 --> 00:00:01,000\nChao\n")
    )
    video = publish(library, VideoItemPage(title="Phim", slug="phim", captions=doc))
    response = client.get(f"/captions/{video.pk}.vtt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/vtt")
    assert response.content.startswith(b"WEBVTT")
    video.unpublish()
    assert client.get(f"/captions/{video.pk}.vtt").status_code == 404


def test_uploaded_documents_are_served_sandboxed(client, library):
    from django.contrib.auth import get_user_model
    from django.core.files.base import ContentFile
    from wagtail.documents.models import Document

    doc = Document(title="trang")
    doc.file.save("trang.txt", ContentFile(b"<html><script>alert(1)</script>"))
    # A document no live page uses is served only within the viewer's scope.
    client.force_login(get_user_model().objects.create_superuser("root", "", "x"))
    response = client.get(doc.url)
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    # Nothing in it may run or load, even if a browser renders it.
    assert response["Content-Security-Policy"] == "default-src 'none'"


@pytest.mark.parametrize("name", ["trang.html", "hinh.svg", "a.htm", "x.xhtml"])
def test_html_and_svg_uploads_are_refused(library, name):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from wagtail.documents.forms import get_document_form
    from wagtail.documents.models import Document
    from wagtail.images.forms import get_image_form

    from media_pipeline.models import LoaImage

    payload = SimpleUploadedFile(name, b"<svg onload=alert(1)>", "image/svg+xml")
    doc_form = get_document_form(Document)(
        data={"title": "x"}, files={"file": payload}, user=None
    )
    assert not doc_form.is_valid()
    payload.seek(0)
    image_form = get_image_form(LoaImage)(
        data={"title": "x"}, files={"file": payload}, user=None
    )
    assert not image_form.is_valid()


def test_editors_can_open_the_exhibition_forms_in_the_admin(admin_client, exhibition):
    home = exhibition.get_parent()
    add = admin_client.get(f"/admin/pages/add/exhibitions/exhibitionpage/{home.pk}/")
    assert add.status_code == 200
    edit = admin_client.get(f"/admin/pages/{exhibition.pk}/edit/")
    assert edit.status_code == 200
    html = edit.content.decode()
    assert "Nhà văn hoá xã" in html and "Tranh số 0" in html


def test_video_item_plays_web_video_with_its_poster_frame_and_caption_track(
    client, library, settings
):
    media = LoaMedia(title="Phim", type="video")
    media.save()
    folder = settings.MEDIA_ROOT / "renditions" / "web-video"
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / f"v-{media.pk}.mp4"
    ffmpeg("-f", "lavfi", "-i", "testsrc=size=64x48:duration=1", str(out))
    (folder / f"v-{media.pk}.jpg").write_bytes(b"\xff\xd8\xff\xd9")
    (folder / f"v-{media.pk}.vtt").write_text(
        "WEBVTT\n\n00:00.000 --> 00:01.000\nChào\n"
    )
    job = RenditionJob.objects.create(
        media=media,
        profile="web-video",
        profile_version="t",
        source_sha256="0" * 64,
        status=RenditionJob.Status.DONE,
        file=str(out.relative_to(settings.MEDIA_ROOT)),
        sha256="b" * 64,
        finished_at=timezone.now(),
        extra={"poster": f"v-{media.pk}.jpg", "captions_vtt": f"v-{media.pk}.vtt"},
    )
    video = publish(library, VideoItemPage(title="Phim", slug="phim", video=media))
    html = client.get(video.url).content.decode()
    assert f'poster="/web-media/{job.pk}/poster/"' in html
    assert f'<source src="/web-media/{job.pk}/" type="video/mp4">' in html
    assert f'<track kind="captions" src="/web-media/{job.pk}/captions/"' in html
    assert client.get(f"/web-media/{job.pk}/")["Content-Type"] == "video/mp4"
    track = client.get(f"/web-media/{job.pk}/captions/")
    assert track["Content-Type"] == "text/vtt"
    assert client.get(f"/web-media/{job.pk}/poster/")["Content-Type"] == "image/jpeg"
    assert client.get(f"/web-media/{job.pk}/other/").status_code == 404


def test_demo_exhibition_is_published_once_from_the_demo_images(client, library):
    from demo.exhibition import ensure_demo_exhibition

    make_image(title="tranh cổ động")
    page = ensure_demo_exhibition()
    assert ensure_demo_exhibition().pk == page.pk
    assert page.exhibits.count() == 1
    assert page.stops.count() == 1  # one stop per commune, up to three
    assert client.get(page.url).status_code == 200
