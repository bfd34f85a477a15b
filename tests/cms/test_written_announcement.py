"""A written announcement: text typed in the admin becomes speech, goes through the
same pipeline (loudspeaker and FM renditions, measured) and the same review, with no
file ever uploaded."""

import shutil
from pathlib import Path

import pytest
from django.urls import reverse
from wagtail.models import WorkflowState

from cms.models import RadioItemPage
from cms.setup import APPROVAL_NAME
from media_pipeline.models import LoaMedia
from tests.cms.forms import radio_item_form
from tests.media_pipeline.inspect import pyloudnorm_lufs

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs espeak-ng"),
]

NOTICE = (
    "Thông báo của UBND xã Tân Phú.\n"
    "Thực hiện Kế hoạch số 111/KH-UBND ngày 03/4/2023, "
    "trước ngày 20/6 các thôn gửi báo cáo 6 tháng."
)


def _create(client, parent, django_capture_on_commit_callbacks, **fields):
    data = radio_item_form(
        "Thông báo họp thôn", format="announcement", speech_text=NOTICE, **fields
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("wagtailadmin_pages:add", args=("cms", "radioitempage", parent.pk)),
            data,
        )
    assert response.status_code == 302, response.context["form"].errors
    return RadioItemPage.objects.get(title="Thông báo họp thôn")


def test_typed_text_becomes_measured_loudspeaker_and_fm_audio_and_is_approved(
    login, demo, django_capture_on_commit_callbacks, tmp_path
):
    editor = login("bientap.tinh")
    item = _create(
        editor, demo, django_capture_on_commit_callbacks, voice="espeak-south"
    )
    revision_item = item.get_latest_revision_as_object()
    media = LoaMedia.objects.get(pk=revision_item.audio_id)
    assert media.file.name.endswith(".wav")
    assert media.ingest_status == "ready"
    jobs = {j.profile: j for j in media.jobs.all()}
    assert jobs["commune-loudspeaker"].status == "done"
    assert jobs["district-fm"].status == "done"
    commune = Path(jobs["commune-loudspeaker"].file.path)
    assert abs(pyloudnorm_lufs(commune, tmp_path) - (-16.0)) <= 1.0
    fm = Path(jobs["district-fm"].file.path)
    assert abs(pyloudnorm_lufs(fm, tmp_path) - (-23.0)) <= 1.0
    # The text is kept as the item's script.
    assert "111/KH-UBND" in revision_item.transcript

    # Submitted, it passes the technical check and a reviewer approves it.
    data = radio_item_form(
        item.title,
        slug=item.slug,
        format="announcement",
        speech_text=NOTICE,
        voice="espeak-south",
        audio=media.pk,
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = editor.post(
            reverse("wagtailadmin_pages:edit", args=(item.pk,)),
            {**data, "action-submit": "1"},
        )
    assert response.status_code == 302
    # Unchanged text: no second synthesis.
    assert LoaMedia.objects.filter(title="Thông báo họp thôn").count() == 1
    state = WorkflowState.objects.for_instance(item).get()
    assert state.current_task_state.task.name == APPROVAL_NAME
    url = reverse(
        "wagtailadmin_pages:workflow_action",
        args=(item.pk, "approve", state.current_task_state_id),
    )
    login("duyet.tinh").post(url, {"comment": ""})
    item.refresh_from_db()
    assert item.live and item.audio_id == media.pk


def test_changed_text_makes_new_speech(login, demo, django_capture_on_commit_callbacks):
    editor = login("bientap.tinh")
    item = _create(editor, demo, django_capture_on_commit_callbacks)
    first = item.get_latest_revision_as_object().audio_id
    data = radio_item_form(
        item.title,
        slug=item.slug,
        format="announcement",
        speech_text=NOTICE + "\nXin cảm ơn.",
        audio=first,
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = editor.post(
            reverse("wagtailadmin_pages:edit", args=(item.pk,)), data
        )
    assert response.status_code == 302, response.context["form"].errors
    item.refresh_from_db()
    second = item.get_latest_revision_as_object().audio_id
    assert second != first
    assert LoaMedia.objects.get(pk=second).file


def test_edit_view_shows_what_the_machine_will_say(
    login, demo, django_capture_on_commit_callbacks
):
    editor = login("bientap.tinh")
    item = _create(editor, demo, django_capture_on_commit_callbacks)
    page = editor.get(reverse("wagtailadmin_pages:edit", args=(item.pk,)))
    assert "một trăm mười một kế hoạch ủy ban nhân dân" in page.content.decode()


def test_unavailable_voice_is_reported_on_the_media(db):
    from cms.services import media_speech_render

    media = LoaMedia.objects.create(title="x", type="audio")
    media_speech_render(media_id=media.pk, text="Xin chào", voice="no-such-voice")
    media.refresh_from_db()
    assert media.ingest_status == "failed"
    assert not media.file
    assert "Giọng đọc" in media.ingest_error  # said in Vietnamese, the default


def test_overlong_text_is_a_form_error_and_nothing_is_made(login, demo):
    data = radio_item_form(
        "Quá dài", format="announcement", speech_text="a" * 20_001, voice=""
    )
    response = login("bientap.tinh").post(
        reverse("wagtailadmin_pages:add", args=("cms", "radioitempage", demo.pk)),
        data,
    )
    assert response.status_code == 200
    assert "speech_text" in response.context["form"].errors
    assert not RadioItemPage.objects.filter(title="Quá dài").exists()
    assert not LoaMedia.objects.filter(title="Quá dài").exists()


def test_announcement_gets_captions_timed_by_its_speech_served_as_webvtt(
    login, demo, django_capture_on_commit_callbacks, client
):
    from media_pipeline.speech import sentences

    editor = login("bientap.tinh")
    item = _create(editor, demo, django_capture_on_commit_callbacks)
    revision_item = item.get_latest_revision_as_object()
    srt = revision_item.captions.file.read().decode("utf-8")
    assert srt.count(" --> ") == len(sentences(NOTICE)) == 2
    assert "111/KH-UBND" in srt  # the text as written
    last_end = srt.strip().split("\n\n")[-1].splitlines()[1].split(" --> ")[1]
    h, m, s = last_end.replace(",", ".").split(":")
    media = LoaMedia.objects.get(pk=revision_item.audio_id)
    assert abs(int(h) * 3600 + int(m) * 60 + float(s) - media.duration) < 0.05

    # Published, the public page carries the track and the captions serve as WebVTT.
    revision_item.save_revision().publish()
    page = client.get(revision_item.url)
    assert page.status_code == 200
    assert b'kind="captions"' in page.content and b"audio-captions.js" in page.content
    vtt = client.get(reverse("captions", args=(item.pk,)))
    assert vtt.status_code == 200
    assert vtt.content.decode().startswith("WEBVTT")
    assert vtt.content.decode().count(" --> ") == 2
    # A later save with the same text keeps the captions (the field is not in
    # the form).
    data = radio_item_form(
        item.title,
        slug=item.slug,
        format="announcement",
        speech_text=NOTICE,
        audio=revision_item.audio_id,
    )
    with django_capture_on_commit_callbacks(execute=True):
        editor.post(reverse("wagtailadmin_pages:edit", args=(item.pk,)), data)
    item.refresh_from_db()
    assert item.get_latest_revision_as_object().captions_id == revision_item.captions_id
