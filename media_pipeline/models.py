"""The media library: audio/video (wagtailmedia), images (Wagtail images), and the
renditions the pipeline makes of them for each target profile."""

from __future__ import annotations

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.images.models import AbstractImage, AbstractRendition, Image
from wagtailmedia.models import AbstractMedia


class ProbeFields(models.Model):
    """What ingest learnt about an original. Filled by a task, never by the request."""

    class IngestStatus(models.TextChoices):
        PENDING = "pending", _("Waiting for check")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Unusable file")

    ingest_status = models.CharField(
        _("ingest status"),
        max_length=16,
        choices=IngestStatus.choices,
        default=IngestStatus.PENDING,
    )
    ingest_error = models.TextField(_("ingest error"), blank=True)
    sha256 = models.CharField(_("SHA-256 of the original"), max_length=64, blank=True)
    file_size = models.PositiveBigIntegerField(
        _("file size (bytes)"), null=True, blank=True
    )
    # The full probe (container, streams, rotation, interlacing, loudness) as measured.
    probe = models.JSONField(_("probe"), default=dict, blank=True)
    loudness_lufs = models.FloatField(
        _("integrated loudness (LUFS)"), null=True, blank=True
    )
    true_peak_dbtp = models.FloatField(_("true peak (dBTP)"), null=True, blank=True)
    loudness_range_lu = models.FloatField(
        _("loudness range (LU)"), null=True, blank=True
    )

    class Meta:
        abstract = True


class LoaMedia(ProbeFields, AbstractMedia):
    """Audio and video originals (radio features, interviews, clips)."""

    # Duration and size come from the probe, not from the editor.
    admin_form_fields = ("title", "file", "collection", "thumbnail", "tags")

    class Meta:
        verbose_name = _("media file")
        verbose_name_plural = _("media files")


class LoaImage(ProbeFields, AbstractImage):
    """Posters, documentary photos and paintings."""

    credit = models.CharField(_("credit"), max_length=255, blank=True)
    author = models.CharField(_("author or source"), max_length=255, blank=True)

    admin_form_fields = Image.admin_form_fields + ("credit", "author")

    class Meta(AbstractImage.Meta):
        verbose_name = _("image")
        verbose_name_plural = _("images")
        permissions = [("choose_loaimage", "Can choose image")]


class LoaImageRendition(AbstractRendition):
    image = models.ForeignKey(
        LoaImage, on_delete=models.CASCADE, related_name="renditions"
    )

    class Meta:
        unique_together = (("image", "filter_spec", "focal_point_key"),)

    def get_upload_to(self, filename):
        # Renditions of an image no live page uses stay private (loa.storage).
        from loa.storage import placed_name, source_is_live

        name = super().get_upload_to(filename)
        return placed_name(name, public=source_is_live(self.image))


class InvalidTransition(ValueError):
    """A job status change asked of a job in a state it cannot start from."""


class RenditionJob(models.Model):
    """One rendition of one original for one profile version: the job and its output.

    Unique per (source, profile, profile version, source hash), so a new source file
    or a changed profile makes a new row, and re-running a done job does nothing.

    The status changes only through the transition methods below (queued → running
    → done | failed | cancelled; running → queued when its worker is lost; done,
    failed or cancelled → queued on Re-render). Each checks the state it starts
    from; callers hold the row locked (select_for_update) where workers race.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    media = models.ForeignKey(
        LoaMedia, null=True, blank=True, on_delete=models.CASCADE, related_name="jobs"
    )
    image = models.ForeignKey(
        LoaImage, null=True, blank=True, on_delete=models.CASCADE, related_name="jobs"
    )
    profile = models.CharField(_("profile"), max_length=64)
    profile_version = models.CharField(_("profile version"), max_length=16)
    source_sha256 = models.CharField(max_length=64)

    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    queued_at = models.DateTimeField(_("queued at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=255, blank=True)
    # error_code picks the message an editor reads (translated at display time);
    # log keeps ffmpeg's own words for staff.
    error_code = models.CharField(max_length=64, blank=True)
    error_detail = models.TextField(blank=True)
    log = models.TextField(blank=True)

    file = models.FileField(
        _("file"), upload_to="renditions/", max_length=500, blank=True
    )
    bytes = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    duration = models.FloatField(null=True, blank=True)
    loudness_lufs = models.FloatField(null=True, blank=True)
    true_peak_dbtp = models.FloatField(null=True, blank=True)
    # Profile-specific extras: waveform peaks path, poster frame, width/height, ...
    extra = models.JSONField(default=dict, blank=True)

    # Keys of `extra` naming files stored beside the rendition.
    SIDE_FILES = ("poster", "captions_vtt")

    class Meta:
        verbose_name = _("rendition")
        verbose_name_plural = _("renditions")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(media__isnull=False, image__isnull=True)
                    | models.Q(media__isnull=True, image__isnull=False)
                ),
                name="renditionjob_exactly_one_source",
            ),
            models.UniqueConstraint(
                fields=["media", "profile", "profile_version", "source_sha256"],
                condition=models.Q(media__isnull=False),
                name="renditionjob_unique_media_profile",
            ),
            models.UniqueConstraint(
                fields=["image", "profile", "profile_version", "source_sha256"],
                condition=models.Q(image__isnull=False),
                name="renditionjob_unique_image_profile",
            ),
        ]
        indexes = [models.Index(fields=["status", "heartbeat_at"])]

    def __str__(self) -> str:
        return f"{self.source} → {self.profile}"

    @property
    def source(self):
        return self.media if self.media_id else self.image

    # --- transitions ----------------------------------------------------------

    def _move(self, allowed: tuple[str, ...], to: str, **fields) -> None:
        if self.status not in allowed:
            raise InvalidTransition(f"job {self.pk}: {self.status} → {to}")
        self.status = to
        for name, value in fields.items():
            setattr(self, name, value)
        self.save()

    def start(self, *, worker: str) -> None:
        """queued → running, one more attempt, on `worker` (host:pid)."""
        now = timezone.now()
        self._move(
            (self.Status.QUEUED,),
            self.Status.RUNNING,
            attempts=self.attempts + 1,
            started_at=now,
            finished_at=None,
            heartbeat_at=now,
            worker=worker,
            progress=0,
        )

    def finish(self) -> None:
        """running → done, with the output fields already set on the job.
        `rendition_done` is sent once the transaction commits."""
        from .signals import rendition_done

        extra = {k: v for k, v in self.extra.items() if k != "workers_lost"}
        self._move(
            (self.Status.RUNNING,),
            self.Status.DONE,
            progress=100,
            finished_at=timezone.now(),
            error_code="",
            error_detail="",
            extra=extra,
        )
        job_id = self.pk
        transaction.on_commit(
            lambda: rendition_done.send(sender=RenditionJob, job_id=job_id)
        )

    def fail(self, *, code: str, detail: str, log: str = "") -> None:
        """queued | running → failed; `code` picks the editor's message."""
        self._move(
            (self.Status.QUEUED, self.Status.RUNNING),
            self.Status.FAILED,
            error_code=code,
            error_detail=detail[-2000:],
            log=(log or detail)[-50_000:],
            finished_at=timezone.now(),
        )

    def cancel(self) -> None:
        """queued | running → cancelled: no longer wanted (its original changed)."""
        self._move(
            (self.Status.QUEUED, self.Status.RUNNING),
            self.Status.CANCELLED,
            finished_at=timezone.now(),
        )

    def requeue(self) -> None:
        """done | failed | cancelled → queued (Re-render): a fresh start, so the
        attempts of earlier runs do not count against it."""
        self._move(
            (self.Status.DONE, self.Status.FAILED, self.Status.CANCELLED),
            self.Status.QUEUED,
            attempts=0,
            progress=0,
            error_code="",
            error_detail="",
            worker="",
            heartbeat_at=None,
            extra={k: v for k, v in self.extra.items() if k != "workers_lost"},
        )

    def release(self, *, lost_worker: bool) -> None:
        """running → queued. The run did not finish through no fault of the job
        (its worker died, or the database went away), so it is not an attempt.
        Lost workers are counted apart: a file that kills every worker that
        touches it is given up after LOA_JOB_MAX_LOST_WORKERS."""
        extra = dict(self.extra)
        if lost_worker:
            extra["workers_lost"] = extra.get("workers_lost", 0) + 1
        self._move(
            (self.Status.RUNNING,),
            self.Status.QUEUED,
            attempts=max(0, self.attempts - 1),
            progress=0,
            worker="",
            heartbeat_at=None,
            extra=extra,
        )

    @property
    def workers_lost(self) -> int:
        return int(self.extra.get("workers_lost", 0))

    def lost_too_often(self) -> bool:
        return self.workers_lost >= getattr(settings, "LOA_JOB_MAX_LOST_WORKERS", 3)
