"""Resumable file responses: Range/206, ETag, If-None-Match, If-Range, Repr-Digest.

Thin links drop; `curl -C -` and `wget -c` must be able to pick up where they left
off and end with a file that verifies. The file is streamed in chunks (or handed to
the front web server with X-Accel-Redirect / X-Sendfile in production).
"""

from __future__ import annotations

import base64
import os
import re

from django.conf import settings
from django.http import FileResponse, HttpResponse, StreamingHttpResponse

from .log import log_event
from .models import DistributionEvent, Package

_RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$")
CHUNK = 256 * 1024


def _stream(path: str, start: int, length: int):
    with open(path, "rb") as f:
        f.seek(start)
        remaining = length
        while remaining > 0:
            block = f.read(min(CHUNK, remaining))
            if not block:
                break
            remaining -= len(block)
            yield block


def parse_range(header: str, size: int) -> tuple[int, int] | None | bool:
    """(start, end) inclusive; None when absent or unusable (serve whole);
    False when syntactically fine but unsatisfiable (416)."""
    if not header:
        return None
    m = _RANGE_RE.match(header.strip())
    if not m:
        return None  # multi-range or junk: RFC 9110 lets us ignore it
    a, b = m.groups()
    if a == "" and b == "":
        return None
    if a == "":
        n = int(b)
        if n == 0:
            return False
        return max(0, size - n), size - 1
    start = int(a)
    end = int(b) if b else size - 1
    if start >= size or end < start:
        return False
    return start, min(end, size - 1)


def resumable_file_response(
    request,
    path: str,
    *,
    sha256_hex: str,
    filename: str,
    content_type: str = "application/zip",
) -> HttpResponse:
    size = os.path.getsize(path)
    etag = f'"{sha256_hex}"'
    digest = "sha-256=:" + base64.b64encode(bytes.fromhex(sha256_hex)).decode() + ":"
    common = {
        "ETag": etag,
        "Accept-Ranges": "bytes",
        "Repr-Digest": digest,
        "Cache-Control": "private, no-transform",
    }
    inm = request.headers.get("If-None-Match", "")
    if inm and (inm.strip() == "*" or etag in [t.strip() for t in inm.split(",")]):
        resp = HttpResponse(status=304)
        for k, v in common.items():
            resp[k] = v
        return resp
    rng = parse_range(request.headers.get("Range", ""), size)
    if_range = request.headers.get("If-Range")
    if if_range and if_range.strip() != etag:
        rng = None  # the file changed since the client's partial copy: send it all
    if rng is False:
        resp = HttpResponse(status=416)
        resp["Content-Range"] = f"bytes */{size}"
        for k, v in common.items():
            resp[k] = v
        return resp

    offload = settings.LOA_DOWNLOAD_OFFLOAD
    if offload:
        # The front server (nginx/Apache) handles Range itself and serves the bytes.
        resp = HttpResponse(content_type=content_type)
        rel = os.path.relpath(path, settings.LOA_PACKAGE_ROOT)
        if offload == "x-accel-redirect":
            resp["X-Accel-Redirect"] = (
                settings.LOA_DOWNLOAD_OFFLOAD_PREFIX.rstrip("/") + "/" + rel
            )
        else:
            resp["X-Sendfile"] = path
    elif rng is None:
        resp = FileResponse(open(path, "rb"), content_type=content_type)
        resp["Content-Length"] = str(size)
    else:
        start, end = rng
        length = end - start + 1
        resp = StreamingHttpResponse(
            _stream(path, start, length), status=206, content_type=content_type
        )
        resp["Content-Range"] = f"bytes {start}-{end}/{size}"
        resp["Content-Length"] = str(length)
    resp["Content-Disposition"] = f'attachment; filename="{filename}"'
    for k, v in common.items():
        resp[k] = v
    return resp


def package_filename(package: Package) -> str:
    return (
        f"loa-{package.station.code}-{package.period_start:%Y%m%d}"
        f"-{package.period_end:%Y%m%d}.zip"
    )


def package_download_response(
    request, *, package: Package, actor: str, source: str
) -> HttpResponse:
    """Serve a package, resumably, and log every (partial) download.

    The one serving path for packages: the station API (token) and the station page
    (signed-in staff) both call it, so a browser's resume and the log behave as
    curl's do.
    """
    resp = resumable_file_response(
        request,
        package.path,
        sha256_hex=package.sha256,
        filename=package_filename(package),
    )
    if resp.status_code in (200, 206):
        log_event(
            kind=DistributionEvent.Kind.PACKAGE_DOWNLOADED,
            actor=actor,
            source=source,
            station_code=package.station.code,
            unit_code=package.station.unit.code,
            package_id=package.pk,
            data={
                "range": request.headers.get("Range", ""),
                "status": resp.status_code,
            },
        )
    return resp
