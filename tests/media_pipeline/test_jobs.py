"""Ingest and jobs against the database: what an editor's upload turns into, what
bad files turn into, and how jobs survive dead workers and hung ffmpeg."""

from __future__ import annotations

import hashlib
import os
import socket
import struct
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.base import ContentFile, File
from django.utils import timezone

from media_pipeline import services
from media_pipeline.models import LoaImage, LoaMedia, RenditionJob
from media_pipeline.profiles import get_profile
from tests.media import ffmpeg, speechlike_wav

from .samples import srt, video

pytestmark = pytest.mark.django_db


@pytest.fixture
def upload(django_capture_on_commit_callbacks):
    """Save a file as an editor's upload; ingest and jobs run (Celery eager)."""

    def make(name: str, content: bytes | Path, model=LoaMedia) -> LoaMedia | LoaImage:
        with django_capture_on_commit_callbacks(execute=True):
            obj = model(title=name)
            if isinstance(content, Path):
                with open(content, "rb") as fh:
                    obj.file.save(name, File(fh), save=True)
            else:
                obj.file.save(name, ContentFile(content), save=True)
        obj.refresh_from_db()
        return obj

    return make


def no_temp_left(settings) -> bool:
    tmp = Path(settings.LOA_PRIVATE_ROOT) / "tmp"
    return not tmp.exists() or not any(tmp.iterdir())


def test_upload_is_probed_hashed_and_rendered_for_every_audio_target(
    upload, tmp_path, settings
):
    wav = speechlike_wav(tmp_path / "phong-su.wav", seconds=3)
    media = upload("phong-su.wav", wav)
    assert media.ingest_status == "ready"
    assert media.sha256 == hashlib.sha256(wav.read_bytes()).hexdigest()
    assert media.type == "audio" and media.duration == pytest.approx(3.0, abs=0.05)
    assert media.probe["sample_rate"] == 48000 and media.probe["channels"] == 2
    assert media.loudness_lufs is not None and media.true_peak_dbtp is not None
    jobs = {j.profile: j for j in media.jobs.all()}
    assert set(jobs) == {"commune-loudspeaker", "district-fm", "web-audio"}
    for job in jobs.values():
        assert job.status == "done", (job.profile, job.error_code, job.log[-500:])
        assert job.progress == 100 and job.attempts == 1
        assert job.started_at <= job.finished_at
        p = get_profile(job.profile)
        assert abs(job.loudness_lufs - p.loudness) <= p.loudness_tolerance
        assert job.true_peak_dbtp <= p.true_peak_max
        assert (
            job.sha256 == hashlib.sha256(open(job.file.path, "rb").read()).hexdigest()
        )
    assert len(jobs["web-audio"].extra["peaks"]) <= 800
    assert no_temp_left(settings)


def test_running_a_done_job_again_does_nothing(upload, tmp_path):
    media = upload("a.wav", speechlike_wav(tmp_path / "a.wav", seconds=3))
    job = media.jobs.get(profile="district-fm")
    before = (job.file.name, job.sha256, job.finished_at, job.attempts)
    ran, busy = services.jobs_run(job_ids=[job.pk])
    assert ran == [] and busy == []
    job.refresh_from_db()
    assert (job.file.name, job.sha256, job.finished_at, job.attempts) == before


def _lying_wav(tmp_path) -> bytes:
    data = speechlike_wav(tmp_path / "real.wav", seconds=3).read_bytes()
    i = data.index(b"data")
    declared = struct.unpack("<I", data[i + 4 : i + 8])[0] * 20
    return data[: i + 4] + struct.pack("<I", declared) + data[i + 8 :]


def _truncated_mp4(tmp_path) -> bytes:
    # A faststart MP4 cut in half: the header promises 4 s, the file holds ~2 s.
    src = tmp_path / "src.mp4"
    ffmpeg(
        "-i", str(video(tmp_path / "v.mp4", seconds=4)),
        "-c", "copy", "-movflags", "+faststart", str(src),
    )  # fmt: skip
    data = src.read_bytes()
    return data[: len(data) // 2]


BAD = {
    "empty.mp3": (lambda tmp: b"", "empty"),
    "text.mp3": (lambda tmp: b"Not a song, just words.\n" * 100, "unreadable"),
    "lying.wav": (_lying_wav, "truncated"),
    "truncated.mp4": (_truncated_mp4, "truncated"),
}


@pytest.mark.parametrize("name", list(BAD))
def test_bad_file_fails_with_a_reason_keeps_the_original_and_the_next_upload_works(
    upload, tmp_path, settings, name
):
    make, code = BAD[name]
    content = make(tmp_path)
    media = upload(name, content)
    failed_jobs = list(media.jobs.filter(status="failed"))
    if media.ingest_status == "failed":
        assert media.ingest_error == code
    else:
        # Found while decoding, not from the header: the jobs say why.
        assert failed_jobs and {j.error_code for j in failed_jobs} == {code}
        assert not media.jobs.filter(status="done").exists()
    assert services.error_message(code)
    assert open(media.file.path, "rb").read() == content
    assert no_temp_left(settings)
    good = upload("good.wav", speechlike_wav(tmp_path / "good.wav", seconds=3))
    assert {j.status for j in good.jobs.all()} == {"done"}


def test_recording_over_the_maximum_duration_is_refused(upload, tmp_path, settings):
    settings.LOA_MAX_DURATION_SECONDS = 2
    media = upload("long.wav", speechlike_wav(tmp_path / "long.wav", seconds=3))
    assert (media.ingest_status, media.ingest_error) == ("failed", "too_long")
    assert not media.jobs.exists()


def test_hung_ffmpeg_is_killed_at_the_timeout(upload, tmp_path, settings):
    media = upload("a.wav", speechlike_wav(tmp_path / "a.wav", seconds=3))
    job = media.jobs.get(profile="district-fm")
    # Swap the original for a FIFO nobody writes to: ffmpeg blocks opening it.
    os.remove(media.file.path)
    os.mkfifo(media.file.path)
    settings.LOA_JOB_TIMEOUT_MIN_SECONDS = 2
    settings.LOA_JOB_TIMEOUT_FACTOR = 0
    RenditionJob.objects.filter(pk=job.pk).update(status="queued")
    started = timezone.now()
    services.jobs_run(job_ids=[job.pk])
    job.refresh_from_db()
    assert (job.status, job.error_code) == ("failed", "timeout")
    assert (timezone.now() - started).total_seconds() < 20
    assert no_temp_left(settings)


def _running(job: RenditionJob, *, worker: str, heartbeat_age: float) -> None:
    RenditionJob.objects.filter(pk=job.pk).update(
        status="running",
        worker=worker,
        heartbeat_at=timezone.now() - timedelta(seconds=heartbeat_age),
        file="",
    )


def test_job_of_a_killed_worker_on_this_machine_is_taken_over_at_once(upload, tmp_path):
    media = upload("a.wav", speechlike_wav(tmp_path / "a.wav", seconds=3))
    job = media.jobs.get(profile="district-fm")
    # A pid that is not running: the worker was SIGKILLed a moment ago.
    _running(job, worker=f"{socket.gethostname()}:{2**22 + 7}", heartbeat_age=1)
    ran, busy = services.jobs_run(job_ids=[job.pk])
    job.refresh_from_db()
    assert [j.pk for j in ran] == [job.pk] and busy == []
    # The lost run is not an attempt.
    assert job.status == "done" and job.attempts == 1


def test_job_with_a_fresh_heartbeat_elsewhere_is_left_alone(upload, tmp_path):
    media = upload("a.wav", speechlike_wav(tmp_path / "a.wav", seconds=3))
    job = media.jobs.get(profile="district-fm")
    _running(job, worker="other-host:1234", heartbeat_age=5)
    ran, busy = services.jobs_run(job_ids=[job.pk])
    assert ran == [] and busy == [job.pk]
    job.refresh_from_db()
    assert job.status == "running"


def test_stale_job_is_requeued_by_the_sweeper_and_finishes(upload, tmp_path, settings):
    media = upload("a.wav", speechlike_wav(tmp_path / "a.wav", seconds=3))
    job = media.jobs.get(profile="district-fm")
    _running(
        job, worker="other-host:1234", heartbeat_age=settings.LOA_JOB_STALE_SECONDS + 5
    )
    leftover = services.work_dir(job)
    leftover.mkdir(parents=True)
    (leftover / "out.wav").write_bytes(b"half written")
    assert services.jobs_sweep_stuck() == 1  # eager: the requeued task runs now
    job.refresh_from_db()
    assert job.status == "done" and job.attempts == 1
    assert not leftover.exists()


def test_new_source_file_or_changed_profile_makes_new_renditions(
    upload, tmp_path, settings, django_capture_on_commit_callbacks
):
    media = upload("a.wav", speechlike_wav(tmp_path / "a.wav", seconds=3))
    first = set(media.jobs.values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        with open(speechlike_wav(tmp_path / "b.wav", seconds=4), "rb") as fh:
            media.file.save("b.wav", File(fh), save=True)
    media.refresh_from_db()
    current = media.jobs.filter(source_sha256=media.sha256)
    assert current.count() == 3 and not first & set(
        current.values_list("pk", flat=True)
    )
    settings.LOA_PROFILE_OVERRIDES = {"commune-loudspeaker": {"bitrate": "96k"}}
    with django_capture_on_commit_callbacks(execute=True):
        (job,) = services.jobs_ensure(source=media, profiles=["commune-loudspeaker"])
    job.refresh_from_db()
    assert job.profile_version == get_profile("commune-loudspeaker").version
    assert job.status == "done" and job.pk not in first
    assert media.jobs.filter(profile="commune-loudspeaker").count() == 3


def test_deleting_an_asset_deletes_its_files_after_commit(
    upload, tmp_path, django_capture_on_commit_callbacks
):
    media = upload("a.wav", speechlike_wav(tmp_path / "a.wav", seconds=3))
    paths = [media.file.path] + [j.file.path for j in media.jobs.all()]
    assert all(os.path.exists(p) for p in paths)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        media.delete()
    assert all(os.path.exists(p) for p in paths)  # not before the commit
    for cb in callbacks:
        cb()
    assert not any(os.path.exists(p) for p in paths)


def test_captions_make_burned_board_video_and_web_track(
    upload, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.LOA_PROFILE_OVERRIDES = {
        n: {"options": {**get_profile(n).options, "preset": "ultrafast"}}
        for n in ("ebulletin-landscape", "ebulletin-portrait", "web-video")
    }
    media = upload("clip.mp4", video(tmp_path / "clip.mp4", seconds=1))
    plain = {j.profile: j for j in media.jobs.all()}
    assert {j.status for j in plain.values()} == {"done"}
    assert "captions_vtt" not in plain["web-video"].extra
    with django_capture_on_commit_callbacks(execute=True):
        jobs = services.captions_attach(
            media_id=media.pk, captions_path=srt(tmp_path / "c.srt")
        )
    assert {j.profile for j in jobs} == {
        "ebulletin-landscape",
        "ebulletin-portrait",
        "web-video",
    }
    for job in jobs:
        job.refresh_from_db()
        assert job.status == "done", (job.error_code, job.log[-500:])
        assert job.profile_version != plain[job.profile].profile_version
    web = next(j for j in jobs if j.profile == "web-video")
    from loa.storage import stored_path

    track = stored_path(web.extra["captions_vtt"])
    poster = stored_path(web.extra["poster"])
    assert track.read_text(encoding="utf-8").startswith("WEBVTT")
    assert poster.read_bytes()[:3] == b"\xff\xd8\xff"
    # Deleting the original takes the side files with it, after the commit.
    with django_capture_on_commit_callbacks(execute=True):
        media.delete()
    assert not track.exists() and not poster.exists()


def test_image_upload_is_checked_and_rendered_as_a_board_still(upload, tmp_path):
    from PIL import Image

    src = tmp_path / "poster.png"
    Image.new("RGB", (1200, 800), "orange").save(src)
    image = upload("poster.png", src, model=LoaImage)
    assert image.ingest_status == "ready"
    (job,) = image.jobs.all()
    assert (job.profile, job.status) == ("ebulletin-still", "done")


def test_one_run_with_and_without_captions_renders_each_version_apart(
    upload, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.LOA_PROFILE_OVERRIDES = {
        "web-video": {
            "options": {**get_profile("web-video").options, "preset": "ultrafast"}
        }
    }
    media = upload("clip.mp4", video(tmp_path / "clip.mp4", seconds=1, audio=False))
    plain = media.jobs.get(profile="web-video")
    with django_capture_on_commit_callbacks(execute=False):
        captioned = next(
            j
            for j in services.captions_attach(
                media_id=media.pk, captions_path=srt(tmp_path / "c.srt")
            )
            if j.profile == "web-video"
        )
    RenditionJob.objects.filter(pk=plain.pk).update(status="queued", attempts=0)
    services.jobs_run(job_ids=[plain.pk, captioned.pk])
    plain.refresh_from_db()
    captioned.refresh_from_db()
    assert plain.status == captioned.status == "done"
    assert "captions_vtt" not in plain.extra and "captions_vtt" in captioned.extra
    assert plain.file.name != captioned.file.name


def test_iphone_heic_photo_is_accepted_and_rendered(upload, tmp_path):
    from PIL import Image

    from media_pipeline.stills import register_heif

    register_heif()
    src = tmp_path / "IMG_0001.heic"
    Image.new("RGB", (640, 480), "teal").save(src, format="HEIF")
    image = upload("IMG_0001.heic", src, model=LoaImage)
    assert image.ingest_status == "ready", image.probe
    assert image.jobs.get().status == "done"


def test_every_error_code_the_pipeline_raises_has_its_own_message_in_vietnamese():
    """An editor reads the message for a job's code; a code with none would read as
    the generic "unexpected error"."""
    import re
    from pathlib import Path

    from django.utils import translation

    from media_pipeline.services.common import ERROR_MESSAGES

    raised = set()
    for path in Path("media_pipeline").rglob("*.py"):
        raised |= set(
            re.findall(
                r"(?:RenderError|ProbeError)\(\s*\"([a-z_]+)\"", path.read_text()
            )
        )
    assert "loudness_missed" in raised
    assert raised <= set(ERROR_MESSAGES), raised - set(ERROR_MESSAGES)
    for code in raised:
        with translation.override("en"):
            english = str(ERROR_MESSAGES[code])
        with translation.override("vi"):
            assert str(ERROR_MESSAGES[code]) != english, code
