"""Hearing a written announcement before the item is saved: the admin queues a
bounded, throttled synthesis job, the page polls it, and the audio is served only to
the editor who asked, then cleaned up."""

import shutil
import wave
from datetime import timedelta
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone

from cms.models import SpeechPreview
from cms.services import PREVIEW_MAX_CHARACTERS, speech_previews_purge
from loa.storage import stored_path

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs espeak-ng"),
]

CREATE = reverse("cms_admin:speech_preview")


def _ask(client, text="Thông báo của UBND xã số 111/KH-UBND.", voice="espeak-south"):
    return client.post(CREATE, {"text": text, "voice": voice})


def test_editor_hears_the_text_before_saving(login, django_capture_on_commit_callbacks):
    editor = login("bientap.tinh")
    with django_capture_on_commit_callbacks(execute=True):
        asked = _ask(editor)
    assert asked.status_code == 202
    status = editor.get(asked.json()["status_url"]).json()
    assert status["status"] == "done", status
    # What the machine says, beside the sound.
    assert "ủy ban nhân dân" in status["spoken"]
    audio = editor.get(status["audio_url"])
    assert audio.status_code == 200 and audio["Content-Type"] == "audio/wav"
    assert "no-store" in audio["Cache-Control"]
    body = b"".join(audio.streaming_content)
    with wave.open(BytesIO(body)) as w:
        assert 1.0 < w.getnframes() / w.getframerate() < 15
    # Nothing saved as library media or pages: a preview is not an item.
    from media_pipeline.models import LoaMedia

    assert not LoaMedia.objects.exists()


def test_only_the_editor_who_asked_gets_the_audio_and_status(
    login, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        asked = _ask(login("bientap.tinh")).json()
    preview = SpeechPreview.objects.get()
    other = login("duyet.tinh")
    assert other.get(asked["status_url"]).status_code == 404
    assert other.get(asked["audio_url_base"]).status_code == 404
    from django.test import Client

    anonymous = Client().get(asked["audio_url_base"])
    assert anonymous.status_code in (302, 403, 404)
    # The file is private: no public URL maps to it.
    from loa.storage import is_private

    assert is_private(preview.file.name)


@pytest.mark.parametrize(
    ("text", "voice", "message"),
    [
        ("", "espeak-north", "Không có văn bản"),
        ("   \n ", "espeak-north", "Không có văn bản"),
        ("a" * (PREVIEW_MAX_CHARACTERS + 1), "espeak-north", "quá dài"),
        ("Xin chào", "no-such-voice", "Giọng đọc"),
        ("Xin chào", "", "Giọng đọc"),
    ],
)
def test_bad_requests_get_a_clear_message_and_queue_nothing(
    login, text, voice, message
):
    response = _ask(login("bientap.tinh"), text=text, voice=voice)
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert not SpeechPreview.objects.exists()


def test_previews_are_throttled_per_user(
    login, settings, django_capture_on_commit_callbacks
):
    settings.LOA_SPEECH_PREVIEW_LIMIT = 2
    editor = login("bientap.tinh")
    with django_capture_on_commit_callbacks(execute=False):
        assert _ask(editor).status_code == 202
        assert _ask(editor).status_code == 202
        refused = _ask(editor)
        assert refused.status_code == 429 and "Retry-After" in refused
        assert "phút" in refused.json()["error"]
        # Another editor has their own allowance.
        assert _ask(login("duyet.tinh")).status_code == 202
    assert SpeechPreview.objects.count() == 3


def test_who_may_not_edit_pages_cannot_ask(demo, client):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    user = get_user_model().objects.create_user("viewer", password="x" * 12)
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)
    assert _ask(client).status_code == 403
    assert client.get(CREATE).status_code == 405  # POST only
    assert not SpeechPreview.objects.exists()


def test_a_failed_synthesis_says_why(
    login, settings, django_capture_on_commit_callbacks
):
    settings.LOA_SPEECH_VOICES = [
        {"key": "broken", "label": "Broken", "backend": "command", "spec": "false"}
    ]
    editor = login("bientap.tinh")
    with django_capture_on_commit_callbacks(execute=True):
        asked = _ask(editor, voice="broken").json()
    status = editor.get(asked["status_url"]).json()
    assert status["status"] == "failed" and status["error"]
    assert "audio_url" not in status


def test_old_previews_are_removed_with_their_files(
    login, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _ask(login("bientap.tinh"))
        _ask(login("bientap.tinh"), text="Bản thứ hai.")
    old, new = SpeechPreview.objects.order_by("created_at")
    SpeechPreview.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(hours=7)
    )
    path = stored_path(old.file.name)
    assert path.is_file()
    with django_capture_on_commit_callbacks(execute=True):
        assert speech_previews_purge(older_than=timedelta(hours=6)) == 1
    assert not path.is_file()
    assert list(SpeechPreview.objects.all()) == [new]
    assert stored_path(new.file.name).is_file()
