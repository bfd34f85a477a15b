"""As-run logs exported by a playout PC: decode, parse, match lines to planned airings.

Playout software in Vietnamese stations writes CSV as UTF-8 (with or without BOM) or
in the Windows-1258 code page. Windows-1258 writes most tones as combining marks
after the base letter, so decoded text is normalised to NFC before anything compares
it. A file that is neither is refused, never guessed at.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import re
import unicodedata
import uuid
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from .models import Confirmation, PlannedAiring, Station
from .services import (
    LOCAL_TZ,
    ConfirmationInput,
    ServiceError,
    confirmations_record,
    uuids_subquery,
)

MAX_BYTES = 2 * 1024 * 1024
MAX_LINES = 20_000
# A fixed-slot airing matches a line that started within this window of its slot.
MATCH_WINDOW = timedelta(hours=3)

_START = {"start", "start_time", "started", "time", "aired_at", "bat_dau", "bắt đầu"}
_WHAT = {"file", "filename", "file_name", "path", "content_id", "content", "item"}
_DURATION = {"duration", "length", "seconds", "thoi_luong", "thời lượng"}
_FILE_ID = re.compile(r"^(\d+)-")
_FORMATS = (
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
)


def decode(raw: bytes) -> str:
    """UTF-8 (± BOM) or Windows-1258, as NFC text; ServiceError otherwise."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = raw.decode("cp1258")
        except UnicodeDecodeError:
            raise ServiceError(
                "bad_encoding",
                _("The file is neither UTF-8 nor Windows-1258 text."),
            ) from None
    if "\x00" in text:
        raise ServiceError("bad_encoding", _("The file is not a text (CSV) file."))
    return unicodedata.normalize("NFC", text)


@dataclass
class AsRunLine:
    line: int
    start: datetime
    content_id: int | None
    raw_what: str
    duration: float | None


@dataclass
class ImportResult:
    lines: int = 0
    results: list[dict] = field(default_factory=list)
    unmatched: list[dict] = field(default_factory=list)


def _parse_start(value: str) -> datetime | None:
    value = value.strip()
    dt = parse_datetime(value.replace(" ", "T", 1)) if value else None
    if dt is None:
        for fmt in _FORMATS:
            try:
                dt = datetime.strptime(value, fmt)
                break
            except ValueError:
                continue
    if dt is None:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=LOCAL_TZ)
    return dt


def _content_id(value: str) -> int | None:
    value = value.strip()
    if value.isdigit():
        return int(value)
    # Package files are named "<content id>-<profile>.<ext>"; playout PCs log the
    # file name, sometimes with a Windows path in front.
    name = re.split(r"[\\/]", value)[-1]
    m = _FILE_ID.match(name)
    return int(m.group(1)) if m else None


def _duration(value: str) -> float | None:
    value = value.strip()
    if not value:
        return None
    parts = value.split(":")
    try:
        nums = [float(p) for p in parts]
    except ValueError:
        return None
    total = 0.0
    for n in nums:
        total = total * 60 + n
    return total


def parse(text: str) -> tuple[list[AsRunLine], list[dict]]:
    """Lines of the log and the lines that could not be read (with why)."""
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        rows = list(csv.reader(io.StringIO(text), dialect))
    except csv.Error:
        # A field over the csv module's limit (131,072 characters) or a stray NUL:
        # not an as-run log.
        raise ServiceError(
            "bad_csv", _("The file is not a CSV as-run log (a field is too long).")
        ) from None
    if len(rows) > MAX_LINES:
        raise ServiceError(
            "too_many_lines",
            _("Send at most %(n)d lines per file.") % {"n": MAX_LINES},
        )
    cols = (0, 1, 2)
    first = 0
    if rows:
        header = [h.strip().lower() for h in rows[0]]
        if any(h in _START for h in header):
            first = 1

            def find(names, default):
                return next((i for i, h in enumerate(header) if h in names), default)

            cols = (find(_START, 0), find(_WHAT, 1), find(_DURATION, None))
    parsed, bad = [], []
    for n, row in enumerate(rows[first:], start=first + 1):
        if not any(c.strip() for c in row):
            continue
        text_line = ",".join(row)
        if len(row) <= max(c for c in cols if c is not None):
            bad.append({"line": n, "text": text_line, "reason": _("Too few columns.")})
            continue
        start = _parse_start(row[cols[0]])
        if start is None:
            bad.append(
                {"line": n, "text": text_line, "reason": _("Unreadable start time.")}
            )
            continue
        parsed.append(
            AsRunLine(
                line=n,
                start=start,
                content_id=_content_id(row[cols[1]]),
                raw_what=row[cols[1]].strip(),
                duration=_duration(row[cols[2]]) if cols[2] is not None else None,
            )
        )
    return parsed, bad


def _line_key() -> bytes:
    """The HMAC key of as-run line ids, derived from the server secret as
    Django's salted_hmac does (the ids of lines imported before stay the same);
    derived once per import, not once per line."""
    return hashlib.sha256(b"loa.asrun.line" + settings.SECRET_KEY.encode()).digest()


def line_uuid(station: Station, ln: AsRunLine, key: bytes | None = None) -> uuid.UUID:
    """The confirmation id of one as-run line: scoped to the posting station and
    keyed with a server secret (an HMAC), so no other station can predict it and
    claim it first. The same line from the same station always gives the same id,
    which is what makes a re-import change nothing."""
    digest = hmac.new(
        key or _line_key(),
        f"{station.pk}|{ln.start.isoformat()}|{ln.raw_what}".encode(),
        hashlib.sha256,
    ).digest()
    return uuid.UUID(bytes=digest[:16], version=4)


def import_asrun(*, raw: bytes, station: Station, actor=None) -> ImportResult:
    """Match each played line to the station's planned airing of the same item
    nearest in time and record it as aired. Re-importing the same file changes
    nothing: each line's confirmation uuid derives from the station and the line.

    Set-based: one query for the lines already imported, one for every candidate
    airing, then one batch of confirmations, whatever the file's length."""
    if len(raw) > MAX_BYTES:
        raise ServiceError(
            "file_too_large",
            _("The file is larger than %(n)d MB.") % {"n": MAX_BYTES // 2**20},
        )
    lines, bad = parse(decode(raw))
    out = ImportResult(lines=len(lines) + len(bad), unmatched=bad)
    wanted = [ln for ln in lines if ln.content_id is not None]
    for ln in lines:
        if ln.content_id is None:
            out.unmatched.append(
                {
                    **_unmatched(ln),
                    "reason": _("No content id or package file name."),
                }
            )
    secret = _line_key()
    keys = {ln.line: line_uuid(station, ln, secret) for ln in wanted}
    # Only this station's confirmations: another station's row never answers here.
    seen = dict(
        Confirmation.objects.filter(
            uuid__in=uuids_subquery(keys.values()), airing__station=station
        ).values_list("uuid", "airing_id")
    )
    candidates = _candidates(
        station, [ln for ln in wanted if keys[ln.line] not in seen]
    )
    times = {item: [a.planned_at for a in pool] for item, pool in candidates.items()}
    taken: set[int] = set(seen.values())
    inputs: list[tuple[AsRunLine, ConfirmationInput]] = []
    for ln in wanted:
        key = keys[ln.line]
        airing_id = seen.get(key)
        if airing_id is None:
            airing = _nearest(
                candidates.get(ln.content_id, []),
                ln,
                taken,
                times.get(ln.content_id, []),
            )
            airing_id = airing.pk if airing else None
        if airing_id is None:
            out.unmatched.append(
                {
                    **_unmatched(ln),
                    "reason": _("No planned airing of this item near then."),
                }
            )
            continue
        taken.add(airing_id)
        note = f"as-run line {ln.line}"
        if ln.duration is not None:
            note += f", {ln.duration:g} s"
        inputs.append(
            (
                ln,
                ConfirmationInput(
                    uuid=key,
                    airing=airing_id,
                    status=Confirmation.Status.AIRED,
                    aired_at=ln.start,
                    note=note,
                ),
            )
        )
    results = confirmations_record(
        items=[c for _ln, c in inputs],
        station_ids={station.pk},
        source=Confirmation.Source.IMPORT,
        actor=actor,
        actor_station=station,
    )
    for (ln, c), r in zip(inputs, results, strict=True):
        out.results.append(
            {
                "line": ln.line,
                "airing": c.airing,
                **{k: v for k, v in r.__dict__.items() if v},
            }
        )
    return out


def _unmatched(ln: AsRunLine) -> dict:
    return {"line": ln.line, "text": f"{ln.start.isoformat()} {ln.raw_what}"}


def _candidates(
    station: Station, lines: list[AsRunLine]
) -> dict[int, list[_Candidate]]:
    """Every airing any of these lines could match, by content id, in one query."""
    if not lines:
        return {}
    first = min(ln.start for ln in lines)
    day_start = datetime.combine(
        first.astimezone(LOCAL_TZ).date(), datetime.min.time(), LOCAL_TZ
    )
    by_item: dict[int, list[_Candidate]] = {}
    for item_id, *fields in (
        PlannedAiring.objects.filter(
            station=station,
            schedule__item_id__in={ln.content_id for ln in lines},
            planned_at__gte=min(day_start, first - MATCH_WINDOW),
            planned_at__lte=max(ln.start for ln in lines) + MATCH_WINDOW,
        )
        .exclude(status=PlannedAiring.Status.CANCELLED)
        .order_by("planned_at", "pk")
        .values_list("schedule__item_id", "pk", "planned_at", "flexible", "status")
    ):
        by_item.setdefault(item_id, []).append(_Candidate(*fields))
    return by_item


@dataclass(slots=True)
class _Candidate:
    """What matching needs of a planned airing (tuples, not 20,000 model rows)."""

    pk: int
    planned_at: datetime
    flexible: bool
    status: str


def _by_distance(
    candidates: list[_Candidate], times: list[datetime], at: datetime, first, last
):
    """candidates[first:last] (sorted by time) from the nearest to `at` outwards;
    on equal distance in list order, as a stable sort by distance would give."""
    right = bisect_left(times, at, first, last)
    left = right - 1
    while left >= first or right < last:
        if left >= first:
            run = left
            # The run of airings planned at the same time, in list order.
            while (
                run > first
                and candidates[run - 1].planned_at == candidates[left].planned_at
            ):
                run -= 1
            left_gap = at - candidates[left].planned_at
        if right < last and (
            left < first or candidates[right].planned_at - at < left_gap
        ):
            yield candidates[right]
            right += 1
        else:
            yield from candidates[run : left + 1]
            left = run - 1


def _nearest(
    candidates: list[_Candidate],
    ln: AsRunLine,
    taken: set[int],
    times: list[datetime] | None = None,
):
    """The airing nearest in time that this line may confirm: one still waiting
    for a confirmation if any (a re-import then finds the one it confirmed before
    and reads as a duplicate), else the nearest at all.

    Walks outwards from the line's time and stops at the first fit, so a long
    file costs about one step per line, not a scan of the day per line.
    `times` is the candidates' planned times, made once per import: bisecting
    with a key function calls it at every step (a second per 20,000 lines)."""
    if times is None:
        times = [a.planned_at for a in candidates]
    if not times:
        return None
    day = ln.start.astimezone(LOCAL_TZ).date()
    day_start = datetime.combine(day, datetime.min.time(), LOCAL_TZ)
    # In the candidates' own tzinfo: comparing datetimes of two different tzinfo
    # objects asks each for its offset every time, which made bisecting slow.
    tz = times[0].tzinfo
    at = ln.start.astimezone(tz)
    lo, hi = min(day_start, at - MATCH_WINDOW).astimezone(tz), at + MATCH_WINDOW
    first = bisect_left(times, lo)
    last = bisect_right(times, hi)
    fallback = None
    for a in _by_distance(candidates, times, at, first, last):
        if a.pk in taken or not (a.flexible or abs(a.planned_at - at) <= MATCH_WINDOW):
            continue
        if a.status == PlannedAiring.Status.PLANNED:
            return a
        fallback = fallback or a
    return fallback
