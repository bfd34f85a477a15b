"""Rendition jobs: making them, running them, and recovering them from dead workers.

Status changes go through RenditionJob's transition methods (models.py). Called by
Celery tasks (tasks.py), which stay thin; nothing here runs in a web request.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import shutil
import socket
import threading
import traceback
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import (
    InterfaceError,
    OperationalError,
    connection,
    connections,
    transaction,
)
from django.utils import timezone

from .. import rules
from ..audio import SilentInputError
from ..ffmpeg import FFmpegError, FFmpegTimeout
from ..models import InvalidTransition, LoaImage, LoaMedia, RenditionJob
from ..pipeline import Output, job_timeout, render_all
from ..probe import ProbeError, ProbeResult
from ..profiles import Profile, get_profile
from ..source import RenderError, Source
from .common import sha256_file

logger = logging.getLogger(__name__)


def jobs_ensure(
    *,
    source: LoaMedia | LoaImage,
    profiles: list[str] | None = None,
    captions_path: str | os.PathLike | None = None,
) -> list[RenditionJob]:
    """Make (or find) the job for each profile the source needs, and queue new ones.

    get_or_create on the unique (source, profile, version, sha) guards against two
    ingests racing, and makes a re-ingest of the same file a no-op. Video profiles
    made with captions get the captions' hash in their version, so new captions make
    new renditions.
    """
    kind = "media" if isinstance(source, LoaMedia) else "image"
    names = profiles or rules.required_profiles(source)
    caption_sha = sha256_file(captions_path) if captions_path else ""
    jobs, new_ids = [], []
    for name in names:
        profile = get_profile(name)
        version = rules.rendition_version(profile, caption_sha)
        extra = {}
        if version != profile.version:
            extra = {"captions_path": str(captions_path)}
        job, created = RenditionJob.objects.get_or_create(
            **{kind: source},
            profile=profile.name,
            profile_version=version,
            source_sha256=source.sha256,
            defaults={"extra": extra},
        )
        jobs.append(job)
        if created:
            new_ids.append(job.pk)
    if new_ids:
        from ..tasks import run_jobs

        transaction.on_commit(lambda: run_jobs.delay(new_ids))
    return jobs


def captions_attach(
    *, media_id: int, captions_path: str | os.PathLike
) -> list[RenditionJob]:
    """Video renditions of `media_id` with these captions (SRT or WebVTT): burned
    in for boards, a WebVTT track for the web. Called when an item's captions are
    set or changed; the caption-less renditions stay as they are."""
    media = LoaMedia.objects.get(pk=media_id)
    if media.ingest_status != LoaMedia.IngestStatus.READY or media.type != "video":
        return []
    return jobs_ensure(
        source=media,
        profiles=rules.captioned_profiles(media),
        captions_path=captions_path,
    )


def job_requeue(*, job_id: int) -> RenditionJob:
    """Re-render: a finished, failed or cancelled job starts afresh (attempts
    reset). A job already queued or running is left as it is."""
    with transaction.atomic():
        job = RenditionJob.objects.select_for_update().get(pk=job_id)
        try:
            job.requeue()
        except InvalidTransition:
            return job
    from ..tasks import run_jobs

    transaction.on_commit(lambda: run_jobs.delay([job_id]))
    return job


class TransientError(RuntimeError):
    """Worth retrying later (database or broker hiccup); the job is queued again."""


def _worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def stale_after() -> timedelta:
    """A running job silent for this long belongs to a dead worker."""
    return timedelta(seconds=getattr(settings, "LOA_JOB_STALE_SECONDS", 60))


def _worker_gone(worker: str) -> bool:
    """True when `worker` (host:pid) ran on this machine and that process is gone,
    as after a SIGKILL: no need to wait for its heartbeat to go stale."""
    host, _sep, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    if int(pid) == os.getpid():
        # This process runs one task at a time: the job cannot still be ours.
        return True
    try:
        # A killed process not yet reaped by its parent is a zombie ("Z"): gone too.
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except FileNotFoundError:
        return True
    except OSError:
        return False


def _claim(job_ids: list[int]) -> tuple[list[RenditionJob], list[int]]:
    """Start queued jobs here, taking over running ones whose worker is dead.

    Returns (claimed jobs, ids still running elsewhere with a fresh heartbeat).
    skip_locked lets many workers share the table. A job redelivered after its
    worker was SIGKILLed is taken over at once when that worker was on this
    machine, else once its heartbeat is stale.
    """
    worker = _worker_id()
    cutoff = timezone.now() - stale_after()
    max_attempts = getattr(settings, "LOA_JOB_MAX_ATTEMPTS", 3)
    claimed, busy = [], []
    with transaction.atomic():
        rows = RenditionJob.objects.select_for_update(skip_locked=True).filter(
            pk__in=job_ids,
            status__in=[RenditionJob.Status.QUEUED, RenditionJob.Status.RUNNING],
        )
        for job in rows:
            if job.status == RenditionJob.Status.RUNNING:
                if not _worker_lost(job, cutoff):
                    busy.append(job.pk)
                    continue
                _release_lost(job)
                if job.status != RenditionJob.Status.QUEUED:
                    continue
            if job.attempts >= max_attempts:
                # Every run so far ended in a transient error (database away).
                job.fail(code="internal", detail=f"{job.attempts} runs unfinished")
                continue
            job.start(worker=worker)
            claimed.append(job)
    return claimed, busy


def _worker_lost(job: RenditionJob, cutoff) -> bool:
    fresh = job.heartbeat_at and job.heartbeat_at >= cutoff
    return not fresh or _worker_gone(job.worker)


def _release_lost(job: RenditionJob) -> None:
    """A running job's worker is gone: queue it again (not an attempt), or give
    it up if it has now lost too many workers."""
    logger.warning("job %s: its worker %s was lost", job.pk, job.worker)
    shutil.rmtree(work_dir(job), ignore_errors=True)
    job.release(lost_worker=True)
    if job.lost_too_often():
        job.fail(
            code="worker_lost",
            detail=f"gave up after losing {job.workers_lost} workers",
        )


def jobs_recover_lost() -> list[int]:
    """Queue again the running jobs of dead workers (a dead pid on this machine, a
    stale heartbeat elsewhere) and send them to a worker. Runs when a worker
    starts (worker_ready), so a crashed worker's jobs resume with its successor,
    and periodically (jobs_sweep_stuck). The message that would have redelivered
    them may be gone with the dead worker (the filesystem broker's is)."""
    cutoff = timezone.now() - stale_after()
    recovered = []
    with transaction.atomic():
        running = RenditionJob.objects.select_for_update(skip_locked=True).filter(
            status=RenditionJob.Status.RUNNING
        )
        for job in running:
            if _worker_lost(job, cutoff):
                _release_lost(job)
                if job.status == RenditionJob.Status.QUEUED:
                    recovered.append(job.pk)
    if recovered:
        from ..tasks import run_jobs

        run_jobs.delay(recovered)
    return recovered


def work_dir(job: RenditionJob) -> Path:
    # Under the private root: a render in progress may be a draft's.
    return Path(settings.LOA_PRIVATE_ROOT) / "tmp" / f"job-{job.pk}"


def _final_name(job: RenditionJob, profile: Profile, ext: str | None = None) -> str:
    src = job.source
    stem = Path(src.file.name).stem[:60]
    return (
        f"renditions/{profile.name}/{src.sha256[:2]}/"
        f"{stem}-{src.sha256[:12]}-{job.profile_version}.{ext or profile.ext}"
    )


def _fail(jobs: list[RenditionJob], code: str, detail: str, log: str = "") -> None:
    """Fail the jobs of a group that are still running (some may be done)."""
    for job in jobs:
        if job.status == RenditionJob.Status.RUNNING:
            job.fail(code=code, detail=detail, log=log)


def jobs_run(*, job_ids: list[int]) -> tuple[list[RenditionJob], list[int]]:
    """Run queued jobs. Audio jobs of one source render together in one pass.

    Output is written in a per-job folder and moved into place when complete, so a
    killed worker never leaves a half-written rendition where players can see it.
    Returns (jobs run, ids another live worker is still running).
    """
    jobs, busy = _claim(job_ids)
    for group in _groups(jobs):
        with _Heartbeat([j.pk for j in group]):
            _run_group(group)
    return jobs, busy


def _groups(jobs: list[RenditionJob]) -> list[list[RenditionJob]]:
    """Jobs rendered together: same original, same captions, each profile once
    (two versions of one profile, e.g. with and without captions, go apart)."""
    groups: dict[tuple, list[list[RenditionJob]]] = {}
    for job in jobs:
        key = (job.media_id, job.image_id, job.extra.get("captions_path"))
        subgroups = groups.setdefault(key, [])
        for group in subgroups:
            if all(j.profile != job.profile for j in group):
                group.append(job)
                break
        else:
            subgroups.append([job])
    return [g for subgroups in groups.values() for g in subgroups]


class _Heartbeat:
    """Touches heartbeat_at every few seconds while jobs run, even through phases
    that report no progress (analysis, measuring), so only a dead worker's jobs
    go stale. SQLite (tests, single-process dev) is left out: its writers would
    lock each other and there is no second worker to take over anyway."""

    def __init__(self, ids: list[int]):
        self.ids = ids
        self.stop = threading.Event()
        self.worker = _worker_id()
        self.interval = getattr(settings, "LOA_JOB_HEARTBEAT_SECONDS", 10)
        self.thread = None

    def __enter__(self):
        if connection.vendor != "sqlite" and self.interval > 0:
            self.thread = threading.Thread(target=self._beat, daemon=True)
            self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        if self.thread:
            self.thread.join(timeout=30)

    def _beat(self) -> None:
        try:
            while not self.stop.wait(self.interval):
                RenditionJob.objects.filter(
                    pk__in=self.ids,
                    status=RenditionJob.Status.RUNNING,
                    worker=self.worker,
                ).update(heartbeat_at=timezone.now())
        finally:
            connections.close_all()


def job_source(job: RenditionJob) -> Source:
    """What the renderers need from a job's original (and its captions)."""
    src = job.source
    known = {f.name for f in dataclasses.fields(ProbeResult)}
    probe_result = ProbeResult(
        **{k: v for k, v in (src.probe or {}).items() if k in known}
    )
    captions = job.extra.get("captions_path")
    return Source(
        path=Path(src.file.path),
        probe=probe_result,
        captions_path=Path(captions) if captions else None,
    )


def _run_group(jobs: list[RenditionJob]) -> None:
    src = jobs[0].source
    dirs = [work_dir(j) for j in jobs]
    for d in dirs:
        shutil.rmtree(d, ignore_errors=True)
        d.mkdir(parents=True)
    by_name = {j.profile: j for j in jobs}
    try:
        if not src.file or not os.path.exists(src.file.path):
            raise ProbeError("missing_source")
        if src.sha256 != jobs[0].source_sha256:
            # The original changed since these jobs were made; the new file has its
            # own jobs, so these are no longer wanted.
            for job in jobs:
                job.cancel()
            return
        for job in jobs:
            captions = job.extra.get("captions_path")
            if captions and not os.path.exists(captions):
                raise RenderError("bad_captions", f"captions file missing: {captions}")
        source = job_source(jobs[0])  # a group shares its captions (_groups)
        profiles = [get_profile(j.profile) for j in jobs]
        targets = [
            (p, work_dir(j) / f"out.{p.ext}")
            for p, j in zip(profiles, jobs, strict=True)
        ]
        outputs = render_all(
            source,
            targets,
            timeout=job_timeout(getattr(src, "duration", None) or None),
            on_progress=_progress_saver(by_name),
        )
        for out in outputs:
            _finish(by_name[out.profile.name], out)
    except ProbeError as exc:
        _fail(jobs, exc.code, exc.detail)
    except SilentInputError as exc:
        _fail(jobs, "silent", str(exc))
    except FFmpegTimeout as exc:
        _fail(jobs, "timeout", str(exc), exc.log)
    except FFmpegError as exc:
        # The detail names the binary and ffmpeg's reason; the log keeps the rest.
        _fail(jobs, "ffmpeg", str(exc), exc.log)
    except RenderError as exc:
        _fail(jobs, exc.code, exc.detail)
    except (OperationalError, InterfaceError) as exc:
        # The database went away mid-job: queue the jobs again and let the task
        # retry with backoff (best effort: the database may still be down).
        try:
            for job in jobs:
                if job.status == RenditionJob.Status.RUNNING:
                    job.release(lost_worker=False)
        except (OperationalError, InterfaceError):
            pass  # the sweep or the next worker start recovers them
        raise TransientError(str(exc)) from exc
    except Exception:
        # Never leave a job "running" for ever: record it, then let Celery see it.
        _fail(jobs, "internal", traceback.format_exc())
        raise
    finally:
        for d in dirs:
            shutil.rmtree(d, ignore_errors=True)


def _progress_saver(jobs: dict[str, RenditionJob]):
    last: dict[str, int] = {}

    def save(profile: Profile, frac: float) -> None:
        pct = min(99, int(frac * 100))
        if last.get(profile.name) == pct:
            return
        last[profile.name] = pct
        RenditionJob.objects.filter(pk=jobs[profile.name].pk).update(
            progress=pct, heartbeat_at=timezone.now()
        )

    return save


def _finish(job: RenditionJob, out: Output) -> None:
    """Move a measured output (and its side files) into place atomically: the
    public folder if a live page uses the original, else the private root."""
    from loa.storage import placed_name, source_is_live, stored_path

    profile = out.profile
    public = source_is_live(job.source)
    name = placed_name(_final_name(job, profile), public=public)
    final = stored_path(name)
    final.parent.mkdir(parents=True, exist_ok=True)
    extra = {k: v for k, v in job.extra.items() if k == "captions_path"}
    extra.update(out.extra)
    # Side files (poster frame, WebVTT track) are named after the output.
    for key in job.SIDE_FILES:
        if key in extra:
            side = out.path.parent / extra[key]
            side_name = placed_name(
                _final_name(job, profile, ext=side.suffix.lstrip(".")), public=public
            )
            shutil.move(side, stored_path(side_name))
            extra[key] = side_name
    digest = sha256_file(out.path)
    size = out.path.stat().st_size
    # shutil.move: the work folder and the private root may be different mounts.
    shutil.move(out.path, final)
    job.file.name = name
    job.bytes = size
    job.sha256 = digest
    job.duration = out.duration
    job.loudness_lufs = out.loudness.integrated if out.loudness else None
    job.true_peak_dbtp = out.loudness.true_peak if out.loudness else None
    job.extra = extra
    job.finish()  # sends signals.rendition_done after the commit


def jobs_sweep_stuck() -> int:
    """The periodic sweep (beat): recover jobs of dead workers on any machine."""
    return len(jobs_recover_lost())
