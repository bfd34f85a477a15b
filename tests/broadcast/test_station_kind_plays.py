"""Planning airings asks media_pipeline.rules: a station kind that cannot play an
item's media is never targeted (boards get no sound, horns no silent video)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from broadcast.models import PlannedAiring, Station
from broadcast.services import schedule_create
from loa.units.models import Unit
from media_pipeline.models import LoaMedia

pytestmark = pytest.mark.django_db


def _item(demo, media, page_class):
    from cms.models import RadioItemPage, VideoItemPage

    field = {RadioItemPage: "audio", VideoItemPage: "video"}[page_class]
    extra = {"format": "news"} if page_class is RadioItemPage else {}
    item = demo.add_child(
        instance=page_class(
            title=f"{field} item",
            slug=f"{field}-plays",
            **{field: media},
            **extra,
        )
    )
    item.save_revision().publish()
    return item


def _schedule_to_district(item):
    district = Unit.objects.filter(level="district").order_by("code").first()
    today = timezone.localdate()
    schedule = schedule_create(
        item=item,
        start_date=today,
        end_date=today + timedelta(days=1),
        target_kind="unit",
        target_unit=district,
        slot_times=["06:00"],
    )
    kinds = set(
        PlannedAiring.objects.filter(schedule=schedule).values_list(
            "station__kind", flat=True
        )
    )
    in_district = set(
        Station.objects.filter(
            active=True, unit_id__in=district.descendant_ids()
        ).values_list("kind", flat=True)
    )
    return kinds, in_district


def test_audio_scheduled_to_a_district_plans_no_airing_on_its_boards(demo):
    from cms.models import RadioItemPage

    media = LoaMedia.objects.create(title="Bản tin", type="audio")
    kinds, in_district = _schedule_to_district(_item(demo, media, RadioItemPage))
    assert "ebulletin" in in_district
    assert kinds == {"district_radio", "commune_loudspeaker"}


def test_a_silent_video_is_planned_on_boards_only(demo):
    from cms.models import VideoItemPage

    media = LoaMedia.objects.create(
        title="Phim câm",
        type="video",
        ingest_status=LoaMedia.IngestStatus.READY,
        probe={"video_codec": "vp9", "audio_codec": ""},
    )
    kinds, _in_district = _schedule_to_district(_item(demo, media, VideoItemPage))
    assert kinds == {"ebulletin"}


def test_a_video_with_sound_is_planned_on_every_station_kind(demo):
    from cms.models import VideoItemPage

    media = LoaMedia.objects.create(title="Phóng sự", type="video")
    kinds, in_district = _schedule_to_district(_item(demo, media, VideoItemPage))
    assert (
        kinds == in_district == {"district_radio", "commune_loudspeaker", "ebulletin"}
    )
