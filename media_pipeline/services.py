"""Ingest and rendition jobs: the database side of the pipeline.

Called by Celery tasks (tasks.py), which stay thin. Nothing here runs in a web request.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import socket
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .audio import SilentInputError, render_audio, waveform_peaks
from .ffmpeg import FFmpegError, FFmpegTimeout
from .models import LoaImage, LoaMedia, RenditionJob
from .probe import ProbeError, measure_loudness, probe
from .profiles import PROFILES_FOR_MEDIA_TYPE, Profile, get_profile

logger = logging.getLogger(__name__)

# What an editor reads when a job or ingest fails; the technical detail stays in the log.
ERROR_MESSAGES = {
    "empty": _("The file is empty."),
    "unreadable": _(
        "The file is not audio or video that can be read, or it is damaged."
    ),
    "no_streams": _("The file has no sound or picture in it."),
    "too_long": _("The recording is longer than the allowed maximum."),
    "silent": _("The recording is silent: there is nothing to broadcast."),
    "timeout": _("Processing took too long and was stopped."),
    "ffmpeg": _("Conversion failed. Technical staff can see the details in the log."),
    "missing_source": _("The original file is missing."),
    "not_image": _("The file is not an image that can be read."),
    "image_too_large": _("The image has too many pixels to process safely."),
    "worker_lost": _(
        "The worker processing this file stopped; the job will be retried."
    ),
    "internal": _("An unexpected error occurred. Technical staff have the details."),
}


def error_message(code: str):
    return ERROR_MESSAGES.get(code, ERROR_MESSAGES["internal"])


def sha256_file(path: str | Path, *, chunk: int = 1024 * 1024) -> str:
    """Stream the file through SHA-256; never holds it in memory."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(chunk), b""):
            h.update(block)
    return h.hexdigest()


def job_timeout(duration: float | None) -> float:
    """ffmpeg's time limit scales with the media's length (minimum 2 minutes)."""
    return max(120.0, 10.0 * (duration or 60.0))


# --- ingest -----------------------------------------------------------------


def media_ingest(*, media_id: int) -> LoaMedia | None:
    """Hash and probe an uploaded audio/video original, then queue its renditions."""
    media = LoaMedia.objects.filter(pk=media_id).first()
    if media is None or not media.file:
        return None
    path = media.file.path
    fields = ["ingest_status", "ingest_error", "probe"]
    try:
        if not os.path.exists(path):
            raise ProbeError("missing_source")
        result = probe(path)
        if result.duration and result.duration > settings.LOA_MAX_DURATION_SECONDS:
            raise ProbeError("too_long", f"{result.duration:.0f}s")
        if result.has_audio:
            loud = measure_loudness(path, timeout=job_timeout(result.duration))
            result.loudness_lufs = loud.integrated
            result.true_peak_dbtp = loud.true_peak
            result.loudness_range_lu = loud.lra
    except ProbeError as exc:
        media.ingest_status = LoaMedia.IngestStatus.FAILED
        media.ingest_error = exc.code
        media.probe = {"file_name": media.file.name, "error": exc.detail[-2000:]}
        media.save(update_fields=fields)
        return media
    media.sha256 = sha256_file(path)
    media.file_size = os.path.getsize(path)
    media.probe = {**result.as_dict(), "file_name": media.file.name}
    media.type = result.media_type
    media.duration = result.duration or 0
    size = result.display_size
    media.width, media.height = size if size else (None, None)
    media.loudness_lufs = result.loudness_lufs
    media.true_peak_dbtp = result.true_peak_dbtp
    media.loudness_range_lu = result.loudness_range_lu
    media.ingest_status = LoaMedia.IngestStatus.READY
    media.ingest_error = ""
    media.save(
        update_fields=fields
        + [
            "sha256",
            "file_size",
            "type",
            "duration",
            "width",
            "height",
            "loudness_lufs",
            "true_peak_dbtp",
            "loudness_range_lu",
        ]
    )
    jobs_ensure(source=media)
    return media


def jobs_ensure(
    *, source: LoaMedia | LoaImage, profiles: list[str] | None = None
) -> list[RenditionJob]:
    """Make (or find) the job for each profile the source needs, and queue new ones.

    get_or_create on the unique (source, profile, version, sha) guards against two
    ingests racing, and makes a re-ingest of the same file a no-op.
    """
    if isinstance(source, LoaMedia):
        kind, names = (
            "media",
            profiles or PROFILES_FOR_MEDIA_TYPE[source.type or "audio"],
        )
        if source.type == "video" and not source.probe.get("audio_codec"):
            names = [n for n in names if get_profile(n).kind != "audio"]
    else:
        kind, names = "image", profiles or PROFILES_FOR_MEDIA_TYPE["image"]
    jobs, new_ids = [], []
    for name in names:
        profile = get_profile(name)
        job, created = RenditionJob.objects.get_or_create(
            **{kind: source},
            profile=profile.name,
            profile_version=profile.version,
            source_sha256=source.sha256,
        )
        jobs.append(job)
        if created:
            new_ids.append(job.pk)
    if new_ids:
        from .tasks import run_jobs

        transaction.on_commit(lambda: run_jobs.delay(new_ids))
    return jobs


def job_requeue(*, job_id: int) -> RenditionJob:
    """Re-render: reset a failed (or done) job and queue it again."""
    with transaction.atomic():
        job = RenditionJob.objects.select_for_update().get(pk=job_id)
        job.status = RenditionJob.Status.QUEUED
        job.progress = 0
        job.error_code = ""
        job.error_detail = ""
        job.save(update_fields=["status", "progress", "error_code", "error_detail"])
    from .tasks import run_jobs

    transaction.on_commit(lambda: run_jobs.delay([job_id]))
    return job


# --- running jobs -----------------------------------------------------------


def _claim(job_ids: list[int]) -> list[RenditionJob]:
    """Move queued jobs to running. skip_locked lets many workers share the table."""
    worker = f"{socket.gethostname()}:{os.getpid()}"
    now = timezone.now()
    with transaction.atomic():
        jobs = list(
            RenditionJob.objects.select_for_update(skip_locked=True).filter(
                pk__in=job_ids, status=RenditionJob.Status.QUEUED
            )
        )
        for job in jobs:
            job.status = RenditionJob.Status.RUNNING
            job.attempts += 1
            job.started_at = now
            job.heartbeat_at = now
            job.worker = worker
            job.progress = 0
        RenditionJob.objects.bulk_update(
            jobs,
            ["status", "attempts", "started_at", "heartbeat_at", "worker", "progress"],
        )
    return jobs


def work_dir(job: RenditionJob) -> Path:
    return Path(settings.MEDIA_ROOT) / "tmp" / f"job-{job.pk}"


def _final_name(job: RenditionJob, profile: Profile) -> str:
    src = job.source
    stem = Path(src.file.name).stem[:60]
    return f"renditions/{profile.name}/{src.sha256[:2]}/{stem}-{src.sha256[:12]}-{profile.version}.{profile.ext}"


def _fail(jobs: list[RenditionJob], code: str, detail: str) -> None:
    now = timezone.now()
    for job in jobs:
        job.status = RenditionJob.Status.FAILED
        job.error_code = code
        job.error_detail = detail[-2000:]
        job.log = detail[-50_000:]
        job.finished_at = now
    RenditionJob.objects.bulk_update(
        jobs, ["status", "error_code", "error_detail", "log", "finished_at"]
    )


def jobs_run(*, job_ids: list[int]) -> list[RenditionJob]:
    """Run queued jobs. Audio jobs of one source render together in one pass.

    Output is written in a per-job folder and moved into place when complete, so a
    killed worker never leaves a half-written rendition where players can see it.
    """
    jobs = _claim(job_ids)
    if not jobs:
        return []
    by_source: dict[tuple[str, int], list[RenditionJob]] = {}
    for job in jobs:
        key = ("media", job.media_id) if job.media_id else ("image", job.image_id)
        by_source.setdefault(key, []).append(job)
    for group in by_source.values():
        _run_group(group)
    return jobs


def _run_group(jobs: list[RenditionJob]) -> None:
    from .renderers import render_for_kind  # video/still/slideshow live there

    src = jobs[0].source
    dirs = [work_dir(j) for j in jobs]
    for d in dirs:
        shutil.rmtree(d, ignore_errors=True)
        d.mkdir(parents=True)
    try:
        if not src.file or not os.path.exists(src.file.path):
            raise ProbeError("missing_source")
        if src.sha256 != jobs[0].source_sha256:
            # The original changed since this job was made; its replacement has its own job.
            raise ProbeError("missing_source", "source changed")
        duration = getattr(src, "duration", None) or None
        timeout = job_timeout(duration)
        profiles = {j.pk: get_profile(j.profile) for j in jobs}
        audio = [j for j in jobs if profiles[j.pk].kind == "audio"]
        others = [j for j in jobs if profiles[j.pk].kind != "audio"]
        outputs: dict[int, Path] = {}
        if audio:
            tmp = {j.pk: work_dir(j) / f"out.{profiles[j.pk].ext}" for j in audio}
            render_audio(
                Path(src.file.path),
                [(profiles[j.pk], tmp[j.pk]) for j in audio],
                duration=duration,
                timeout=timeout,
                on_progress=_progress_saver(audio),
            )
            outputs.update(tmp)
        for job in others:
            out = work_dir(job) / f"out.{profiles[job.pk].ext}"
            extra = render_for_kind(
                profiles[job.pk],
                src,
                out,
                timeout=timeout,
                on_progress=_progress_saver([job]),
            )
            job.extra = extra or {}
            outputs[job.pk] = out
        for job in jobs:
            _finish(job, profiles[job.pk], outputs[job.pk])
    except ProbeError as exc:
        _fail(jobs, exc.code, exc.detail)
    except SilentInputError as exc:
        _fail(jobs, "silent", str(exc))
    except FFmpegTimeout as exc:
        _fail(jobs, "timeout", exc.log or str(exc))
    except FFmpegError as exc:
        _fail(jobs, "ffmpeg", exc.log or str(exc))
    except RenderError as exc:
        _fail(jobs, exc.code, exc.detail)
    except Exception:
        # Never leave a job "running" for ever: record it, then let Celery see it.
        import traceback

        _fail(jobs, "internal", traceback.format_exc())
        raise
    finally:
        for d in dirs:
            shutil.rmtree(d, ignore_errors=True)


class RenderError(ValueError):
    def __init__(self, code: str, detail: str = ""):
        super().__init__(detail or code)
        self.code = code
        self.detail = detail


def _progress_saver(jobs: list[RenditionJob]):
    ids = [j.pk for j in jobs]

    def save(frac: float) -> None:
        RenditionJob.objects.filter(pk__in=ids).update(
            progress=min(99, int(frac * 100)), heartbeat_at=timezone.now()
        )

    return save


def _finish(job: RenditionJob, profile: Profile, tmp_path: Path) -> None:
    """Verify the output by measuring it, then move it into place atomically."""
    if not tmp_path.exists() or tmp_path.stat().st_size == 0:
        raise RenderError("ffmpeg", f"{profile.name}: no output written")
    info = {}
    if profile.kind in ("audio", "video", "slideshow"):
        out_probe = probe(tmp_path)
        info["duration"] = out_probe.duration
        job.extra = {**job.extra, "probe": out_probe.as_dict()}
        if out_probe.has_audio and profile.loudness is not None:
            loud = measure_loudness(tmp_path, timeout=job_timeout(out_probe.duration))
            info["loudness_lufs"], info["true_peak_dbtp"] = (
                loud.integrated,
                loud.true_peak,
            )
        if profile.options.get("waveform_peaks"):
            job.extra["peaks"] = waveform_peaks(
                tmp_path,
                buckets=profile.options["waveform_peaks"],
                timeout=job_timeout(out_probe.duration),
            )
    name = _final_name(job, profile)
    final = Path(settings.MEDIA_ROOT) / name
    final.parent.mkdir(parents=True, exist_ok=True)
    digest = sha256_file(tmp_path)
    size = tmp_path.stat().st_size
    os.replace(tmp_path, final)
    job.file.name = name
    job.bytes = size
    job.sha256 = digest
    job.duration = info.get("duration")
    job.loudness_lufs = info.get("loudness_lufs")
    job.true_peak_dbtp = info.get("true_peak_dbtp")
    job.status = RenditionJob.Status.DONE
    job.progress = 100
    job.finished_at = timezone.now()
    job.error_code = job.error_detail = ""
    job.save()


def jobs_sweep_stuck(*, stale_after: timedelta = timedelta(minutes=10)) -> int:
    """Requeue jobs whose worker stopped sending heartbeats (killed, machine lost).

    Running jobs update heartbeat_at with their progress; one silent for longer
    than `stale_after` belongs to a dead worker.
    """
    cutoff = timezone.now() - stale_after
    stuck = list(
        RenditionJob.objects.filter(
            status=RenditionJob.Status.RUNNING, heartbeat_at__lt=cutoff
        ).values_list("pk", flat=True)
    )
    if not stuck:
        return 0
    RenditionJob.objects.filter(
        pk__in=stuck, status=RenditionJob.Status.RUNNING
    ).update(status=RenditionJob.Status.QUEUED, progress=0)
    for pk in stuck:
        shutil.rmtree(
            Path(settings.MEDIA_ROOT) / "tmp" / f"job-{pk}", ignore_errors=True
        )
    from .tasks import run_jobs

    run_jobs.delay(stuck)
    return len(stuck)


def image_ingest(*, image_id: int) -> LoaImage | None:
    """Check and hash an uploaded image, then queue its renditions.

    Pillow's decompression-bomb guard is set from WAGTAILIMAGES_MAX_IMAGE_PIXELS so a
    tiny file that expands to gigapixels fails here instead of exhausting memory.
    """
    from PIL import Image, UnidentifiedImageError

    image = LoaImage.objects.filter(pk=image_id).first()
    if image is None or not image.file:
        return None
    path = image.file.path
    limit = settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS
    previous, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, limit
    try:
        # verify() must come straight after open(), so it gets its own open.
        with Image.open(path) as img:
            img.verify()
        with Image.open(path) as img:
            if img.width * img.height > limit:
                raise ProbeError("image_too_large", f"{img.width}x{img.height}")
            info = {
                "format": img.format,
                "mode": img.mode,
                "width": img.width,
                "height": img.height,
                "has_icc": bool(img.info.get("icc_profile")),
                "exif_orientation": img.getexif().get(0x0112),
            }
    except ProbeError as exc:
        return _image_failed(image, exc.code, exc.detail)
    except Image.DecompressionBombError as exc:
        return _image_failed(image, "image_too_large", str(exc))
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        return _image_failed(image, "not_image", str(exc))
    finally:
        Image.MAX_IMAGE_PIXELS = previous
    image.sha256 = sha256_file(path)
    image.file_size = os.path.getsize(path)
    image.probe = {**info, "file_name": image.file.name}
    image.ingest_status = LoaImage.IngestStatus.READY
    image.ingest_error = ""
    image.save(
        update_fields=["sha256", "file_size", "probe", "ingest_status", "ingest_error"]
    )
    jobs_ensure(source=image)
    return image


def _image_failed(image: LoaImage, code: str, detail: str) -> LoaImage:
    image.ingest_status = LoaImage.IngestStatus.FAILED
    image.ingest_error = code
    image.probe = {"file_name": image.file.name, "error": detail[-2000:]}
    image.save(update_fields=["ingest_status", "ingest_error", "probe"])
    return image
