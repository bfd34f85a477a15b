"""The demo is on air from the first start: load_demo plans the current week on Đồng
Xoài's stations through the schedule service, withdraws one schedule, and packages
build as soon as a scheduled item's renditions finish."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from broadcast.models import Package, PlannedAiring, Schedule, Station
from demo.week import DEMO_WEEK_STATIONS, demo_week_plan


def _demo_items(radio_item):
    return radio_item("Phóng sự: Hiến pháp 2013"), radio_item("Thông báo tuần lễ")


def test_demo_week_gives_the_commune_user_todays_airings(
    demo, radio_item, staff_client
):
    report, notice = _demo_items(radio_item)
    demo_week_plan(report=report, announcement=notice)
    html = staff_client("xa.tanphu").get("/station/").content.decode()
    assert report.title in html
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    plans = Schedule.objects.filter(start_date=monday, end_date=monday + timedelta(6))
    # Fixed slots for some communes, "N times in the week" for others.
    assert plans.filter(times_in_period__isnull=False).exists()
    assert plans.exclude(slot_times=[]).exists()
    stations = set(
        PlannedAiring.objects.values_list("station__code", flat=True).distinct()
    )
    assert stations == set(DEMO_WEEK_STATIONS)
    assert all(code.startswith("dx-") for code in stations)


def test_demo_week_withdraws_one_schedule_whose_later_airings_are_cancelled(
    demo, radio_item
):
    report, notice = _demo_items(radio_item)
    demo_week_plan(report=report, announcement=notice)
    withdrawn = Schedule.objects.get(withdrawn_at__isnull=False)
    assert withdrawn.withdrawn_reason
    later = withdrawn.airings.filter(planned_at__gt=timezone.now())
    assert later.exists()
    assert set(later.values_list("status", flat=True)) == {"cancelled"}
    assert Schedule.objects.filter(withdrawn_at__isnull=True).count() >= 2


def test_demo_week_confirms_the_communes_airings_due_so_far(demo, radio_item):
    from broadcast.models import Confirmation

    report, notice = _demo_items(radio_item)
    # Loaded a week late: the whole of last week was due.
    demo_week_plan(
        report=report,
        announcement=notice,
        today=timezone.localdate() - timedelta(days=7),
    )
    due = PlannedAiring.objects.filter(
        schedule__item=report,
        station__code="dx-tan-phu-loa",
        planned_at__lt=timezone.now() - timedelta(hours=1),
    ).order_by("planned_at")
    from broadcast.selectors import local_day_bounds
    from broadcast.services import confirm_days

    oldest = local_day_bounds(timezone.localdate() - timedelta(days=confirm_days()))[0]
    too_old = list(due.filter(planned_at__lt=oldest).values_list("status", flat=True))
    statuses = list(due.filter(planned_at__gte=oldest).values_list("status", flat=True))
    # Twice a day; what staff may no longer confirm stays planned (the district
    # corrects it); of the rest the first was lost to a power cut, the others aired.
    assert set(too_old) <= {"planned"}
    assert statuses and statuses == ["missed"] + ["aired"] * (len(statuses) - 1)
    assert Confirmation.objects.count() == len(statuses)
    assert set(
        PlannedAiring.objects.exclude(station__code="dx-tan-phu-loa").values_list(
            "status", flat=True
        )
    ) <= {"planned", "cancelled"}


def test_loading_the_demo_twice_in_a_week_plans_it_once(demo, radio_item):
    report, notice = _demo_items(radio_item)
    demo_week_plan(report=report, announcement=notice)
    airings = PlannedAiring.objects.count()
    schedules = Schedule.objects.count()
    demo_week_plan(report=report, announcement=notice)
    assert (Schedule.objects.count(), PlannedAiring.objects.count()) == (
        schedules,
        airings,
    )


def _schedule(item, codes):
    from broadcast.services import schedule_create

    today = timezone.localdate()
    return schedule_create(
        item=item,
        start_date=today,
        end_date=today + timedelta(days=1),
        target_kind="stations",
        target_stations=list(Station.objects.filter(code__in=codes)),
        slot_times=["06:00"],
    )


def _rerender(item, profile, capture):
    """Render the item's rendition again, as the worker does after a re-render."""
    from media_pipeline.models import RenditionJob
    from media_pipeline.services import job_requeue

    job = RenditionJob.objects.get(media=item.specific.audio, profile=profile)
    with capture(execute=True):
        job_requeue(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == RenditionJob.Status.DONE


def test_finished_renditions_build_the_packages_of_the_stations_waiting_on_them(
    audio_item, django_capture_on_commit_callbacks
):
    item = audio_item()
    _schedule(item, ["dx-tan-phu-loa"])
    assert not Package.objects.exists()
    _rerender(item, "commune-loudspeaker", django_capture_on_commit_callbacks)
    today = timezone.localdate()
    # The commune's own package, and its district's (which carries the commune's).
    for code in ("dx-tan-phu-loa", "dx-fm"):
        package = Package.objects.filter(
            station__code=code, period_start=today, status="ready"
        ).latest("built_at")
        paths = [i["path"] for i in package.manifest["items"]]
        assert paths == [f"dx-tan-phu-loa/media/{item.pk}-commune-loudspeaker.mp3"]
        assert package.manifest["pending"] == []
    # Stations that do not air the item get nothing built.
    assert not Package.objects.filter(station__code="dx-tan-binh-loa").exists()


def test_a_rendition_no_station_plays_builds_no_package(
    audio_item, django_capture_on_commit_callbacks
):
    scheduled, unscheduled = audio_item(), audio_item("Chưa lên lịch")
    _schedule(scheduled, ["dx-tan-phu-loa"])
    # The district FM rendition of an item only a commune airs, and any rendition
    # of an item no one scheduled: no station waits on them.
    _rerender(scheduled, "district-fm", django_capture_on_commit_callbacks)
    _rerender(unscheduled, "commune-loudspeaker", django_capture_on_commit_callbacks)
    assert not Package.objects.exists()
