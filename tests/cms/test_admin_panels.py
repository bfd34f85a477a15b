"""The item edit view shows renditions per profile; the dashboard shows what needs
the signed-in editor."""

import pytest
from django.urls import reverse
from django.utils import translation
from wagtail.models import WorkflowState

from loa.units.models import Unit
from media_pipeline.models import LoaMedia, RenditionJob

pytestmark = pytest.mark.django_db


def _edit(client, item):
    with translation.override("en"):
        response = client.get(
            reverse("wagtailadmin_pages:edit", args=(item.pk,)),
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def en_admin(login, settings):
    from django.contrib.auth import get_user_model
    from wagtail.users.models import UserProfile

    def make(username):
        user = get_user_model().objects.get(username=username)
        profile = UserProfile.get_for_user(user)
        profile.preferred_language = "en"
        profile.save()
        return login(username)

    return make


def test_edit_view_shows_each_profile_with_player_waveform_and_loudness(
    en_admin, draft_item, rendered_audio
):
    media = rendered_audio()
    item = draft_item(audio=media)
    html = _edit(en_admin("bientap.tinh"), item)
    for profile in ("commune-loudspeaker", "district-fm", "web-audio"):
        assert f'data-profile="{profile}"' in html
    assert html.count('data-status="done"') == 3
    assert 'class="loa-waveform"' in html and '<path d="M0 ' in html
    assert html.count("<audio controls") == 3
    assert f"{media.loudness_lufs:.1f} LUFS" in html
    web = media.jobs.get(profile="web-audio")
    assert f"{web.loudness_lufs:.1f} LUFS" in html
    assert "All renditions are ready to air." in html
    # Nothing left to wait for: the panel does not poll.
    assert "data-loa-refresh" not in html


def test_edit_view_shows_progress_of_running_and_error_of_failed_jobs(
    en_admin, draft_item, rendered_audio
):
    media = rendered_audio()
    media.jobs.filter(profile="district-fm").update(status="running", progress=40)
    media.jobs.filter(profile="web-audio").update(status="failed", error_code="silent")
    html = _edit(en_admin("bientap.tinh"), draft_item(audio=media))
    assert '<progress max="100" value="40">' in html
    assert 'data-loa-refresh="5000"' in html
    assert "The recording is silent: there is nothing to broadcast." in html
    assert "Re-render" in html
    assert "Not ready to air yet:" in html


def test_edit_view_without_media_says_so(en_admin, draft_item):
    html = _edit(en_admin("bientap.tinh"), draft_item())
    assert "No media file is attached yet." in html


def test_rerender_requeues_a_failed_job(login, draft_item, rendered_audio):
    media = rendered_audio()
    job = media.jobs.get(profile="web-audio")
    RenditionJob.objects.filter(pk=job.pk).update(status="failed", error_code="ffmpeg")
    item = draft_item(audio=media)
    next_url = reverse("wagtailadmin_pages:edit", args=(item.pk,))
    response = login("bientap.tinh").post(
        reverse("cms_admin:job_rerender", args=(job.pk,)) + f"?next={next_url}"
    )
    assert response.status_code == 302 and response.url == next_url
    job.refresh_from_db()
    assert job.status == RenditionJob.Status.QUEUED and job.error_code == ""


def test_rerender_of_another_districts_media_is_denied(login, demo):
    media = LoaMedia.objects.create(
        title="Bù Đăng",
        type="audio",
        file="x.mp3",
        collection=Unit.objects.get(code="bd").collection,
    )
    job = RenditionJob.objects.create(
        media=media, profile="web-audio", profile_version="x", status="failed"
    )
    response = login("bientap.dongxoai").post(
        reverse("cms_admin:job_rerender", args=(job.pk,))
    )
    assert response.status_code in (302, 403)
    job.refresh_from_db()
    assert job.status == RenditionJob.Status.FAILED


def test_rerender_refuses_get_and_unknown_job(login, demo):
    client = login("bientap.tinh")
    assert client.get(reverse("cms_admin:job_rerender", args=(1,))).status_code == 405
    assert (
        client.post(reverse("cms_admin:job_rerender", args=(999,))).status_code == 404
    )


def test_rerender_ignores_an_offsite_next_url(login, rendered_audio, demo):
    job = rendered_audio().jobs.first()
    response = login("bientap.tinh").post(
        reverse("cms_admin:job_rerender", args=(job.pk,))
        + "?next=https://evil.example/"
    )
    assert response.url == reverse("wagtailadmin_home")


def test_dashboard_lists_review_sent_back_and_failed_jobs(
    en_admin, draft_item, rendered_audio, demo
):
    from django.contrib.auth import get_user_model

    User = get_user_model()
    editor, reviewer = (
        User.objects.get(username=u) for u in ("bientap.tinh", "duyet.tinh")
    )
    media = rendered_audio("Lỗi")
    media.jobs.filter(profile="web-audio").update(status="failed", error_code="ffmpeg")
    waiting = draft_item("Chờ duyệt", audio=rendered_audio("Tốt"))
    demo.get_workflow().start(waiting, editor)
    sent_back = draft_item("Cần sửa", audio=rendered_audio("Sửa"))
    state = demo.get_workflow().start(sent_back, editor)
    state.refresh_from_db()
    state.current_task_state.specific.reject(user=reviewer, comment="Thêm nguồn")

    review_html = (
        en_admin("duyet.tinh").get(reverse("wagtailadmin_home")).content.decode()
    )
    assert "Your work in Loa" in review_html
    section = review_html.split("data-loa-to-review", 1)[1].split("</ul>", 1)[0]
    assert "Chờ duyệt" in section and "Cần sửa" not in section

    editor_html = (
        en_admin("bientap.tinh").get(reverse("wagtailadmin_home")).content.decode()
    )
    sent = editor_html.split("data-loa-sent-back", 1)[1].split("</ul>", 1)[0]
    assert "Cần sửa" in sent and "Thêm nguồn" in sent
    failed = editor_html.split("data-loa-failed-jobs", 1)[1].split("</ul>", 1)[0]
    assert "Lỗi" in failed and "web-audio" in failed
    assert WorkflowState.objects.filter(status="needs_changes").count() == 1


def test_poster_edit_view_shows_its_still_rendition(en_admin, demo, tmp_path):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from cms.models import PosterPage
    from media_pipeline.models import LoaImage
    from media_pipeline.profiles import get_profile

    buf = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buf, "PNG")
    image = LoaImage(title="Tranh", ingest_status="ready", sha256="abc")
    image.file.save("tranh.png", SimpleUploadedFile("tranh.png", buf.getvalue()))
    still = get_profile("ebulletin-still")
    RenditionJob.objects.create(
        image=image,
        profile=still.name,
        profile_version=still.version,
        source_sha256="abc",
        status="done",
        file="renditions/tranh.jpg",
    )
    poster = demo.add_child(instance=PosterPage(title="Tranh cổ động", image=image))
    html = _edit(en_admin("bientap.tinh"), poster)
    assert 'data-profile="ebulletin-still"' in html
    assert 'src="/media/renditions/tranh.jpg"' in html
    assert "All renditions are ready to air." in html
