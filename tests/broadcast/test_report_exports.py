"""Report exports ready to hand in: every airing under its own district in both
tree shapes; XLSX for people (Vietnamese headers, local times, title, totals);
CSV for machines (stable keys, +07:00 times, BOM); every README group_by in
every format."""

from __future__ import annotations

import csv
import io
import re
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import timezone
from openpyxl import load_workbook

from broadcast.models import PlannedAiring, Station
from broadcast.reports import ReportFilter, airing_rows
from broadcast.services import ConfirmationInput, confirmations_record, schedule_create
from loa.units.models import Unit

pytestmark = pytest.mark.django_db

# Yesterday: the airing is past, within the days staff may confirm.
DAY = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date() - timedelta(days=1)


@pytest.fixture
def planned(radio_item):
    """06:00 local (23:00 UTC the day before) at a district station and two
    communes; one aired at its time, one missed."""
    item = radio_item(title="=Bản tin pháp luật")
    schedule_create(
        item=item,
        start_date=DAY,
        end_date=DAY,
        target_kind="stations",
        target_stations=list(
            Station.objects.filter(
                code__in=["dx-fm", "dx-tan-phu-loa", "ct-minh-hung-loa"]
            )
        ),
        slot_times=["06:00"],
    )
    a = {x.station.code: x for x in PlannedAiring.objects.select_related("station")}
    confirmations_record(
        items=[
            ConfirmationInput(
                str(uuid.uuid4()),
                a["dx-tan-phu-loa"].pk,
                "aired",
                aired_at=a["dx-tan-phu-loa"].planned_at,
            ),
            ConfirmationInput(
                str(uuid.uuid4()), a["ct-minh-hung-loa"].pk, "missed", reason="power"
            ),
        ],
        station_ids=None,
        source="web",
    )
    return a


def _q(group_by: str, fmt: str) -> str:
    return (
        f"/api/v1/reports/airings?from={DAY}&to={DAY}&group_by={group_by}&format={fmt}"
    )


def _districts(**kw) -> dict:
    rows = airing_rows(
        station_ids=None, start=DAY, end=DAY, group_by="district", f=None, **kw
    )
    return {r["district"]: r["planned"] for r in rows}


def test_a_district_station_counts_under_its_district_not_the_province(demo, planned):
    assert _districts() == {"dx": 2, "ct": 1}


def test_two_tier_communes_count_directly_under_the_province(demo, radio_item):
    province = Unit.objects.get(level="province")
    commune = Unit.objects.create(
        code="xa-moi", name="Xã Mới", level="commune", parent=province
    )
    Station.objects.create(
        code="xa-moi-loa", name="Loa Xã Mới", unit=commune, kind="commune_loudspeaker"
    )
    schedule_create(
        item=radio_item(),
        start_date=DAY,
        end_date=DAY,
        target_kind="stations",
        target_stations=list(Station.objects.filter(code__in=["xa-moi-loa", "dx-fm"])),
        slot_times=["06:00"],
    )
    assert _districts() == {"binh-phuoc": 1, "dx": 1}


def _readme_group_bys() -> list[str]:
    readme = (Path(settings.BASE_DIR) / "README.md").read_text()
    listed = re.search(r"group_by=([a-z|]+)", readme.split("also `format=xlsx`")[1])
    return sorted({"airing", *listed.group(1).split("|")})


@pytest.mark.parametrize("fmt", ["json", "csv", "xlsx"])
def test_every_readme_group_by_answers_in_every_format(staff_client, planned, fmt):
    c = staff_client("bientap.tinh")
    group_bys = _readme_group_bys()
    assert "summary" in group_bys and len(group_bys) == 7
    for group_by in group_bys:
        resp = c.get(_q(group_by, fmt))
        assert resp.status_code == 200, (group_by, fmt, resp.content[:200])
        body = b"".join(resp.streaming_content) if resp.streaming else resp.content
        if fmt == "json":
            assert body.startswith(b"{")
        elif fmt == "csv":
            assert body.startswith("\ufeff".encode())
            assert len(body.decode("utf-8-sig").splitlines()) >= 2, group_by
        else:
            ws = load_workbook(io.BytesIO(body)).active
            assert ws.max_row >= 6, (
                group_by
            )  # title, period, issuer, header, data, total


def test_csv_is_for_machines_stable_keys_and_local_iso_times(staff_client, planned):
    resp = staff_client("bientap.tinh").get(_q("airing", "csv"))
    text = b"".join(resp.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert list(rows[0])[:6] == [
        "airing_id",
        "station",
        "unit",
        "content_id",
        "title",
        "planned_at",
    ]
    assert {r["planned_at"] for r in rows} == {f"{DAY}T06:00:00+07:00"}
    by = {r["station"]: r for r in rows}
    assert by["ct-minh-hung-loa"]["status"] == "missed"
    assert by["ct-minh-hung-loa"]["reason"] == "power"
    assert by["dx-tan-phu-loa"]["reason"] == ""
    assert by["dx-tan-phu-loa"]["title"].startswith("'=")  # never a formula
    summary = staff_client("bientap.tinh").get(_q("summary", "csv"))
    lines = b"".join(summary.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0].startswith("district,district_name,planned,aired")
    assert lines[-1].startswith("total,")


def test_xlsx_is_for_people_titled_local_times_totals_and_string_cells(
    staff_client, planned
):
    resp = staff_client("bientap.dongxoai").get(_q("airing", "xlsx"))
    wb = load_workbook(io.BytesIO(resp.content))
    ws = wb.active
    title, period, issuer, header = (
        ws.cell(row=r, column=1).value for r in range(1, 5)
    )
    assert "BÁO CÁO" in title.upper()
    assert DAY.strftime("%d/%m/%Y") in period
    assert "Đồng Xoài" in issuer
    headers = [c.value for c in ws[4]]
    assert headers[:2] == ["Số hiệu lượt phát", "Mã đài"]
    assert "Giờ phát theo kế hoạch" in headers
    assert ws.freeze_panes == "A5"
    col = headers.index("Giờ phát theo kế hoạch") + 1
    cell = ws.cell(row=5, column=col)
    assert cell.value == datetime(DAY.year, DAY.month, DAY.day, 6, 0)
    assert cell.number_format == "dd/mm/yyyy hh:mm"
    titles = [ws.cell(row=r, column=headers.index("Tên tin, bài") + 1) for r in (5, 6)]
    assert all(t.data_type == "s" and t.value.startswith("'=") for t in titles)
    status = [
        ws.cell(row=r, column=headers.index("Trạng thái") + 1).value for r in (5, 6)
    ]
    assert set(status) == {"Đã phát", "Theo kế hoạch"}
    last = ws.max_row
    assert ws.cell(row=last, column=1).value == "Tổng cộng"
    assert ws.cell(row=last, column=2).value == 2  # the district's two airings
    assert ws.column_dimensions["E"].width > 20
    by_station = load_workbook(
        io.BytesIO(staff_client("bientap.tinh").get(_q("station", "xlsx")).content)
    ).active
    total = [c.value for c in by_station[by_station.max_row]]
    assert total[0] == "Tổng cộng" and total[2:5] == [3, 1, 1]
    assert by_station.cell(row=5, column=3).number_format == "#,##0"


def test_the_confirmed_late_count_reaches_the_report(demo, radio_item):
    yesterday = timezone.localdate() - timedelta(days=1)
    schedule_create(
        item=radio_item(),
        start_date=yesterday,
        end_date=yesterday,
        target_kind="stations",
        target_stations=list(Station.objects.filter(code="dx-tan-phu-loa")),
        slot_times=["20:00"],
    )
    airing = PlannedAiring.objects.get()
    confirmations_record(
        items=[
            ConfirmationInput(str(uuid.uuid4()), airing.pk, "missed", reason="power")
        ],
        station_ids=None,
        source="web",
    )
    (row,) = airing_rows(
        station_ids=None,
        start=yesterday,
        end=yesterday,
        group_by="station",
        f=ReportFilter(start=yesterday, end=yesterday),
    )
    assert (row["missed"], row["late"]) == (1, 1)
