"""Ingest of audio and video originals: probe, hash, measure, then queue renditions."""

from __future__ import annotations

import os

from django.conf import settings

from ..models import LoaMedia
from ..pipeline import job_timeout
from ..probe import ProbeError, detect_interlacing, measure_loudness, probe
from .common import sha256_file
from .jobs import jobs_ensure


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
        if result.has_video and result.interlaced is None:
            # Many files do not flag their field order: look at the frames.
            result.interlaced = detect_interlacing(path)
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
