"""Resumable file responses: Range/206, ETag, If-None-Match, If-Range, Repr-Digest.

Thin links drop; `curl -C -` and `wget -c` must be able to pick up where they left
off and end with a file that verifies. The file is streamed in chunks (or handed to
the front web server with X-Accel-Redirect / X-Sendfile in production).
"""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpResponse, StreamingHttpResponse

from .models import Package

_RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$")
# No file Loa serves has a size of more digits; longer numbers are not parsed (a
# 4,300-digit number is a ValueError in Python, and pointless work before that).
_MAX_DIGITS = 18
# A longer Range header is not a range anyone's client sends.
MAX_RANGE_HEADER = 100
CHUNK = 256 * 1024


class BadRange(ValueError):
    """A Range header too long to be honest: answered 416, never parsed."""


def _stream(
    path: str, start: int, length: int, on_complete: Callable[[], None] | None = None
):
    with open(path, "rb") as f:
        f.seek(start)
        remaining = length
        while remaining > 0:
            block = f.read(min(CHUNK, remaining))
            if not block:
                break
            remaining -= len(block)
            yield block
    # Runs only when the server asked for more after the last block: the whole
    # range went out. A dropped connection stops iteration before this line.
    if on_complete is not None and remaining == 0:
        on_complete()


def parse_range(header: str, size: int) -> tuple[int, int] | None | bool:
    """(start, end) inclusive; None when absent or unusable (serve whole);
    False when syntactically fine but unsatisfiable (416)."""
    if not header:
        return None
    if len(header) > MAX_RANGE_HEADER:
        raise BadRange(header[:20])
    m = _RANGE_RE.match(header.strip())
    if not m:
        return None  # multi-range or junk: RFC 9110 lets us ignore it
    a, b = m.groups()
    if a == "" and b == "":
        return None
    huge = 10**_MAX_DIGITS  # larger than any file: stands in for longer numbers
    if a == "":
        n = int(b) if len(b) <= _MAX_DIGITS else huge
        if n == 0:
            return False
        return max(0, size - n), size - 1
    start = int(a) if len(a) <= _MAX_DIGITS else huge
    end = (int(b) if len(b) <= _MAX_DIGITS else huge) if b else size - 1
    if start >= size or end < start:
        return False
    return start, min(end, size - 1)


def normalised_range(header: str, size: int) -> str:
    """The Range a request asked for, as the log may store it: `start-end` in
    numbers, "" for the whole file, "invalid" for anything else. Never the raw
    header, which a client controls byte for byte."""
    try:
        rng = parse_range(header, size)
    except BadRange:
        return "invalid"
    if rng is None:
        return ""
    if rng is False:
        return "unsatisfiable"
    return f"{rng[0]}-{rng[1]}"


def resumable_file_response(
    request,
    path: str,
    *,
    sha256_hex: str,
    filename: str,
    content_type: str = "application/zip",
    on_complete: Callable[[], None] | None = None,
) -> HttpResponse:
    """The file, whole or a range of it; `on_complete` runs once the response has
    sent the file's last byte (a whole transfer, or the final range of a resumed
    one). Raises BadRange for a Range header no client would send."""
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
    head = request.method == "HEAD"
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
    if head:
        # The headers a GET would send, without the body (and without counting).
        start, end = rng if rng else (0, size - 1)
        resp = HttpResponse(status=206 if rng else 200, content_type=content_type)
        if rng:
            resp["Content-Range"] = f"bytes {start}-{end}/{size}"
        resp["Content-Length"] = str(end - start + 1)
    elif offload:
        # The front server (nginx/Apache) handles Range itself and serves the bytes.
        resp = HttpResponse(content_type=content_type)
        rel = os.path.relpath(path, settings.LOA_PACKAGE_ROOT)
        if offload == "x-accel-redirect":
            resp["X-Accel-Redirect"] = (
                settings.LOA_DOWNLOAD_OFFLOAD_PREFIX.rstrip("/") + "/" + rel
            )
        else:
            resp["X-Sendfile"] = path
        if on_complete is not None and (rng is None or rng[1] == size - 1):
            # The front server sends the bytes; asking for the last one is as close
            # to "completed" as Django can see.
            on_complete()
    elif rng is None:
        resp = StreamingHttpResponse(
            _stream(path, 0, size, on_complete), content_type=content_type
        )
        resp["Content-Length"] = str(size)
    else:
        start, end = rng
        length = end - start + 1
        last = on_complete if end == size - 1 else None
        resp = StreamingHttpResponse(
            _stream(path, start, length, last), status=206, content_type=content_type
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
    """Serve a package, resumably; count and log it once, when its last byte goes.

    The one serving path for packages: the station API (token) and the station page
    (signed-in staff) both call it, so a browser's resume, the count and the log
    behave as curl's do. Raises BadRange for a Range header no client would send.
    """
    from .packages import package_download_record

    range_ = normalised_range(request.headers.get("Range", ""), package.bytes or 0)
    return resumable_file_response(
        request,
        package.path,
        sha256_hex=package.sha256,
        filename=package_filename(package),
        on_complete=lambda: package_download_record(
            package=package, actor=actor, range_=range_, source=source
        ),
    )


def urgent_audio_response(request, *, announcement) -> HttpResponse:
    """An urgent announcement's recording, resumably: the agent API and the commune
    page (stations without an agent) serve it the same way."""
    path = announcement.audio_path
    return resumable_file_response(
        request,
        path,
        sha256_hex=announcement.audio_sha256,
        filename=f"loa-urgent-{announcement.pk}{os.path.splitext(path)[1]}",
        content_type="audio/mpeg",
    )
