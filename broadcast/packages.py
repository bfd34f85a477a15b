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

from media_pipeline.models import RenditionJob
from media_pipeline.services import sha256_file

from .log import log_event
from .models import DistributionEvent, Package, PlannedAiring, Station
from .signing import sign

MANIFEST_SCHEMA = "https://loa.example/schemas/package-manifest/v1"
MANIFEST_VERSION = 1
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
LOCAL_TZ = ZoneInfo(settings.TIME_ZONE)

# Which rendition each station kind plays, by the item's media kind.
PROFILES_FOR_STATION: dict[str, dict[str, str]] = {
    Station.Kind.DISTRICT_RADIO: {"audio": "district-fm", "video": "district-fm"},
    Station.Kind.COMMUNE_LOUDSPEAKER: {
        "audio": "commune-loudspeaker",
        "video": "commune-loudspeaker",
    },
    Station.Kind.EBULLETIN: {
        "video": "ebulletin-{orientation}",
        "image": "ebulletin-still",
    },
}


def profile_for(station: Station, media_kind: str) -> str | None:
    name = PROFILES_FOR_STATION.get(station.kind, {}).get(media_kind)
    if name:
        name = name.format(orientation=station.orientation or "landscape")
    return name


def package_stations(station: Station) -> list[Station]:
    """The station itself and, for a district station, the stations of its communes."""
    stations = [station]
    if station.kind == Station.Kind.DISTRICT_RADIO:
        unit_ids = station.unit.descendant_ids() - {station.unit_id}
        stations += list(
            Station.objects.filter(unit_id__in=unit_ids, active=True).order_by("code")
        )
    return stations


@dataclass
class PlannedFile:
    station: Station
    item_id: int
    title: str
    language: str
    profile: str
    rendition: RenditionJob
    slots: list[str] = field(default_factory=list)

    @property
    def arcname(self) -> str:
        ext = Path(self.rendition.file.name).suffix
        return f"{self.station.code}/media/{self.item_id}-{self.profile}{ext}"


def _media_of(item, station: Station) -> tuple[str, object, str] | None:
    """(media kind, source, language) of the version of `item` this station gets:
    cms.selectors.version_for_languages owns the choice (Vietnamese fallback)."""
    from cms.selectors import version_for_languages

    if getattr(item, "media_source", None) is None:
        return None
    language, src = version_for_languages(item, station.language_codes())
    if src is None:
        return None
    if src.__class__.__name__ == "LoaImage":
        return "image", src, language
    return (src.type or "audio"), src, language


def _off_air_cause(item, day: date) -> str:
    """Why an item may no longer air on `day` ("" when it may)."""
    from .services import item_is_schedulable

    if item is None:
        return "deleted"
    if not item.live:
        return "unpublished"
    return "" if item_is_schedulable(item, on=day) else "expired"


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
            withdrawn[sched.pk] = {
                "content_id": sched.item_id,
                "title": sched.item_title,
                "withdrawn_at": sched.withdrawn_at.isoformat()
                if sched.withdrawn_at
                else None,
                "reason": sched.withdrawn_reason,
                "cause": "withdrawn",
            }
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
            profile = profile_for(a.station, media[0]) if media else None
            job = None
            if media and profile:
                src = media[1]
                job = (
                    RenditionJob.objects.filter(
                        **{"image" if media[0] == "image" else "media": src},
                        profile=profile,
                        source_sha256=src.sha256,
                        status=RenditionJob.Status.DONE,
                    )
                    .order_by("-finished_at")
                    .first()
                )
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
                language=media[2],
                profile=profile,
                rendition=job,
            )
        if files[key] is not None:
            files[key].slots.append(
                a.planned_at.astimezone(LOCAL_TZ).isoformat()
                + ("~" if a.flexible else "")
            )
    return (
        [f for f in files.values() if f is not None],
        sorted(withdrawn.values(), key=lambda w: w["content_id"] or 0),
        pending,
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
            }
            for f in files
        ],
        "withdrawals": withdrawals,
        "pending": pending,
    }


def _m3u(files: list[PlannedFile], station_code: str) -> str:
    lines = ["#EXTM3U"]
    for f in files:
        if f.station.code != station_code:
            continue
        lines.append(f"#EXTINF:{round(f.rendition.duration or -1)},{f.title}")
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
                    f.title,
                    f.arcname,
                    f.rendition.duration,
                ]
            )
    return buf.getvalue()


def _ics_escape(s: str) -> str:
    return (
        s.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\n", "\\n")
    )


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
    return "\r\n".join(lines) + "\r\n"


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
    return package
