"""Text that goes into files is made safe by the writer of each format: no playlist
entry, calendar property or spreadsheet formula can be smuggled in through a title."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from broadcast.models import PlannedAiring, Schedule, Station
from broadcast.packages import package_build
from broadcast.services import ConfirmationInput, confirmations_record

pytestmark = pytest.mark.django_db

EVIL_M3U = "x\n#EXTINF:5,Evil\nhttp://evil.example/p.mp3"
EVIL_FORMULA = '=HYPERLINK("http://evil.example","Bấm")'


def _package_with_title(audio_item, schedule_today, title: str) -> dict[str, str]:
    sched = schedule_today(audio_item(), ["dx-tan-phu-loa"], days=1)
    # As if an older admin form had let the text through: the writers must cope.
    Schedule.objects.filter(pk=sched.pk).update(item_title=title)
    today = timezone.localdate()
    p = package_build(
        station_id=Station.objects.get(code="dx-tan-phu-loa").pk, start=today, end=today
    )
    with zipfile.ZipFile(p.path) as zf:
        return {n: zf.read(n).decode() for n in zf.namelist() if "/media/" not in n}


def test_a_title_with_newlines_cannot_add_a_playlist_entry(audio_item, schedule_today):
    files = _package_with_title(audio_item, schedule_today, EVIL_M3U)
    m3u = files["dx-tan-phu-loa/playlist.m3u"].splitlines()
    playable = [ln for ln in m3u if ln and not ln.startswith("#")]
    assert len(playable) == 1 and playable[0].startswith("media/")
    assert not any("evil.example" in ln for ln in playable)
    assert len([ln for ln in m3u if ln.startswith("#EXTINF")]) == 1


def test_schedule_csv_keeps_one_row_per_slot_and_neutralises_formulas(
    audio_item, schedule_today
):
    files = _package_with_title(audio_item, schedule_today, EVIL_FORMULA + "\nx,y")
    rows = list(csv.reader(io.StringIO(files["schedule.csv"])))
    assert len(rows) == 2
    title = rows[1][rows[0].index("title")]
    assert title.startswith("'=HYPERLINK") and "\n" not in title


def test_schedule_ics_escapes_titles_and_folds_long_lines(audio_item, schedule_today):
    title = "Bản tin\r\nATTENDEE:mailto:evil@example.com;" + "dài " * 40
    ics = _package_with_title(audio_item, schedule_today, title)["schedule.ics"]
    assert ics.endswith("\r\n") and "\n" not in ics.replace("\r\n", "")
    lines = ics.split("\r\n")
    assert not any(ln.startswith("ATTENDEE") for ln in lines)
    # RFC 5545 §3.1: lines of at most 75 octets, continuations start with a space.
    assert all(len(ln.encode()) <= 75 for ln in lines)
    unfolded = ics.replace("\r\n ", "")
    summary = next(ln for ln in unfolded.split("\r\n") if ln.startswith("SUMMARY:"))
    assert summary.startswith("SUMMARY:Bản tin ATTENDEE:mailto:evil@example.com\\;")
    assert summary.rstrip().endswith("dài")


def test_report_csv_and_xlsx_neutralise_formula_titles(
    radio_item, schedule_today, demo
):
    item = radio_item(title="Bản tin")
    sched = schedule_today(item, ["dx-tan-phu-loa"], days=1)
    Schedule.objects.filter(pk=sched.pk).update(item_title=EVIL_FORMULA)
    airing = PlannedAiring.objects.get()
    confirmations_record(
        items=[
            ConfirmationInput(
                uuid=str(__import__("uuid").uuid4()), airing=airing.pk, status="aired"
            )
        ],
        station_ids=None,
        source="web",
    )
    staff = Client()
    assert staff.login(username="admin", password="loa-admin")
    today = timezone.localdate()
    q = f"from={today - timedelta(days=1)}&to={today}&group_by=item"
    res = staff.get(f"/api/v1/reports/airings?{q}&format=csv")
    text = b"".join(res.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][rows[0].index("title")] == "'" + EVIL_FORMULA
    res = staff.get(f"/api/v1/reports/airings?{q}&format=xlsx")
    ws = load_workbook(io.BytesIO(res.content)).active
    # The sheet for people has a title block and Vietnamese headers: find the cell.
    cells = [c for row in ws.iter_rows() for c in row if c.value is not None]
    titled = [c for c in cells if "HYPERLINK" in str(c.value)]
    assert titled
    assert all(c.data_type == "s" and not str(c.value).startswith("=") for c in titled)
