"""Writes for the editorial side."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from wagtail.documents import get_document_model
from wagtail.models import Collection, TaskState

from media_pipeline.models import LoaImage, LoaMedia

from .models import (
    ContentItemPage,
    LibraryIndexPage,
    PhotoPage,
    PosterPage,
    RadioItemPage,
    TechnicalCheckTask,
    VideoItemPage,
)
from .selectors import pages_using, technical_problems


def technical_checks_advance(*, source: LoaMedia | LoaImage) -> int:
    """Pass the waiting technical checks of items using `source` whose media is now
    ready. Returns how many were passed."""
    passed = 0
    states = TaskState.objects.filter(
        status=TaskState.STATUS_IN_PROGRESS,
        task__in=TechnicalCheckTask.objects.all(),
        workflow_state__base_content_type__isnull=False,
    ).select_related("workflow_state")
    page_ids = {str(pk) for pk in pages_using(source).values_list("pk", flat=True)}
    for state in states.filter(workflow_state__object_id__in=page_ids):
        if not technical_problems(state.workflow_state.content_object):
            state.specific.approve(user=None, comment="")
            passed += 1
    return passed


class BulkUploadError(ValueError):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def _kind_of(name: str) -> str | None:
    from django.conf import settings

    ext = Path(name).suffix.lower().lstrip(".")
    if ext in settings.WAGTAILMEDIA["AUDIO_EXTENSIONS"]:
        return "audio"
    if ext in settings.WAGTAILMEDIA["VIDEO_EXTENSIONS"]:
        return "video"
    if ext in settings.WAGTAILIMAGES_EXTENSIONS:
        return "image"
    return None


def title_from_filename(name: str) -> str:
    """'phong_su-quyen-con-nguoi.mp3' → 'phong su quyen con nguoi'."""
    stem = Path(name).stem.replace("_", " ").replace("-", " ")
    return " ".join(stem.split())[:255] or name


@transaction.atomic
def item_create_from_upload(
    *,
    upload: UploadedFile,
    parent: LibraryIndexPage,
    collection: Collection,
    user,
    image_kind: str = "poster",
) -> ContentItemPage:
    """One uploaded file → its media (or image) and a draft library item using it.

    Ingest and renditions start when the transaction commits (media_pipeline
    signals), so the item's pipeline jobs exist without anyone opening it.
    """
    from media_pipeline.uploads import IMAGE, MEDIA, upload_check

    kind = _kind_of(upload.name)
    if kind is None:
        raise BulkUploadError(_("This file type is not accepted."))
    try:
        # The same validation as the media and image forms (media_pipeline owns it).
        upload_check(upload, kind=IMAGE if kind == "image" else MEDIA)
    except ValidationError as exc:
        raise BulkUploadError(exc.messages[0]) from exc
    title = title_from_filename(upload.name)
    if kind == "image":
        source = LoaImage(title=title, collection=collection, uploaded_by_user=user)
        source.file.save(upload.name, upload, save=False)
        source.save()
        page_class = PhotoPage if image_kind == "photo" else PosterPage
        page = page_class(title=title, image=source)
    else:
        source = LoaMedia(
            title=title, type=kind, collection=collection, uploaded_by_user=user
        )
        source.file.save(upload.name, upload, save=False)
        source.save()
        if kind == "audio":
            page = RadioItemPage(
                title=title, audio=source, format=RadioItemPage.Format.REPORT
            )
        else:
            page = VideoItemPage(title=title, video=source)
    page.live = False
    page.owner = user
    parent.add_child(instance=page)
    page.save_revision(user=user, log_action=True)
    return page


def video_captions_sync(*, page: VideoItemPage) -> None:
    """Make the captioned video renditions (burned in for boards, a WebVTT track for
    the web) once the item has both a video and a captions file. Jobs are queued
    after commit; the work runs in the media workers."""
    if not (page.video_id and page.captions_id):
        return
    captions = page.captions
    if not captions or not captions.file:
        return
    from media_pipeline.services import captions_attach

    media_id, path = page.video_id, captions.file.path
    transaction.on_commit(
        lambda: captions_attach(media_id=media_id, captions_path=path)
    )


def _speech_digest(text: str, voice: str) -> str:
    import hashlib

    return hashlib.sha256(f"{voice}\n{text.strip()}".encode()).hexdigest()


def announcement_speech_sync(*, page: RadioItemPage, user) -> None:
    """Give a written announcement audio made from its current text and voice.

    Called when the item's form is saved (draft or not). When the text or voice
    changed since the audio was made, a new media file is made for it, empty until
    the worker has synthesised the speech; ingest and renditions then follow as for
    an upload. An item with an uploaded recording and no text is left alone.
    """
    from wagtailmedia.permissions import permission_policy as media_policy

    from media_pipeline.speech import available_voices

    text = (page.speech_text or "").strip()
    if not text:
        return
    voices = available_voices()
    voice = page.voice if page.voice in voices else next(iter(voices))
    page.voice = voice
    digest = _speech_digest(text, voice)
    if page.audio_id and page.speech_digest == digest:
        return
    collection = (
        media_policy.collections_user_has_permission_for(user, "add")
        .order_by("-depth")
        .first()
        if user is not None
        else None
    ) or Collection.get_first_root_node()
    media = LoaMedia.objects.create(
        title=(page.title or str(_("Written announcement")))[:255],
        type="audio",
        collection=collection,
        uploaded_by_user=user if getattr(user, "pk", None) else None,
    )
    # The captions come from the same synthesis: an empty document now, filled by
    # the worker with cues timed by the audio it makes.
    captions = get_document_model().objects.create(
        title=str(_("Captions: %(title)s") % {"title": media.title})[:255],
        collection=collection,
        uploaded_by_user=media.uploaded_by_user,
    )
    page.audio = media
    page.captions = captions
    page.speech_digest = digest
    from django.utils.html import escape, strip_tags

    if not strip_tags(page.transcript or "").strip():
        page.transcript = "".join(
            f"<p>{escape(line)}</p>" for line in text.splitlines() if line.strip()
        )
    from .tasks import announcement_speech_render

    media_id, captions_id = media.pk, captions.pk
    transaction.on_commit(
        lambda: announcement_speech_render.delay(
            media_id, text, voice, captions_id=captions_id
        )
    )


def media_speech_render(
    *, media_id: int, text: str, voice: str, captions_id: int | None = None
) -> LoaMedia | None:
    """Synthesise `text` into the (empty) media file made for a written announcement,
    and its timed captions (SRT, one cue per sentence) into the empty document
    `captions_id`.

    Saving the file starts ingest and renditions like any upload. A synthesis
    failure is recorded on the media as an unusable file, with the reason, so the
    technical check tells the editor what went wrong.
    """
    import tempfile

    from django.core.files import File
    from django.core.files.base import ContentFile

    from media_pipeline.speech import (
        SpeechError,
        available_voices,
        cues_srt,
        synthesise_with_cues,
    )

    media = LoaMedia.objects.filter(pk=media_id).first()
    if media is None or media.file:
        return media  # deleted, or already made (a redelivered task)
    spoken_voice = available_voices().get(voice)
    try:
        if spoken_voice is None:
            raise SpeechError(_("The chosen voice is not available on this server."))
        with tempfile.TemporaryDirectory() as tmp:
            wav = Path(tmp) / "speech.wav"
            cues = synthesise_with_cues(text, spoken_voice, wav)
            captions = (
                get_document_model().objects.filter(pk=captions_id).first()
                if captions_id
                else None
            )
            if captions is not None and not captions.file:
                captions.file.save(
                    f"thong-bao-{media.pk}.srt",
                    ContentFile(cues_srt(cues).encode("utf-8")),
                )
            with wav.open("rb") as fh:
                media.file.save(f"thong-bao-{media.pk}.wav", File(fh), save=False)
            media.save()
    except SpeechError as exc:
        media.ingest_status = LoaMedia.IngestStatus.FAILED
        media.ingest_error = f"{exc}\n{exc.detail}".strip()
        media.save(update_fields=["ingest_status", "ingest_error"])
    return media


# Speech previews: hearing typed text before the item is saved.

PREVIEW_MAX_CHARACTERS = 1500  # about a minute and a half of speech


class PreviewRefused(Exception):
    """The request is not queued; `message` is for the editor, `status` the HTTP
    answer (400 bad input, 429 too many)."""

    def __init__(self, message: str, status: int = 400, retry_after: int = 0):
        super().__init__(message)
        self.message, self.status, self.retry_after = message, status, retry_after


def speech_preview_request(*, user, text: str, voice: str):
    """Queue a preview of `text` spoken by `voice` for `user` (after commit); the
    synthesis runs in a worker. Refuses empty or over-long text, an unknown voice,
    and more than LOA_SPEECH_PREVIEW_LIMIT requests in the window."""
    from datetime import timedelta

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from media_pipeline.speech import available_voices

    from .models import SpeechPreview
    from .tasks import speech_preview_render

    text = (text or "").strip()
    if not text:
        raise PreviewRefused(str(_("There is no text to read.")))
    if len(text) > PREVIEW_MAX_CHARACTERS:
        raise PreviewRefused(
            str(
                _(
                    "The text is too long to preview: %(n)s characters (at most "
                    "%(max)s). Save the item to hear all of it."
                )
                % {"n": len(text), "max": PREVIEW_MAX_CHARACTERS}
            )
        )
    if voice not in available_voices():
        raise PreviewRefused(
            str(_("The chosen voice is not available on this server."))
        )
    window = settings.LOA_SPEECH_PREVIEW_WINDOW_MINUTES
    with transaction.atomic():
        # Serialise one user's requests so two at once cannot both pass the count.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        recent = SpeechPreview.objects.filter(
            user=user, created_at__gte=timezone.now() - timedelta(minutes=window)
        ).count()
        if recent >= settings.LOA_SPEECH_PREVIEW_LIMIT:
            raise PreviewRefused(
                str(
                    _(
                        "Too many previews: at most %(n)s in %(minutes)s minutes. "
                        "Try again in a few minutes."
                    )
                    % {"n": settings.LOA_SPEECH_PREVIEW_LIMIT, "minutes": window}
                ),
                status=429,
                retry_after=window * 60,
            )
        preview = SpeechPreview.objects.create(user=user, text=text, voice=voice)
        preview_id = str(preview.pk)
        transaction.on_commit(lambda: speech_preview_render.delay(preview_id))
    return preview


def speech_preview_render(*, preview_id: str) -> None:
    """Synthesise a queued preview (idempotent: only a queued one is claimed)."""
    import tempfile

    from django.core.files import File

    from media_pipeline.speech import (
        SpeechError,
        available_voices,
        normalise,
        synthesise,
    )

    from .models import SpeechPreview

    claimed = SpeechPreview.objects.filter(
        pk=preview_id, status=SpeechPreview.Status.QUEUED
    ).update(status=SpeechPreview.Status.RUNNING)
    if not claimed:
        return
    preview = SpeechPreview.objects.get(pk=preview_id)
    try:
        voice = available_voices().get(preview.voice)
        if voice is None:
            raise SpeechError(_("The chosen voice is not available on this server."))
        preview.spoken = normalise(preview.text)
        with tempfile.TemporaryDirectory() as tmp:
            wav = synthesise(preview.spoken, voice, Path(tmp) / "preview.wav")
            with wav.open("rb") as fh:
                preview.file.save(f"{preview.pk}.wav", File(fh), save=False)
        preview.status = SpeechPreview.Status.DONE
    except SpeechError as exc:
        preview.status = SpeechPreview.Status.FAILED
        preview.error = str(exc)
    preview.save()


def speech_previews_purge(*, older_than) -> int:
    """Remove previews older than `older_than` (a timedelta) and, after commit,
    their files. Returns how many were removed."""
    from django.core.files.storage import default_storage
    from django.utils import timezone

    from .models import SpeechPreview

    old = SpeechPreview.objects.filter(created_at__lt=timezone.now() - older_than)
    names = [n for n in old.values_list("file", flat=True) if n]
    count, _deleted = old.delete()

    def remove_files():
        for name in names:
            default_storage.delete(name)

    transaction.on_commit(remove_files)
    return count


def page_files_place(*, page_id: int) -> int:
    """After a page is published, unpublished or expires: the renditions of the
    media and images it uses, moved public or private as their use now says
    (loa.storage.source_is_live). Idempotent. Returns how many moved."""
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import Page, ReferenceIndex

    from media_pipeline.services import renditions_place

    page = Page.objects.filter(pk=page_id).first()
    if page is None:
        return 0
    refs = ReferenceIndex.get_references_for_object(page)
    moved = 0
    for model in (LoaMedia, LoaImage):
        ids = refs.filter(
            to_content_type=ContentType.objects.get_for_model(model)
        ).values_list("to_object_id", flat=True)
        for source in model.objects.filter(pk__in=[int(pk) for pk in ids]):
            moved += renditions_place(source=source)
    return moved
