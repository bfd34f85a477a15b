"""A title that starts like a spreadsheet formula is one line, so the media form
accepts it; every writer of a file it ends up in (schedule.csv, schedule.ics, the
M3U playlist) neutralises it on its own."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from broadcast.models import Station
from broadcast.packages import package_build
from tests.media import sine_wav

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://evil.example","Bấm")'


def test_a_formula_title_is_one_line_so_accepted_and_the_writers_neutralise_it(
    admin_client, tmp_path, audio_item, schedule_today
):
    wav = sine_wav(tmp_path / "a.wav", seconds=0.5).read_bytes()
    resp = admin_client.post(
        "/admin/media/audio/add/",
        {"title": FORMULA, "file": SimpleUploadedFile("a.wav", wav), "collection": "1"},
    )
    assert resp.status_code == 302  # one line: not the form's business
    # The same title on a scheduled item: each writer makes it harmless.
    schedule_today(audio_item(title=FORMULA), ["dx-tan-phu-loa"], days=1)
    today = timezone.localdate()
    package = package_build(
        station_id=Station.objects.get(code="dx-tan-phu-loa").pk, start=today, end=today
    )
    with zipfile.ZipFile(package.path) as zf:
        schedule_csv = zf.read("schedule.csv").decode()
        ics = zf.read("schedule.ics").decode()
        m3u = zf.read("dx-tan-phu-loa/playlist.m3u").decode()
    rows = list(csv.reader(io.StringIO(schedule_csv)))
    assert rows[1][rows[0].index("title")].startswith("'=HYPERLINK")
    summary = next(ln for ln in ics.split("\r\n") if ln.startswith("SUMMARY:"))
    assert summary.startswith('SUMMARY:=HYPERLINK("http://evil.example"\\,')
    extinf = [ln for ln in m3u.splitlines() if ln.startswith("#EXTINF")]
    assert len(extinf) == 1 and extinf[0].endswith(FORMULA)
