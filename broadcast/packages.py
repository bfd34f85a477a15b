"""Broadcast packages: one zip per station and period, for offline playout.

A district station's package carries its communes' material too, one folder per
station. Media is already compressed, so entries are stored, not deflated. The zip
is written entry by entry to a temporary file and renamed into place: memory stays
flat whatever the size. Fixed timestamps and sorted entries make it deterministic:
the same inputs give the same bytes, so the sha256 doubles as the ETag.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import shutil
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from loa.textsafe import single_line, spreadsheet_text
from media_pipeline import rules
from media_pipeline.models import RenditionJob
from media_pipeline.services import sha256_file

from .log import checkpoint_public, checkpoint_sign, log_event
from .models import DistributionEvent, Package, PlannedAiring, Schedule, Station
from .signing import sign

MANIFEST_SCHEMA = "https://loa.example/schemas/package-manifest/v1"
MANIFEST_VERSION = 1
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
LOCAL_TZ = ZoneInfo(settings.TIME_ZONE)

# Which rendition each station kind plays: media_pipeline.rules owns the rule.
PROFILES_FOR_STATION = rules.STATION_PLAYS


def profile_for(station: Station, media_kind: str, *, has_sound: bool = True):
    """The profile `station` plays of `media_kind`, None when it cannot play it."""
    return rules.profile_for_station(
        station_kind=station.kind,
        media_kind=media_kind,
        orientation=station.orientation,
        has_sound=has_sound,
    )


def package_stations(station: Station) -> list[Station]:
    """The station itself and, for a district station, the stations of its communes."""
    stations = [station]
    if station.kind == Station.Kind.DISTRICT_RADIO:
        unit_ids = station.unit.descendant_ids() - {station.unit_id}
        stations += list(
            Station.objects.filter(unit_id__in=unit_ids, active=True).order_by("code")
        )
    return stations


def package_holders(station_ids: set[int]) -> set[int]:
    """Stations whose package carries material for any of `station_ids`: each
    station itself and the district stations above it (see package_stations)."""
    holders: set[int] = set()
    for station in Station.objects.filter(
        pk__in=station_ids, active=True
    ).select_related("unit"):
        holders.add(station.pk)
        holders.update(
            Station.objects.filter(
                kind=Station.Kind.DISTRICT_RADIO,
                active=True,
                unit_id__in=[u.pk for u in station.unit.ancestors()],
            ).values_list("pk", flat=True)
        )
    return holders


def stations_waiting_on_rendition(*, job_id: int, start: date, end: date) -> set[int]:
    """Stations that air, within the period, an item made from the finished job's
    source, and whose kind plays the job's profile: their packages wait on it."""
    from wagtail.models import Page

    job = (
        RenditionJob.objects.filter(pk=job_id, status=RenditionJob.Status.DONE)
        .select_related("media", "image")
        .first()
    )
    if job is None:
        return set()
    source = job.image if job.image_id else job.media
    pairs = (
        PlannedAiring.objects.filter(
            planned_at__gte=datetime.combine(start, datetime.min.time(), LOCAL_TZ),
            planned_at__lte=datetime.combine(end, datetime.max.time(), LOCAL_TZ),
            schedule__withdrawn_at__isnull=True,
            station__active=True,
        )
        .exclude(status=PlannedAiring.Status.CANCELLED)
        .order_by()
        .values_list("schedule__item_id", "station_id")
        .distinct()
    )
    items: dict[int, object] = {}
    stations = Station.objects.in_bulk({station_id for _i, station_id in pairs})
    waiting: set[int] = set()
    for item_id, station_id in pairs:
        if item_id not in items:
            page = Page.objects.filter(pk=item_id).first()
            items[item_id] = page.specific if page else None
        station = stations[station_id]
        # The station's version of the item (its language) is the one that waits.
        media = _media_of(items[item_id], station) if items[item_id] else None
        if (
            media
            and media[0] == source
            and rules.station_profile(station, source) == job.profile
        ):
            waiting.add(station_id)
    return waiting


@dataclass
class PlannedFile:
    station: Station
    item_id: int
    title: str
    language: str
    profile: str
    rendition: RenditionJob
    slots: list[str] = field(default_factory=list)
    # The highest priority among the schedules that put this file on air.
    priority: str = "normal"

    @property
    def arcname(self) -> str:
        ext = Path(self.rendition.file.name).suffix
        return f"{self.station.code}/media/{self.item_id}-{self.profile}{ext}"


def _media_of(item, station: Station) -> tuple[object, str] | None:
    """(source, language) of the version of `item` this station gets:
    cms.selectors.version_for_languages owns the choice (Vietnamese fallback)."""
    from cms.selectors import version_for_languages

    if getattr(item, "media_source", None) is None:
        return None
    language, src = version_for_languages(item, station.language_codes())
    return (src, language) if src is not None else None


def _off_air_cause(item, day: date) -> str:
    """Why an item may no longer air on `day` ("" when it may)."""
    from .services import item_is_schedulable

    if item is None:
        return "deleted"
    if not item.live:
        return "unpublished"
    return "" if item_is_schedulable(item, on=day) else "expired"


_RANK = {"emergency": 0, "priority": 1, "normal": 2}


def collect_inputs(
    station: Station, start: date, end: date
) -> tuple[list[PlannedFile], list[dict], list[dict]]:
    """What goes in: planned files, withdrawals, and items still waiting for renditions."""
    stations = package_stations(station)
    first = datetime.combine(start, datetime.min.time(), LOCAL_TZ)
    last = datetime.combine(end, datetime.max.time(), LOCAL_TZ)
    airings = (
        PlannedAiring.objects.filter(
            station__in=stations, planned_at__gte=first, planned_at__lte=last
        )
        .select_related("schedule", "station")
        .order_by("station__code", "schedule__item_id", "planned_at")
    )
    files: dict[tuple[int, int], PlannedFile] = {}
    pending: list[dict] = []
    withdrawn: dict[int, dict] = {}
    off_air: dict[tuple[int, date], str] = {}
    for a in airings:
        sched = a.schedule
        if a.status == PlannedAiring.Status.CANCELLED or sched.withdrawn_at:
            withdrawn[sched.pk] = _withdrawal(sched)
            continue
        # An item that expired, was unpublished or deleted after it was scheduled
        # must not reach air: it travels as a withdrawal instead of a file.
        day = a.planned_at.astimezone(LOCAL_TZ).date()
        if (sched.pk, day) not in off_air:
            off_air[(sched.pk, day)] = _off_air_cause(sched.item, day)
        cause = off_air[(sched.pk, day)]
        if cause:
            withdrawn.setdefault(
                sched.pk,
                {
                    "content_id": sched.item_id,
                    "title": sched.item_title,
                    "withdrawn_at": None,
                    "reason": "",
                    "cause": cause,
                },
            )
            continue
        key = (a.station_id, sched.item_id)
        if key not in files:
            item = sched.item.specific if sched.item else None
            media = _media_of(item, a.station) if item else None
            profile = rules.station_profile(a.station, media[0]) if media else None
            job = None
            if media and profile:
                job = rules.current_rendition(media[0], profile)
            if job is None:
                pending.append(
                    {
                        "station": a.station.code,
                        "content_id": sched.item_id,
                        "title": sched.item_title,
                        "profile": profile,
                    }
                )
                files[key] = None  # type: ignore[assignment]
                continue
            files[key] = PlannedFile(
                station=a.station,
                item_id=sched.item_id,
                title=sched.item_title,
                language=media[1],
                profile=profile,
                rendition=job,
            )
        if files[key] is not None:
            if _RANK[sched.priority] < _RANK[files[key].priority]:
                files[key].priority = sched.priority
            files[key].slots.append(
                a.planned_at.astimezone(LOCAL_TZ).isoformat()
                + ("~" if a.flexible else "")
            )
    for sched in withdrawals_in_force(stations, start):
        withdrawn.setdefault(sched.pk, _withdrawal(sched))
    return (
        [f for f in files.values() if f is not None],
        sorted(
            withdrawn.values(), key=lambda w: (w["content_id"] or 0, w["withdrawn_at"])
        ),
        pending,
    )


def _withdrawal(sched: Schedule) -> dict:
    return {
        "content_id": sched.item_id,
        "title": sched.item_title,
        "withdrawn_at": sched.withdrawn_at.isoformat() if sched.withdrawn_at else None,
        "reason": sched.withdrawn_reason,
        "cause": "withdrawn",
    }


def withdrawals_in_force(stations: list[Station], start: date) -> list[Schedule]:
    """Withdrawn schedules of these stations whose period has not ended.

    Every manifest carries them, not only those with airings in its own period, so
    a station that missed the package announcing a withdrawal learns it from the
    next one it gets."""
    today = min(start, timezone.localdate())
    return list(
        Schedule.objects.filter(
            withdrawn_at__isnull=False,
            end_date__gte=today,
            airings__station__in=stations,
        )
        .distinct()
        .order_by("pk")
    )


def inputs_hash(
    station: Station,
    start: date,
    end: date,
    files: list[PlannedFile],
    withdrawals: list[dict],
) -> str:
    h = hashlib.sha256()
    h.update(f"{MANIFEST_VERSION}|{station.code}|{start}|{end}".encode())
    for f in files:
        h.update(
            f"|{f.arcname}|{f.rendition.sha256}|{f.title}|{f.language}|{','.join(f.slots)}".encode()
        )
        if f.priority != "normal":
            # Only when set, so packages made before priorities keep their hash.
            h.update(f"|priority={f.priority}".encode())
    h.update(json.dumps(withdrawals, sort_keys=True).encode())
    return h.hexdigest()


def _manifest(
    package_id: str,
    station: Station,
    start: date,
    end: date,
    files: list[PlannedFile],
    withdrawals: list[dict],
    pending: list[dict],
    generated_at: datetime,
) -> dict:
    return {
        "$schema": MANIFEST_SCHEMA,
        "schema_version": MANIFEST_VERSION,
        "package_id": package_id,
        "station": {"code": station.code, "name": station.name, "kind": station.kind},
        "stations": sorted({f.station.code for f in files} | {station.code}),
        "period": {"from": start.isoformat(), "to": end.isoformat()},
        "generated_at": generated_at.isoformat(),
        "timezone": settings.TIME_ZONE,
        "items": [
            {
                "path": f.arcname,
                "station": f.station.code,
                "profile": f.profile,
                "sha256": f.rendition.sha256,
                "bytes": f.rendition.bytes,
                "duration": f.rendition.duration,
                "title": f.title,
                "content_id": f.item_id,
                "language": f.language,
                "planned_slots": f.slots,
                "priority": f.priority,
            }
            for f in files
        ],
        "withdrawals": withdrawals,
        "pending": pending,
    }


def _m3u(files: list[PlannedFile], station_code: str) -> str:
    """The playlist: a title is one line of the #EXTINF comment, whatever it holds,
    so it can never become an entry of its own."""
    lines = ["#EXTM3U"]
    for f in files:
        if f.station.code != station_code:
            continue
        title = single_line(f.title)
        lines.append(f"#EXTINF:{round(f.rendition.duration or -1)},{title}")
        lines.append(f"media/{Path(f.arcname).name}")
    return "\n".join(lines) + "\n"


def _schedule_csv(files: list[PlannedFile]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(
        ["station", "planned_at", "flexible", "content_id", "title", "path", "duration"]
    )
    for f in files:
        for slot in f.slots:
            w.writerow(
                [
                    f.station.code,
                    slot.rstrip("~"),
                    "1" if slot.endswith("~") else "0",
                    f.item_id,
                    spreadsheet_text(f.title),
                    f.arcname,
                    f.rendition.duration,
                ]
            )
    return buf.getvalue()


def _ics_escape(s: str) -> str:
    """A TEXT value (RFC 5545 §3.3.11) on one line."""
    return single_line(s).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")


def _ics_fold(line: str) -> str:
    """Fold a content line at 75 octets (RFC 5545 §3.1), never inside a UTF-8
    character; continuation lines start with one space."""
    out, current, size, limit = [], [], 0, 75
    for ch in line:
        n = len(ch.encode())
        if size + n > limit:
            out.append("".join(current))
            current, size, limit = [], 0, 74  # the leading space takes one octet
        current.append(ch)
        size += n
    out.append("".join(current))
    return "\r\n ".join(out)


def _schedule_ics(files: list[PlannedFile], package_id: str, stamp: datetime) -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Loa//Broadcast package//VI",
        "CALSCALE:GREGORIAN",
    ]
    utc = ZoneInfo("UTC")
    for f in files:
        for slot in f.slots:
            at = datetime.fromisoformat(slot.rstrip("~")).astimezone(utc)
            end = at.timestamp() + (f.rendition.duration or 60)
            lines += [
                "BEGIN:VEVENT",
                # Stable across rebuilds (no package id), unique by the database's
                # one-airing-per-station-item-time rule.
                f"UID:{f.station.code}-{f.item_id}-{at:%Y%m%dT%H%M%SZ}@loa",
                f"DTSTAMP:{stamp.astimezone(utc):%Y%m%dT%H%M%SZ}",
                f"DTSTART:{at:%Y%m%dT%H%M%SZ}",
                f"DTEND:{datetime.fromtimestamp(end, utc):%Y%m%dT%H%M%SZ}",
                f"SUMMARY:{_ics_escape(f.title)}",
                f"LOCATION:{f.station.code}",
                "END:VEVENT",
            ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(_ics_fold(ln) for ln in lines) + "\r\n"


def _zinfo(name: str, size: int = 0) -> zipfile.ZipInfo:
    zi = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
    zi.compress_type = zipfile.ZIP_STORED
    zi.external_attr = 0o644 << 16
    zi.file_size = size
    return zi


def package_build(*, station_id: int, start: date, end: date) -> Package:
    """Build (or reuse) the package of a station for a period."""
    station = Station.objects.select_related("unit").get(pk=station_id)
    files, withdrawals, pending = collect_inputs(station, start, end)
    ihash = inputs_hash(station, start, end, files, withdrawals)
    existing = Package.objects.filter(
        station=station,
        period_start=start,
        period_end=end,
        inputs_hash=ihash,
        status=Package.Status.READY,
    ).first()
    if existing and existing.path and os.path.exists(existing.path):
        _make_current(existing)
        return existing
    # The id derives from the inputs, so a rebuild of the same inputs is byte-identical.
    package_uuid = hashlib.sha256(f"loa-package|{ihash}".encode()).hexdigest()
    import uuid as uuidlib

    public_id = uuidlib.UUID(package_uuid[:32])
    generated_at = (
        max(
            [f.rendition.finished_at for f in files if f.rendition.finished_at]
            + [datetime.combine(start, datetime.min.time(), LOCAL_TZ)]
        )
        .astimezone(ZoneInfo("UTC"))
        .replace(microsecond=0)
    )
    manifest = _manifest(
        str(public_id), station, start, end, files, withdrawals, pending, generated_at
    )
    # The latest signed checkpoint travels with every package, so each station keeps
    # a witness of the log. A lost file rebuilt from the same inputs reuses the one
    # it carried before: the bytes stay the same.
    manifest["log_checkpoint"] = (
        existing.manifest.get("log_checkpoint")
        if existing and existing.manifest.get("log_checkpoint")
        else checkpoint_public(checkpoint_sign())
    )
    manifest_bytes = json.dumps(
        manifest, ensure_ascii=False, indent=2, sort_keys=True
    ).encode()

    root = Path(settings.LOA_PACKAGE_ROOT) / station.code
    root.mkdir(parents=True, exist_ok=True)
    final = root / f"{station.code}_{start:%Y%m%d}-{end:%Y%m%d}_{ihash[:12]}.zip"
    tmp = final.with_suffix(f".zip.part-{os.getpid()}")
    sums: list[tuple[str, str]] = []
    texts: dict[str, bytes] = {
        "manifest.json": manifest_bytes,
        "manifest.json.sig": sign(manifest_bytes),
    }
    for code in sorted({f.station.code for f in files} | {station.code}):
        texts[f"{code}/playlist.m3u"] = _m3u(files, code).encode()
    texts["schedule.csv"] = _schedule_csv(files).encode()
    texts["schedule.ics"] = _schedule_ics(files, str(public_id), generated_at).encode()
    try:
        with (
            open(tmp, "wb") as raw,
            zipfile.ZipFile(raw, "w", zipfile.ZIP_STORED, allowZip64=True) as zf,
        ):
            entries = sorted(list(texts) + [f.arcname for f in files])
            by_arc = {f.arcname: f for f in files}
            for name in entries:
                if name in texts:
                    data = texts[name]
                    zf.writestr(_zinfo(name, len(data)), data)
                    sums.append((hashlib.sha256(data).hexdigest(), name))
                else:
                    f = by_arc[name]
                    src = f.rendition.file.path
                    with (
                        open(src, "rb") as fh,
                        zf.open(
                            _zinfo(name, os.path.getsize(src)), "w", force_zip64=True
                        ) as out,
                    ):
                        shutil.copyfileobj(fh, out, 1024 * 1024)
                    sums.append((f.rendition.sha256, name))
            body = "".join(
                f"{h}  {n}\n" for h, n in sorted(sums, key=lambda x: x[1])
            ).encode()
            zf.writestr(_zinfo("SHA256SUMS", len(body)), body)
        digest = sha256_file(tmp)
        os.replace(tmp, final)
    finally:
        if tmp.exists():
            tmp.unlink()
    with transaction.atomic():
        package, _ = Package.objects.update_or_create(
            station=station,
            period_start=start,
            period_end=end,
            inputs_hash=ihash,
            defaults=dict(
                public_id=public_id,
                status=Package.Status.READY,
                path=str(final),
                bytes=final.stat().st_size,
                sha256=digest,
                manifest=manifest,
                built_at=timezone.now(),
                error="",
            ),
        )
        log_event(
            kind=DistributionEvent.Kind.PACKAGE_BUILT,
            source="task",
            station_code=station.code,
            unit_code=station.unit.code,
            package_id=package.pk,
            data={
                "sha256": digest,
                "bytes": package.bytes,
                "items": len(files),
                "withdrawals": len(withdrawals),
            },
        )
        _make_current(package)
    return package


def _make_current(package: Package) -> None:
    """The package becomes its station's current one for its days: every other
    package of the station whose period overlaps is superseded by it (kept on disk
    for the record, answered 410 Gone)."""
    with transaction.atomic():
        Package.objects.filter(
            station_id=package.station_id,
            period_start__lte=package.period_end,
            period_end__gte=package.period_start,
        ).exclude(pk=package.pk).update(superseded_by=package)
        if package.superseded_by_id is not None:
            Package.objects.filter(pk=package.pk).update(superseded_by=None)
            package.superseded_by = None


def package_current(package: Package) -> Package:
    """The package that replaced this one (itself when it is current)."""
    seen = {package.pk}
    while package.superseded_by_id is not None:
        package = Package.objects.select_related("station").get(
            pk=package.superseded_by_id
        )
        if package.pk in seen:  # never loops, but a bad row must not hang a request
            break
        seen.add(package.pk)
    return package


def package_download_record(
    *, package: Package, actor: str, range_: str, source: str = "api"
) -> bool:
    """Count a completed download once per package and caller, and log it then.

    Repeated and partial requests do not inflate the figures: the unique constraint
    on (package, actor) decides, even for two requests finishing at once. True
    when this call counted it."""
    from django.db import IntegrityError

    from .models import PackageDownload

    actor = single_line(actor)[:160]
    try:
        with transaction.atomic():
            PackageDownload.objects.create(package=package, actor=actor)
            log_event(
                kind=DistributionEvent.Kind.PACKAGE_DOWNLOADED,
                actor=actor,
                source=source,
                station_code=package.station.code,
                unit_code=package.station.unit.code,
                package_id=package.pk,
                data={"range": range_[:40]},
            )
    except IntegrityError:
        return False
    return True
