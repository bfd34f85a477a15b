"""An item's captions file reaches its video renditions: burned in for boards, a
WebVTT track for the web, in addition to the caption-less versions."""

import pytest
from django.core.files import File
from wagtail.documents.models import Document

from cms.models import VideoItemPage
from cms.services import video_captions_sync
from media_pipeline.models import LoaMedia, RenditionJob
from media_pipeline.profiles import DEFAULT_PROFILES, get_profile
from tests.media_pipeline.samples import srt, video


@pytest.fixture
def quick_video_profiles(settings):
    settings.LOA_PROFILE_OVERRIDES = {
        p.name: {"options": {**p.options, "preset": "ultrafast"}}
        for p in DEFAULT_PROFILES
        if p.kind == "video"
    }


@pytest.mark.django_db
def test_captions_on_a_video_item_make_captioned_renditions(
    demo, tmp_path, quick_video_profiles, django_capture_on_commit_callbacks
):
    clip = video(tmp_path / "clip.mp4", seconds=1.0, size="320x180", audio=False)
    with django_capture_on_commit_callbacks(execute=True):
        with open(clip, "rb") as fh:
            media = LoaMedia(title="Clip", type="video")
            media.file.save("clip.mp4", File(fh), save=False)
            media.save()
    media.refresh_from_db()
    assert media.ingest_status == "ready"
    plain = set(RenditionJob.objects.filter(media=media).values_list("pk", flat=True))

    with open(srt(tmp_path / "c.srt"), "rb") as fh:
        doc = Document(title="Phụ đề")
        doc.file.save("c.srt", File(fh), save=False)
        doc.save()
    page = demo.add_child(
        instance=VideoItemPage(
            title="Video có phụ đề", slug="video-phu-de", video=media, captions=doc
        )
    )
    with django_capture_on_commit_callbacks(execute=True):
        video_captions_sync(page=page)

    captioned = RenditionJob.objects.filter(media=media).exclude(pk__in=plain)
    names = sorted(captioned.values_list("profile", flat=True))
    assert names == ["ebulletin-landscape", "ebulletin-portrait", "web-video"]
    for job in captioned:
        assert job.status == "done", (job.profile, job.error_code, job.log[-500:])
        assert job.profile_version.startswith(get_profile(job.profile).version)
        assert len(job.profile_version) == len(get_profile(job.profile).version) + 4
    # Saving again asks for nothing new.
    with django_capture_on_commit_callbacks(execute=True):
        video_captions_sync(page=page)
    assert RenditionJob.objects.filter(media=media).count() == len(plain) + 3
