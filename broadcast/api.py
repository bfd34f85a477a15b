"""The station API (django-ninja): OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs.

Stations authenticate with `Authorization: Bearer <token>`; staff browsers use their
session. Errors are JSON with a stable `code` and a message in the request's language.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from ninja import File, NinjaAPI, Query, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.files import UploadedFile
from ninja.openapi.docs import Swagger
from ninja.security import HttpBearer, django_auth
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from cms.security import client_ip

from . import reports, selectors, services, throttle
from .downloads import BadRange, package_download_response
from .log import checkpoint_public
from .models import Confirmation, LogCheckpoint, Package, Station
from .packages import package_current
from .scope import scope_policy
from .signing import public_key_pem, public_key_raw_b64


class StationBearer(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        address = client_ip(request)
        if throttle.station_token_blocked(address=address):
            raise LoaHttpError(
                429,
                "too_many_bad_tokens",
                _("Too many invalid tokens from this address. Try again later."),
            )
        station = services.station_token_authenticate(token)
        if station is not None:
            request.station = station
        else:
            throttle.station_token_failure_record(address=address)
        return station


class OfflineSwagger(Swagger):
    """Swagger UI from the server's own files (ninja's template and static files,
    which settings add by path). ninja serves its template only when "ninja" is an
    installed app and a CDN's otherwise; installing it would import ninja and pydantic
    in every process (Celery workers, beat, manage.py: 9.5 MB each) when only this
    API's requests use them. So this page always takes the local template."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any):
        self.settings["url"] = self.get_openapi_url(api, kwargs)
        context = {
            "swagger_settings": json.dumps(self.settings, indent=1),
            "api": api,
            # the staff session is one of this API's auths, and it checks CSRF
            "add_csrf": True,
        }
        return render(request, self.template, context)


def _session_staff(request: HttpRequest):
    user = django_auth(request)
    if user:
        request.station = None
    return user


api = NinjaAPI(
    title=_l("Loa station API"),
    description=_l(
        "Stations send “Authorization: Bearer <token>”; staff browsers use their "
        "signed-in session. Errors are JSON with a stable “code” and a “message” in "
        "the language of the request (Accept-Language: vi or en)."
    ),
    version="1",
    urls_namespace="station_api",
    auth=[StationBearer(), _session_staff],
    docs_url="/docs",
    docs=OfflineSwagger(),
    openapi_url="/openapi.json",
)


class ApiError(Schema):
    code: str
    message: str


def _error(request, status: int, code: str, message: str, **extra):
    return api.create_response(
        request, {"code": code, "message": str(message), **extra}, status=status
    )


@api.exception_handler(AuthenticationError)
def _auth_error(request, exc):
    return _error(
        request,
        401,
        "unauthorized",
        _("A valid station token or a signed-in session is required."),
    )


@api.exception_handler(ValidationError)
def _validation_error(request, exc):
    return _error(
        request,
        422,
        "invalid_request",
        _("The request is not valid."),
        errors=exc.errors,
    )


@api.exception_handler(HttpError)
def _http_error(request, exc):
    code = getattr(exc, "code", None)
    if code is None and exc.status_code == 400:
        # django-ninja's own "Cannot parse request body": malformed JSON.
        return _error(
            request, 400, "malformed_body", _("The request body is not valid JSON.")
        )
    return _error(request, exc.status_code, code or "error", str(exc))


@api.exception_handler(RequestDataTooBig)
def _too_big(request, exc):
    return _error(
        request,
        413,
        "body_too_large",
        _("The request body is too large. Send smaller batches."),
    )


@api.exception_handler(Http404)
def _not_found(request, exc):
    return _error(request, 404, "not_found", _("Not found."))


class LoaHttpError(HttpError):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(status, message)
        self.code = code


def _scope(request) -> set[int] | None:
    return scope_policy.for_request(request).station_id_set()


# --- schemas -----------------------------------------------------------------


class StationOut(Schema):
    code: str
    name: str
    kind: str
    unit: str
    unit_level: str
    transmission: str
    orientation: str


class StationTreeOut(Schema):
    station: StationOut | None
    children: list[StationOut]


class PackageOut(Schema):
    id: UUID
    station: str
    period_from: date
    period_to: date
    bytes: int
    sha256: str
    etag: str
    built_at: datetime | None
    download_url: str
    superseded: bool = False
    superseded_by: UUID | None = None


class SupersededOut(Schema):
    code: str
    message: str
    current_id: UUID
    current_url: str


class AiringOut(Schema):
    id: int
    station: str
    content_id: int | None
    title: str
    planned_at: datetime
    flexible: bool
    status: str


# Plain pydantic models, not ninja Schemas, for what a batch repeats per item:
# Schema's validator that reads Django model attributes cost more per item than
# recording the confirmation (about a fifth of a 500-item request).
class ConfirmationIn(BaseModel):
    uuid: str
    airing: int
    status: str
    aired_at: datetime | None = None
    reason: str = ""
    note: str = ""


class ConfirmationBatchIn(Schema):
    # Each item is checked on its own (see ConfirmationIn): one malformed item is
    # answered `rejected` and the others are still recorded.
    confirmations: list[Any]


class ConfirmationResultOut(BaseModel):
    uuid: str
    result: str
    code: str = ""
    message: str = ""


class KeysOut(Schema):
    algorithm: str
    public_key_pem: str
    public_key_base64: str


def _station_out(s: Station) -> StationOut:
    return StationOut(
        code=s.code,
        name=s.name,
        kind=s.kind,
        unit=s.unit.name,
        unit_level=s.unit.level,
        transmission=s.transmission,
        orientation=s.orientation,
    )


# --- endpoints ---------------------------------------------------------------


@api.get(
    "/keys",
    auth=None,
    response=KeysOut,
    summary=_l("Public key for verifying package manifests"),
)
def keys(request):
    return KeysOut(
        algorithm="Ed25519",
        public_key_pem=public_key_pem(),
        public_key_base64=public_key_raw_b64(),
    )


class CheckpointOut(Schema):
    events: int
    head: str
    signed_at: datetime
    payload: str
    signature: str


@api.get(
    "/log/checkpoints",
    response=list[CheckpointOut],
    summary=_l("Signed checkpoints of the distribution log (keep them as a witness)"),
    # Descriptions are translated (the Vietnamese API reference shows them), so they
    # are given here rather than taken from a docstring.
    description=_l(
        "Checkpoints covering at least “since” events, oldest first (at most 1000). "
        "A station that keeps them can later show the log was cut or rewritten: "
        "verify_log --witness FILE."
    ),
)
def log_checkpoints(
    request,
    since: int = Query(
        0, ge=0, le=2**62, description=_l("Number of log events to start from.")
    ),
):
    qs = LogCheckpoint.objects.filter(events__gte=since).order_by("pk")[:1000]
    return [CheckpointOut(**checkpoint_public(cp)) for cp in qs]


@api.get(
    "/station",
    response=StationTreeOut,
    summary=_l("The calling station and its child stations"),
)
def station(request):
    scope = _scope(request)
    own = getattr(request, "station", None)
    qs = Station.objects.select_related("unit").order_by("code")
    if scope is not None:
        qs = qs.filter(pk__in=scope)
    children = [s for s in qs if own is None or s.pk != own.pk]
    return StationTreeOut(
        station=_station_out(own) if own else None,
        children=[_station_out(s) for s in children],
    )


@api.get(
    "/packages",
    response=list[PackageOut],
    summary=_l("Broadcast packages for the caller (current ones; all=1 adds older)"),
)
def packages(
    request,
    all_: bool = Query(
        False, alias="all", description=_l("Also list superseded packages.")
    ),
):
    scope = _scope(request)
    qs = Package.objects.filter(status=Package.Status.READY).select_related("station")
    if scope is not None:
        qs = qs.filter(station_id__in=scope)
    if not all_:
        qs = qs.filter(superseded_by__isnull=True)
    superseded = (
        {
            p.pk: p.public_id
            for p in Package.objects.filter(
                pk__in=[x for x in qs.values_list("superseded_by", flat=True) if x]
            )
        }
        if all_
        else {}
    )
    return [
        PackageOut(
            id=p.public_id,
            station=p.station.code,
            period_from=p.period_start,
            period_to=p.period_end,
            bytes=p.bytes or 0,
            sha256=p.sha256,
            etag=p.etag,
            built_at=p.built_at,
            download_url=request.build_absolute_uri(
                f"/api/v1/packages/{p.public_id}/download"
            ),
            superseded=p.superseded_by_id is not None,
            superseded_by=superseded.get(p.superseded_by_id),
        )
        for p in qs.order_by("-period_start", "-built_at", "station__code")[:200]
    ]


@api.api_operation(
    ["GET", "HEAD"],
    "/packages/{package_id}/download",
    summary=_l("Download a package (resumable; HEAD for its headers)"),
    response={
        200: None,
        206: None,
        304: None,
        404: ApiError,
        410: SupersededOut,
        416: ApiError,
    },
)
def package_download(request, package_id: UUID):
    package = selectors.ready_package(public_id=package_id, station_ids=_scope(request))
    if package is None:
        raise LoaHttpError(404, "not_found", _("No such package for this station."))
    if package.superseded_by_id is not None:
        current = package_current(package)
        return _error(
            request,
            410,
            "superseded",
            _("This package was replaced by a newer one; download that instead."),
            current_id=str(current.public_id),
            current_url=request.build_absolute_uri(
                f"/api/v1/packages/{current.public_id}/download"
            ),
        )
    caller = getattr(request, "station", None)
    actor = f"station:{caller.code}" if caller else request.user.get_username()
    try:
        return package_download_response(
            request, package=package, actor=actor, source="api"
        )
    except BadRange:
        response = _error(
            request,
            416,
            "bad_range",
            _("The Range header is not one this server can satisfy."),
        )
        response["Content-Range"] = f"bytes */{package.bytes or 0}"
        return response


@api.get(
    "/schedule", response=list[AiringOut], summary=_l("Planned airings for the caller")
)
def schedule(
    request,
    from_: date = Query(
        None, alias="from", description=_l("First day (default: today).")
    ),
    to: date = Query(
        None, description=_l("Last day (default: a week on; at most 92 days).")
    ),
):
    today = timezone.localdate()
    start = from_ or today
    end = to or (start + timedelta(days=7))
    if end < start:
        raise LoaHttpError(422, "bad_period", _("“to” is before “from”."))
    if (end - start).days > 92:
        raise LoaHttpError(422, "bad_period", _("Ask for at most 92 days at a time."))
    a, _unused = selectors.local_day_bounds(start)
    _unused2, b = selectors.local_day_bounds(end)
    return [
        AiringOut(
            id=x.pk,
            station=x.station.code,
            content_id=x.schedule.item_id,
            title=x.schedule.item_title,
            planned_at=x.planned_at,
            flexible=x.flexible,
            status=x.status,
        )
        for x in selectors.airings_between(station_ids=_scope(request), start=a, end=b)[
            :5000
        ]
    ]


MAX_BATCH = 1000


@api.post(
    "/airings",
    response={200: list[ConfirmationResultOut], 413: ApiError, 422: ApiError},
    summary=_l("Confirm airings (batch, idempotent by client uuid)"),
)
def confirm_airings(request, payload: ConfirmationBatchIn):
    if len(payload.confirmations) > MAX_BATCH:
        raise LoaHttpError(
            413,
            "batch_too_large",
            _("Send at most %(n)d confirmations per request.") % {"n": MAX_BATCH},
        )
    parsed: list[services.ConfirmationInput | ConfirmationResultOut] = []
    for raw in payload.confirmations:
        try:
            item = ConfirmationIn.model_validate(raw)
        except PydanticValidationError:
            uuid = raw.get("uuid") if isinstance(raw, dict) else None
            parsed.append(
                ConfirmationResultOut(
                    uuid=uuid if isinstance(uuid, str) else "",
                    result="rejected",
                    code="invalid_item",
                    message=_(
                        "This confirmation is not valid: it needs uuid, airing "
                        "(a number), status, and optionally aired_at (ISO 8601 with "
                        "a UTC offset), reason and note."
                    ),
                )
            )
        else:
            parsed.append(services.ConfirmationInput(**item.model_dump()))
    items = [p for p in parsed if isinstance(p, services.ConfirmationInput)]
    results = iter(
        services.confirmations_record(
            items=items,
            station_ids=_scope(request),
            source=Confirmation.Source.API,
            actor=request.user if getattr(request, "station", None) is None else None,
            actor_station=getattr(request, "station", None),
        )
    )
    # Plain dicts: the response schema validates them once, in pydantic's core;
    # building a model per item first cost a seventh of the request.
    return [
        vars(next(results)) if isinstance(p, services.ConfirmationInput) else p
        for p in parsed
    ]


@api.post(
    "/airings/import",
    response={200: dict, 404: ApiError, 413: ApiError, 422: ApiError},
    summary=_l("Import a playout PC's as-run log (CSV: UTF-8 ± BOM or Windows-1258)"),
    description=_l(
        "Lines are matched to the station's planned airings; unmatched lines come back."
    ),
)
def import_airings(
    request,
    file: UploadedFile = File(..., description=_l("The as-run log, as a CSV file.")),
    station: str = Query(
        "",
        description=_l(
            "Code of the station the log is from (staff; a station token sends its own)."
        ),
    ),
):
    from .asrun import MAX_BYTES, import_asrun

    caller = getattr(request, "station", None)
    target = caller
    if station and (caller is None or station != caller.code):
        scope = _scope(request)
        qs = Station.objects.filter(code=station)
        if scope is not None:
            qs = qs.filter(pk__in=scope)
        target = qs.first()
    if target is None:
        raise LoaHttpError(
            404, "unknown_station", _("Say which of your stations the log is from.")
        )
    if file.size > MAX_BYTES:
        raise LoaHttpError(
            413,
            "file_too_large",
            _("The file is larger than %(n)d MB.") % {"n": MAX_BYTES // 2**20},
        )
    try:
        result = import_asrun(
            raw=file.read(),
            station=target,
            actor=request.user if caller is None else None,
        )
    except services.ServiceError as exc:
        raise LoaHttpError(422, exc.code, exc.message) from exc
    return {
        "station": target.code,
        "lines": result.lines,
        "results": result.results,
        "unmatched": result.unmatched,
    }


@api.get("/reports/airings", summary=_l("Airings report (JSON, CSV or XLSX)"))
def report_airings(
    request,
    from_: date = Query(None, alias="from"),
    to: date = Query(None),
    period: str = "",
    year: int | None = None,
    group_by: str = "station",
    format: str = "json",
    unit: str = "",
    station: str = "",
    campaign: int | None = None,
    plan_task: int | None = None,
    item: int | None = None,
    language: str = "",
    audience: str = "",
    units: str = "time",
):
    scope = _report_scope(request)
    today = timezone.localdate()
    if period:
        if period not in reports.report_periods():
            raise LoaHttpError(
                422,
                "bad_period",
                _("period must be one of: %(v)s")
                % {"v": ", ".join(reports.report_periods())},
            )
        start, end, _due = reports.period_dates(period, year or today.year)
    else:
        start, end = from_ or today.replace(day=1), to or today
    if end < start:
        raise LoaHttpError(422, "bad_period", _("“to” is before “from”."))
    if group_by not in reports.GROUP_BY_CHOICES:
        raise LoaHttpError(
            422,
            "bad_group_by",
            _("group_by must be one of: %(v)s")
            % {"v": ", ".join(reports.GROUP_BY_CHOICES)},
        )
    if format not in ("json", "csv", "xlsx"):
        raise LoaHttpError(422, "bad_format", _("format must be json, csv or xlsx."))
    if units not in reports.UNIT_MODES:
        raise LoaHttpError(
            422,
            "bad_units",
            _("units must be “time” (the units of each airing's time) or “today”."),
        )
    f = reports.ReportFilter(
        start=start,
        end=end,
        unit=unit,
        station=station,
        campaign=campaign,
        plan_task=plan_task,
        item=item,
        language=language,
        audience=audience,
    )
    if group_by == "summary" and format == "json":
        data = reports.summary(station_ids=scope, f=f, units=units)
        return HttpResponse(
            json.dumps(data, ensure_ascii=False, default=str),
            content_type="application/json",
        )
    rows = reports.airing_rows(
        station_ids=scope, start=start, end=end, group_by=group_by, f=f, units=units
    )
    name = f"loa-airings-{group_by}-{start}-{end}"
    if format == "csv":
        if group_by == "summary":
            rows = [*rows, reports.totals_row(rows, "district")]
        return reports.csv_response(rows, f"{name}.csv")
    if format == "xlsx":
        return reports.xlsx_response(
            rows,
            f"{name}.xlsx",
            group_by=group_by,
            start=start,
            end=end,
            issuer=reports.report_issuer(request.user),
        )
    return HttpResponse(reports.json_bytes(rows), content_type="application/json")


def _report_scope(request) -> set[int] | None:
    """Reports are for province and district staff: not for station tokens nor for
    staff tied to one station."""
    scope = scope_policy.for_request(request)
    if not scope.may_report:
        raise LoaHttpError(
            403, "forbidden", _("Reports are for province and district staff.")
        )
    return scope.station_id_set()


# The station agent's endpoints (/api/v1/agent/…), kept in their own module.
from .api_agent import router as _agent_router  # noqa: E402

api.add_router("/agent", _agent_router)
