"""Station-agent endpoints, mounted at /api/v1/agent/ on the station API.

Only station tokens call these (the agent speaks for one station); the agent
itself is downloadable without a token, since it is the same code as this folder.
"""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from datetime import datetime
from pathlib import Path

from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from ninja import Router, Schema

from . import agent_services, selectors
from .downloads import urgent_audio_response
from .services import ServiceError

# Defined before importing .api, which mounts it: either module may load first.
router = Router(tags=["agent"])

from .api import LoaHttpError  # noqa: E402

AGENT_DIR = Path(__file__).resolve().parent / "agent"


def _station(request):
    station = getattr(request, "station", None)
    if station is None:
        raise LoaHttpError(
            403, "station_only", _("This endpoint is for station agents.")
        )
    return station


class PlayIn(Schema):
    uuid: str
    station: str
    content_id: int | None = None
    planned_at: datetime
    status: str
    aired_at: datetime | None = None
    stopped_at: datetime | None = None
    sha256: str = ""
    exit_code: int | None = None
    reason: str = ""
    error: str = ""
    # Server clock minus the agent's when it played (journalled with the play, so
    # a re-send carries the same value and reads as a duplicate).
    clock_offset_s: float | None = None


class PlaysIn(Schema):
    plays: list[PlayIn]
    clock_offset_s: float | None = None


class PlayResultOut(Schema):
    uuid: str
    result: str
    code: str = ""
    message: str = ""


class PlaysOut(Schema):
    results: list[PlayResultOut]


class HeartbeatIn(Schema):
    version: str = ""
    free_disk_bytes: int | None = None
    current_package: str = ""
    player: str = ""
    player_ok: bool = True
    last_error: dict = {}
    alerts: list[dict] = []
    queued: int = 0
    clock_offset_s: float | None = None


class UrgentOut(Schema):
    id: int
    title: str
    repeat: int
    duration: float | None
    sha256: str
    bytes: int
    etag: str
    extension: str
    audio_url: str


class UrgentStateIn(Schema):
    state: str
    detail: str = ""
    plays: int = 0
    at: str = ""


MAX_PLAYS = 1000


@router.post(
    "/plays",
    response={200: PlaysOut},
    summary=_l("What the agent played or missed, as confirmations (source agent)"),
)
def plays(request, payload: PlaysIn):
    station = _station(request)
    if len(payload.plays) > MAX_PLAYS:
        raise LoaHttpError(
            413,
            "batch_too_large",
            _("Send at most %(n)d confirmations per request.") % {"n": MAX_PLAYS},
        )
    results = agent_services.agent_plays_record(
        plays=[agent_services.AgentPlay(**p.dict()) for p in payload.plays],
        station=station,
        station_ids=selectors.station_scope(station),
        clock_offset_s=payload.clock_offset_s,
    )
    return {"results": [r.__dict__ for r in results]}


@router.post("/heartbeat", summary=_l("Device status: version, disk, package, player"))
def heartbeat(request, payload: HeartbeatIn):
    station = _station(request)
    agent_services.agent_heartbeat_record(station=station, data=payload.dict())
    return {"ok": True}


@router.get(
    "/urgent",
    response=list[UrgentOut],
    summary=_l("Urgent announcements in force for the calling station"),
)
def urgent(request):
    station = _station(request)
    return [
        UrgentOut(
            id=a.pk,
            title=a.title,
            repeat=a.repeat,
            duration=a.duration,
            sha256=a.audio_sha256,
            bytes=a.audio_bytes,
            etag=f'"{a.audio_sha256}"',
            extension=os.path.splitext(a.audio_path)[1] or ".mp3",
            audio_url=request.build_absolute_uri(f"/api/v1/agent/urgent/{a.pk}/audio"),
        )
        for a in agent_services.urgent_for_station(station)
    ]


@router.get("/urgent/{urgent_id}/audio", summary=_l("An urgent announcement's audio"))
def urgent_audio(request, urgent_id: int):
    station = _station(request)
    a = next(
        (x for x in agent_services.urgent_for_station(station) if x.pk == urgent_id),
        None,
    )
    if a is None or not os.path.exists(a.audio_path):
        raise LoaHttpError(
            404, "not_found", _("No such announcement for this station.")
        )
    return urgent_audio_response(request, announcement=a)


@router.post("/urgent/{urgent_id}/state", summary=_l("The station's state for one"))
def urgent_state(request, urgent_id: int, payload: UrgentStateIn):
    station = _station(request)
    try:
        d = agent_services.urgent_state_record(
            announcement_id=urgent_id,
            station=station,
            state=payload.state,
            detail=payload.detail,
            plays=payload.plays,
        )
    except ServiceError as exc:
        status = 404 if exc.code == "unknown_urgent" else 422
        raise LoaHttpError(status, exc.code, exc.message) from exc
    return {"state": d.state}


def agent_zipapp() -> bytes:
    """The agent as one file: this folder plus a __main__, built deterministically
    (sorted entries, fixed times) so its sha256 only changes with the code."""
    buf = io.BytesIO()
    buf.write(b"#!/usr/bin/env python3\n")  # as zipapp.create_archive does
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:

        def add(name: str, data: bytes) -> None:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)

        add(
            "__main__.py",
            b"from broadcast.agent.cli import main\nraise SystemExit(main())\n",
        )
        add("broadcast/__init__.py", b"")
        for path in sorted(AGENT_DIR.glob("*.py")):
            add(f"broadcast/agent/{path.name}", path.read_bytes())
    return buf.getvalue()


@router.get("/loa-agent.pyz", auth=None, summary=_l("The station agent (zipapp)"))
def agent_download(request):
    data = agent_zipapp()
    resp = HttpResponse(data, content_type="application/zip")
    resp["Content-Disposition"] = 'attachment; filename="loa-agent.pyz"'
    resp["ETag"] = f'"{hashlib.sha256(data).hexdigest()}"'
    return resp
