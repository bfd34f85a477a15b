"""The agent's side of the station API, over the standard library's urllib."""

# The agent runs on Python 3.9 (Debian 11, older Raspberry Pi OS): no datetime.UTC.
# ruff: noqa: UP017

from __future__ import annotations

import email.utils
import errno
import http.client
import json
import os
import time
import urllib.error
import urllib.request
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from . import VERSION

TIMEOUT = 30
CHUNK = 64 * 1024


class LinkError(Exception):
    """The server could not be reached, or the link dropped: try again later."""


class ServerError(Exception):
    """The server answered with an error status."""

    def __init__(self, status: int, body: bytes):
        self.status = status
        self.body = body
        try:
            self.code = json.loads(body).get("code", "")
        except (ValueError, AttributeError):
            self.code = ""
        super().__init__(f"HTTP {status} {self.code}".strip())


class DiskFull(Exception):
    pass


class Client:
    def __init__(self, server: str, token: str, timeout: float = TIMEOUT):
        self.server = server.rstrip("/")
        self.token = token
        self.timeout = timeout
        # Server clock minus ours, seconds, from the last response's Date header.
        self.clock_offset: float | None = None

    def url(self, path: str) -> str:
        if path.startswith("http://") or path.startswith("https://"):
            return path
        return f"{self.server}/api/v1{path}"

    def _request(self, method: str, path: str, body: Any = None, headers=None):
        data = None
        hdrs = {
            "Authorization": f"Bearer {self.token}",
            "User-Agent": f"loa-agent/{VERSION}",
            "Accept": "application/json",
        }
        if body is not None:
            data = json.dumps(body).encode()
            hdrs["Content-Type"] = "application/json"
        hdrs.update(headers or {})
        req = urllib.request.Request(
            self.url(path), data=data, headers=hdrs, method=method
        )
        sent = time.time()
        try:
            resp = urllib.request.urlopen(req, timeout=self.timeout)
        except urllib.error.HTTPError as exc:
            self._note_date(exc.headers, sent)
            raise ServerError(exc.code, exc.read()) from None
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            raise LinkError(str(exc)) from None
        self._note_date(resp.headers, sent)
        return resp

    def _note_date(self, headers, sent: float) -> None:
        value = headers.get("Date") if headers else None
        if not value:
            return
        try:
            server = email.utils.parsedate_to_datetime(value).timestamp()
        except (TypeError, ValueError):
            return
        # Date has 1 s resolution: take the middle of the round trip.
        self.clock_offset = round(server + 0.5 - (sent + time.time()) / 2, 1)

    def get_json(self, path: str) -> Any:
        resp = self._request("GET", path)
        try:
            return json.loads(resp.read())
        except (OSError, ValueError, http.client.HTTPException) as exc:
            raise LinkError(f"reading {path}: {exc}") from None

    def post_json(self, path: str, body: Any) -> Any:
        resp = self._request("POST", path, body)
        try:
            return json.loads(resp.read())
        except (OSError, ValueError, http.client.HTTPException) as exc:
            raise LinkError(f"reading {path}: {exc}") from None

    def download(self, url: str, dest: Path, etag: str) -> Path:
        """Download to `dest`, resuming a partial copy with Range and If-Range: if
        the file changed on the server, If-Range makes it send the whole file."""
        have = dest.stat().st_size if dest.exists() else 0
        headers = {"Accept": "*/*"}
        if have and etag:
            headers["Range"] = f"bytes={have}-"
            headers["If-Range"] = etag
        try:
            resp = self._request("GET", url, headers=headers)
        except ServerError as exc:
            if exc.status == 416 and have:
                return dest  # we already have every byte; the checksum decides
            raise
        mode = "ab" if resp.status == 206 else "wb"
        try:
            with open(dest, mode) as f:
                while True:
                    try:
                        block = resp.read(CHUNK)
                    except (OSError, http.client.HTTPException) as exc:
                        f.flush()
                        raise LinkError(f"download cut: {exc!r}") from None
                    if not block:
                        break
                    f.write(block)
                f.flush()
                os.fsync(f.fileno())
        except OSError as exc:
            if exc.errno == errno.ENOSPC:
                raise DiskFull(str(exc)) from None
            raise
        expected = resp.headers.get("Content-Length")
        got = dest.stat().st_size
        if resp.status == 206:
            total = resp.headers.get("Content-Range", "").rsplit("/", 1)[-1]
            if total.isdigit() and got < int(total):
                raise LinkError(f"download cut at {got} of {total} bytes")
        elif expected and got < int(expected):
            raise LinkError(f"download cut at {got} of {expected} bytes")
        return dest


def utcnow() -> datetime:
    return datetime.now(timezone.utc)
