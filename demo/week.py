"""The demo's week on air: Đồng Xoài's stations get the demo's radio items for the
current week, through the same schedule services an editor uses, so the commune page,
the packages and the reports have something to show from the first start."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from broadcast.models import Confirmation, PlannedAiring, Schedule, Station
from broadcast.selectors import local_day_bounds
from broadcast.services import (
    ConfirmationInput,
    confirm_days,
    confirmations_record,
    schedule_create,
    schedule_withdraw,
)

EDITOR = "bientap.dongxoai"
# Fixed slots: the district station and two communes air the report twice a day.
FIXED_STATIONS = ["dx-fm", "dx-tan-phu-loa", "dx-tan-binh-loa"]
FIXED_SLOTS = ["06:00", "17:30"]
# "N times in the week": Tiến Thành's staff pick the hours for the announcement.
FLEXIBLE_STATIONS = ["dx-tien-thanh-loa"]
FLEXIBLE_TIMES = 5
# A noon slot for the announcement that the district withdraws, so the withdrawal
# shows on the commune page (cancelled airings) and in the packages.
WITHDRAWN_STATIONS = ["dx-fm", "dx-tan-phu-loa"]
WITHDRAWN_SLOTS = ["11:00"]
WITHDRAWN_REASON = "Thông báo đã được thay bằng bản cập nhật."
DEMO_WEEK_STATIONS = sorted(set(FIXED_STATIONS + FLEXIBLE_STATIONS))
# Tân Phú's staff have confirmed the week so far (one airing lost to a power cut), so
# the reports count airings, not only plans.
CONFIRMING_USER, CONFIRMING_STATION = "xa.tanphu", "dx-tan-phu-loa"


def _stations(codes: list[str]) -> list[Station]:
    return list(Station.objects.filter(code__in=codes))


@transaction.atomic
def demo_week_plan(*, report, announcement, today: date | None = None) -> list[int]:
    """Plan the current week (Monday to Sunday) once; returns the new schedules' ids.

    Running it again in the same week changes nothing; in a later week it plans that
    week. Packages for the planned stations are queued after the commit: those whose
    renditions are not done yet are rebuilt when the renditions finish.
    """
    today = today or timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    sunday = monday + timedelta(days=6)
    if Schedule.objects.filter(item=report, start_date=monday).exists():
        return []
    editor = get_user_model().objects.filter(username=EDITOR).first()
    week = dict(
        start_date=monday,
        end_date=sunday,
        target_kind=Schedule.TargetKind.STATIONS,
        created_by=editor,
    )
    fixed = schedule_create(
        item=report,
        target_stations=_stations(FIXED_STATIONS),
        slot_times=FIXED_SLOTS,
        **week,
    )
    flexible = schedule_create(
        item=announcement,
        target_stations=_stations(FLEXIBLE_STATIONS),
        times_in_period=FLEXIBLE_TIMES,
        **week,
    )
    withdrawn = schedule_create(
        item=announcement,
        target_stations=_stations(WITHDRAWN_STATIONS),
        slot_times=WITHDRAWN_SLOTS,
        **week,
    )
    schedule_withdraw(
        schedule=withdrawn,
        reason=WITHDRAWN_REASON,
        actor=editor.username if editor else "",
    )
    _confirm_week_so_far(fixed)
    schedule_ids = [fixed.pk, flexible.pk, withdrawn.pk]
    station_ids = sorted(
        set(
            PlannedAiring.objects.filter(schedule_id__in=schedule_ids).values_list(
                "station_id", flat=True
            )
        )
    )
    transaction.on_commit(lambda: _queue_packages(station_ids))
    return schedule_ids


def _queue_packages(station_ids: list[int]) -> None:
    from broadcast.tasks import build_packages_for_stations

    build_packages_for_stations.delay(station_ids)


def _confirm_week_so_far(schedule: Schedule) -> None:
    """Confirm the commune's airings of `schedule` that were due over an hour ago:
    all aired but the first, missed for a power cut."""
    # Only what staff could still confirm: older airings are the district's to correct.
    oldest = timezone.localdate() - timedelta(days=confirm_days())
    due = list(
        schedule.airings.filter(
            station__code=CONFIRMING_STATION,
            planned_at__lt=timezone.now() - timedelta(hours=1),
            planned_at__gte=local_day_bounds(oldest)[0],
        ).order_by("planned_at")
    )
    items = [
        ConfirmationInput(
            # Derived from the airing, so a re-run could never confirm it twice.
            uuid=str(uuid.uuid5(uuid.NAMESPACE_URL, f"loa-demo-airing-{a.pk}")),
            airing=a.pk,
            status=Confirmation.Status.MISSED if n == 0 else Confirmation.Status.AIRED,
            aired_at=None if n == 0 else a.planned_at,
            reason=Confirmation.Reason.POWER if n == 0 else "",
        )
        for n, a in enumerate(due)
    ]
    if items:
        confirmations_record(
            items=items,
            station_ids=None,
            source=Confirmation.Source.WEB,
            actor=get_user_model().objects.filter(username=CONFIRMING_USER).first(),
        )
