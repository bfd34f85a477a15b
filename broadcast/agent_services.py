"""Station agents and urgent announcements: plays reported by agents, heartbeats,
and the urgent announcement's life (made, approved, sent, delivered, played, ended).

Confirmations go through services.confirmations_record, the one owner of that rule;
every step of an urgent announcement goes to the distribution log.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from loa.units.models import Unit
from media_pipeline.services import sha256_file

from .log import log_event, log_events
from .models import (
    AgentStatus,
    Confirmation,
    DistributionEvent,
    PlannedAiring,
    Station,
    StationToken,
    UrgentAnnouncement,
    UrgentDelivery,
)
from .services import ConfirmationInput, ConfirmationResult, ServiceError
from .services import confirmations_record as _confirmations_record

logger = logging.getLogger(__name__)


def second_approval_required() -> bool:
    """In a flood there is no time for a second signature: off unless a province
    turns it on (LOA_URGENT_SECOND_APPROVAL=1)."""
    return bool(getattr(settings, "LOA_URGENT_SECOND_APPROVAL", False))


def no_contact_minutes() -> int:
    return int(getattr(settings, "LOA_URGENT_NO_CONTACT_MINUTES", 5))


# --- plays reported by an agent ------------------------------------------------


@dataclass
class AgentPlay:
    uuid: str
    station: str
    content_id: int | None
    planned_at: datetime
    status: str
    aired_at: datetime | None = None
    stopped_at: datetime | None = None
    sha256: str = ""
    exit_code: int | None = None
    reason: str = ""
    error: str = ""
    clock_offset_s: float | None = None


def _note(p: AgentPlay, offset: float | None) -> str:
    parts = [_("Station agent")]
    if p.aired_at and p.stopped_at:
        parts.append(f"{p.aired_at.isoformat()} → {p.stopped_at.isoformat()}")
    if p.sha256:
        parts.append(f"sha256 {p.sha256}")
    if p.exit_code is not None:
        parts.append(_("player exit code %(code)s") % {"code": p.exit_code})
    if offset is not None:
        parts.append(_("clock offset %(s)+.1f s") % {"s": offset})
    if p.error:
        parts.append(p.error[:500])
    return "; ".join(parts)


def agent_plays_record(
    *,
    plays: list[AgentPlay],
    station: Station,
    station_ids: set[int],
    clock_offset_s: float | None,
) -> list[ConfirmationResult]:
    """Turn an agent's journal into confirmations (source `agent`).

    The agent names an airing by station, item and planned instant (what its
    package told it); the airing id is looked up here. Its clock offset (server
    minus agent, per play or for the batch) corrects the times it reports and is
    kept in the note.
    """
    found: dict[tuple, PlannedAiring] = {}
    if plays:
        q = Q()
        for p in plays:
            q |= Q(
                station__code=p.station,
                schedule__item_id=p.content_id,
                planned_at=p.planned_at,
            )
        for a in (
            PlannedAiring.objects.filter(q, station_id__in=station_ids)
            .select_related("station", "schedule")
            .order_by("pk")
        ):
            k = (a.station.code, a.schedule.item_id, a.planned_at)
            # A live airing wins over a cancelled one at the same instant.
            if k not in found or found[k].status == PlannedAiring.Status.CANCELLED:
                found[k] = a
    items, results = [], {}
    for p in plays:
        airing = found.get((p.station, p.content_id, p.planned_at))
        if airing is None:
            results[p.uuid] = ConfirmationResult(
                p.uuid,
                "rejected",
                "unknown_airing",
                _("No such planned airing for this station."),
            )
            continue
        offset = p.clock_offset_s if p.clock_offset_s is not None else clock_offset_s
        shift = timedelta(seconds=offset or 0)
        missed = p.status == Confirmation.Status.MISSED
        reason = p.reason if p.reason in Confirmation.Reason.values else "other"
        items.append(
            ConfirmationInput(
                uuid=p.uuid,
                airing=airing.pk,
                status=p.status,
                aired_at=None if missed or p.aired_at is None else p.aired_at + shift,
                reason=reason if missed else "",
                note=_note(p, offset),
            )
        )
    for r in _confirmations_record(
        items=items,
        station_ids=station_ids,
        source=Confirmation.Source.AGENT,
        actor_station=station,
    ):
        results[r.uuid] = r
    return [results[p.uuid] for p in plays if p.uuid in results]


# --- heartbeat and device status ------------------------------------------------


def agent_heartbeat_record(*, station: Station, data: dict) -> AgentStatus:
    """Keep the agent's last heartbeat; alerts it raised (a refused package) go to
    the distribution log."""
    status, _created = AgentStatus.objects.update_or_create(
        station=station,
        defaults=dict(
            last_heartbeat_at=timezone.now(),
            version=str(data.get("version", ""))[:20],
            free_disk_bytes=data.get("free_disk_bytes"),
            current_package=str(data.get("current_package") or "")[:64],
            player=str(data.get("player", ""))[:200],
            player_ok=bool(data.get("player_ok", True)),
            last_error=data.get("last_error") or {},
            queued=max(int(data.get("queued") or 0), 0),
            clock_offset_s=data.get("clock_offset_s"),
        ),
    )
    alerts = [a for a in data.get("alerts") or [] if isinstance(a, dict)][:50]
    log_events(
        [
            dict(
                kind=DistributionEvent.Kind.AGENT_ALERT,
                actor=f"station:{station.code}",
                source="agent",
                station_code=station.code,
                unit_code=station.unit.code,
                data={
                    "code": str(a.get("code", ""))[:64],
                    "detail": str(a.get("detail", ""))[:500],
                    "at": str(a.get("at", ""))[:40],
                },
            )
            for a in alerts
        ]
    )
    return status


def stations_last_contact(station_ids=None) -> dict[int, datetime]:
    """Last time each station's token or agent was heard from."""
    qs = StationToken.objects.filter(last_used_at__isnull=False)
    hb = AgentStatus.objects.all()
    if station_ids is not None:
        qs = qs.filter(station_id__in=station_ids)
        hb = hb.filter(station_id__in=station_ids)
    seen: dict[int, datetime] = {}
    for sid, at in (
        qs.values("station_id")
        .annotate(at=Max("last_used_at"))
        .values_list("station_id", "at")
    ):
        seen[sid] = at
    for sid, at in hb.values_list("station_id", "last_heartbeat_at"):
        if sid not in seen or at > seen[sid]:
            seen[sid] = at
    return seen


def device_status_rows(*, station_ids: set[int] | None, silent_after: timedelta):
    """Every station with an agent, and whether it has been silent too long."""
    qs = AgentStatus.objects.select_related("station", "station__unit").order_by(
        "last_heartbeat_at"
    )
    if station_ids is not None:
        qs = qs.filter(station_id__in=station_ids)
    cutoff = timezone.now() - silent_after
    rows = list(qs)
    for r in rows:
        r.silent = r.last_heartbeat_at < cutoff
    return rows


# --- urgent announcements --------------------------------------------------------


def _item_audio(item) -> tuple[str, float | None]:
    """The loudspeaker rendition of an item's recording (what communes play)."""
    from media_pipeline.models import RenditionJob

    src = getattr(item.specific, "media_source", None) if item else None
    job = None
    if src is not None and src.__class__.__name__ != "LoaImage":
        job = (
            RenditionJob.objects.filter(
                media=src,
                profile="commune-loudspeaker",
                source_sha256=src.sha256,
                status=RenditionJob.Status.DONE,
            )
            .order_by("-finished_at")
            .first()
        )
    if job is None or not job.file:
        raise ServiceError(
            "no_audio", _("This item has no loudspeaker recording ready yet.")
        )
    return job.file.path, job.duration


def _loudspeaker_rendition(path: str, info) -> tuple[str, float | None]:
    """The commune-loudspeaker MP3 of an uploaded or browser-recorded file, made
    now (announcements are short). If rendering fails the original airs: in an
    emergency a file that plays beats a perfect one that never comes."""
    from media_pipeline.pipeline import render_all
    from media_pipeline.profiles import get_profile
    from media_pipeline.source import Source

    out = os.path.splitext(path)[0] + ".loudspeaker.mp3"
    try:
        [done] = render_all(
            Source(path=Path(path), probe=info),
            [(get_profile("commune-loudspeaker"), Path(out))],
        )
    except Exception:  # noqa: BLE001 - any render failure: air the original
        logger.exception("urgent announcement: loudspeaker rendition failed")
        return path, info.duration
    return out, done.duration or info.duration


def urgent_create(
    *,
    title: str,
    units: list[Unit],
    repeat: int = 2,
    upload=None,
    item=None,
    created_by=None,
) -> UrgentAnnouncement:
    """Make an urgent announcement from an uploaded recording or an item, and send
    it at once unless a second approval is required."""
    if not units:
        raise ServiceError("no_target", _("Choose the units to broadcast to."))
    if not 1 <= repeat <= 10:
        raise ServiceError("bad_repeat", _("Play it between 1 and 10 times."))
    if (upload is None) == (item is None):
        raise ServiceError(
            "no_audio", _("Give either a recording to upload or an item.")
        )
    duration = None
    a = UrgentAnnouncement(title=title[:255], repeat=repeat, created_by=created_by)
    if upload is not None:
        from media_pipeline.probe import ProbeError, probe

        a.audio.save(os.path.basename(upload.name), upload, save=False)
        try:
            info = probe(a.audio.path)
        except ProbeError:
            info = None
        if info is None or not info.audio_codec or info.video_codec:
            a.audio.delete(save=False)
            raise ServiceError(
                "not_audio", _("The file is not a recording ffmpeg can read.")
            )
        path, duration = _loudspeaker_rendition(a.audio.path, info)
    else:
        path, duration = _item_audio(item)
        a.item = item
    a.audio_path = path
    a.audio_sha256 = sha256_file(path)
    a.audio_bytes = os.path.getsize(path)
    a.duration = duration
    a.status = (
        UrgentAnnouncement.Status.AWAITING_APPROVAL
        if second_approval_required()
        else UrgentAnnouncement.Status.SENT
    )
    with transaction.atomic():
        a.save()
        a.target_units.set(units)
        if a.status == UrgentAnnouncement.Status.SENT:
            _send(a, actor=created_by)
    return a


def urgent_approve(*, announcement: UrgentAnnouncement, user) -> UrgentAnnouncement:
    if announcement.status != UrgentAnnouncement.Status.AWAITING_APPROVAL:
        raise ServiceError(
            "not_awaiting", _("This announcement is not awaiting approval.")
        )
    if announcement.created_by_id == user.pk:
        raise ServiceError(
            "same_person", _("The second approval must come from another person.")
        )
    with transaction.atomic():
        announcement.approved_by = user
        announcement.status = UrgentAnnouncement.Status.SENT
        announcement.save(update_fields=["approved_by", "status"])
        _send(announcement, actor=user)
    return announcement


def _target_stations(a: UrgentAnnouncement) -> list[Station]:
    unit_ids: set[int] = set()
    for u in a.target_units.all():
        unit_ids |= u.descendant_ids()
    return list(Station.objects.filter(unit_id__in=unit_ids, active=True))


def _send(a: UrgentAnnouncement, *, actor) -> None:
    a.sent_at = timezone.now()
    a.save(update_fields=["sent_at"])
    stations = _target_stations(a)
    UrgentDelivery.objects.bulk_create(
        [UrgentDelivery(announcement=a, station=s) for s in stations],
        ignore_conflicts=True,
    )
    log_event(
        kind=DistributionEvent.Kind.URGENT_SENT,
        actor=actor.get_username() if actor else "",
        source="web",
        item_id=a.item_id,
        item_title=a.title,
        data={
            "urgent": a.pk,
            "stations": sorted(s.code for s in stations),
            "units": sorted(u.code for u in a.target_units.all()),
            "repeat": a.repeat,
            "sha256": a.audio_sha256,
            "approved_by": a.approved_by.get_username() if a.approved_by else "",
        },
    )


def urgent_end(*, announcement: UrgentAnnouncement, actor) -> None:
    with transaction.atomic():
        n = UrgentAnnouncement.objects.filter(
            pk=announcement.pk, status=UrgentAnnouncement.Status.SENT
        ).update(status=UrgentAnnouncement.Status.ENDED, ended_at=timezone.now())
        if n:
            log_event(
                kind=DistributionEvent.Kind.URGENT_ENDED,
                actor=actor.get_username() if actor else "",
                source="web",
                item_title=announcement.title,
                data={"urgent": announcement.pk},
            )


_ORDER = ["pending", "delivered", "playing", "played", "failed"]


def urgent_state_record(
    *, announcement_id: int, station: Station, state: str, detail: str = "", plays=0
) -> UrgentDelivery:
    """A station's agent says where it is with an announcement. States only move
    forward (a late "delivered" never hides "played")."""
    if state not in UrgentDelivery.State.values or state == "pending":
        raise ServiceError(
            "bad_state", _("State must be delivered, playing, played or failed.")
        )
    with transaction.atomic():
        d = (
            UrgentDelivery.objects.select_for_update()
            .select_related("announcement")
            .filter(announcement_id=announcement_id, station=station)
            .first()
        )
        if d is None:
            raise ServiceError(
                "unknown_urgent", _("No such announcement for this station.")
            )
        if _ORDER.index(state) > _ORDER.index(d.state):
            d.state = state
            d.detail = (detail or "")[:500]
            d.plays = max(int(plays or 0), 0)
            d.updated_at = timezone.now()
            d.save(update_fields=["state", "detail", "plays", "updated_at"])
            log_event(
                kind=DistributionEvent.Kind.URGENT_STATE,
                actor=f"station:{station.code}",
                source="agent",
                station_code=station.code,
                unit_code=station.unit.code,
                item_title=d.announcement.title,
                actual_at=d.updated_at,
                data={
                    "urgent": announcement_id,
                    "state": state,
                    "plays": d.plays,
                    "detail": d.detail,
                },
            )
    return d


def urgent_for_station(station: Station) -> list[UrgentAnnouncement]:
    """Announcements in force for a station (what its agent polls for)."""
    return list(
        UrgentAnnouncement.objects.filter(
            status=UrgentAnnouncement.Status.SENT, deliveries__station=station
        ).order_by("sent_at")
    )


def urgent_active_in_scope(station_ids: set[int] | None) -> list[UrgentAnnouncement]:
    qs = UrgentAnnouncement.objects.filter(status=UrgentAnnouncement.Status.SENT)
    if station_ids is not None:
        qs = qs.filter(deliveries__station_id__in=station_ids)
    return list(qs.distinct().order_by("-sent_at"))


def urgent_board(announcement: UrgentAnnouncement) -> dict:
    """Each station's state, and the stations to phone: no word from them within
    N minutes of sending and no state reported."""
    rows = list(
        announcement.deliveries.select_related("station", "station__unit").order_by(
            "station__code"
        )
    )
    seen = stations_last_contact({r.station_id for r in rows})
    limit = timezone.now() - timedelta(minutes=no_contact_minutes())
    to_call = []
    for r in rows:
        r.last_contact = seen.get(r.station_id)
        r.no_contact = r.state == UrgentDelivery.State.PENDING and (
            r.last_contact is None or r.last_contact < limit
        )
        if r.no_contact:
            to_call.append(r)
    counts = {s: 0 for s in UrgentDelivery.State.values}
    for r in rows:
        counts[r.state] += 1
    return {"rows": rows, "to_call": to_call, "counts": counts}
