"""Reports by language (coverage, gaps) and by units of the time vs today's."""

from datetime import date, datetime, time

import pytest

from broadcast.models import PlannedAiring, Schedule, Station
from broadcast.reorganise import plan_read, reorganisation_apply
from broadcast.reports import ReportFilter, airing_rows
from broadcast.reports_map import language_coverage, language_gaps, language_rows
from broadcast.selectors import LOCAL_TZ
from cms.models import ItemLanguageVersion, Language

pytestmark = pytest.mark.django_db
YEAR = ReportFilter(start=date(2025, 1, 1), end=date(2025, 12, 31))
STIENG = ["dx-tan-phu-loa", "dx-tien-thanh-loa"]


def _plan(item, codes, day, status="aired"):
    schedule = Schedule.objects.create(
        item=item,
        item_title=item.title,
        target_kind="stations",
        start_date=day,
        end_date=day,
    )
    for code in codes:
        PlannedAiring.objects.create(
            schedule=schedule,
            station=Station.objects.get(code=code),
            planned_at=datetime.combine(day, time(17), LOCAL_TZ),
            status=status,
        )


@pytest.fixture
def languages_world(demo, radio_item, pending_media):
    Station.objects.filter(code__in=STIENG).update(languages="stieng, vi")
    with_version = radio_item("Có bản S'tiêng", audio=pending_media("vi"))
    ItemLanguageVersion.objects.create(
        item=with_version,
        language=Language.objects.get(code="stieng"),
        title="S'tiêng",
        media=pending_media("stieng"),
    )
    without = radio_item("Chỉ tiếng Việt", audio=pending_media("vi2"))
    _plan(with_version, ["dx-tan-phu-loa", "dx-tan-binh-loa"], date(2025, 3, 3))
    _plan(without, ["dx-tien-thanh-loa"], date(2025, 3, 4))
    return with_version, without


@pytest.fixture
def pending_media(db, tmp_path):
    from django.core.files import File

    from media_pipeline.models import LoaMedia
    from tests.media import speechlike_wav

    def make(title):
        wav = speechlike_wav(tmp_path / f"{title}.wav", seconds=0.5)
        with open(wav, "rb") as fh:
            media = LoaMedia(title=title, type="audio")
            media.file.save(f"{title}.wav", File(fh), save=True)
        return media

    return make


def test_airings_by_language_follow_the_version_each_station_got(languages_world):
    rows = {r["language"]: r["aired"] for r in language_rows(station_ids=None, f=YEAR)}
    assert rows == {"stieng": 1, "vi": 2}


def test_coverage_counts_communes_that_aired_their_language(languages_world):
    (row,) = language_coverage(station_ids=None, f=YEAR)
    assert (row["language"], row["communes"], row["communes_aired"]) == (
        "stieng",
        2,
        1,
    )
    assert row["share"] == 0.5


def test_gaps_name_items_without_the_version_stations_need(languages_world):
    _with, without = languages_world
    assert language_gaps(station_ids=None, f=YEAR) == [
        {
            "content_id": without.pk,
            "title": "Chỉ tiếng Việt",
            "language": "stieng",
            "stations": 1,
        }
    ]


def test_scope_limits_language_reports(languages_world):
    only = {Station.objects.get(code="dx-tan-binh-loa").pk}
    assert language_coverage(station_ids=only, f=YEAR) == []
    assert [r["language"] for r in language_rows(station_ids=only, f=YEAR)] == ["vi"]


def test_units_of_the_time_and_today_agree_on_totals(demo, radio_item):
    item = radio_item()
    _plan(item, ["dx-tan-phu-loa", "dx-fm", "bl-an-loc-loa"], date(2025, 3, 3))
    _plan(item, ["dx-tan-phu-loa", "dx-fm"], date(2025, 9, 3), status="missed")
    plan = (
        "kind,old_code,new_code,new_name,new_level,new_parent_code\n"
        "merge,dx-tan-phu,dx-moi,Phường Mới,commune,binh-phuoc\n"
        "dissolve,dx,binh-phuoc,,,\n"
    )
    reorganisation_apply(rows=plan_read(plan), effective=date(2025, 7, 1), actor="t")

    def rows(units, group_by="district"):
        return {
            r[group_by]: r
            for r in airing_rows(
                station_ids=None,
                start=YEAR.start,
                end=YEAR.end,
                group_by=group_by,
                units=units,
            )
        }

    by_time, by_today = rows("time"), rows("today")
    for column in ("planned", "aired", "missed"):
        assert sum(r[column] for r in by_time.values()) == sum(
            r[column] for r in by_today.values()
        )
    # By the units of the time, March counts under Đồng Xoài; September (after the
    # districts went) under the province.
    assert by_time["dx"]["aired"] == 2
    assert by_time["binh-phuoc"]["missed"] == 2
    # Rolled up to today, Đồng Xoài is gone: everything is under the province,
    # except Bình Long's commune, whose district still stands in this plan.
    assert "dx" not in by_today
    assert by_today["binh-phuoc"]["planned"] == 4
    assert by_today["bl"]["planned"] == 1
    # By unit: Tân Phú's March airing stays with Tân Phú; today it is the new ward's.
    assert rows("time", "unit")["dx-tan-phu"]["planned"] == 1
    assert rows("today", "unit")["dx-moi"]["planned"] == 2


def test_every_language_table_in_every_format(languages_world, staff_client):
    c = staff_client("bientap.tinh")
    for table in ("language", "language_coverage", "language_gaps"):
        for fmt in ("json", "csv", "xlsx"):
            r = c.get(
                f"/api/v1/reports/airings?from=2025-01-01&to=2025-12-31"
                f"&group_by={table}&format={fmt}"
            )
            assert r.status_code == 200, (table, fmt, r.content[:200])
    bad = c.get("/api/v1/reports/airings?group_by=district&units=yesterday")
    assert bad.status_code == 422 and bad.json()["code"] == "bad_units"
