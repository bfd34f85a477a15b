"""Language versions of an item, and the one rule for which version an audience
gets: the first of the station's languages the item has, else the item itself."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset

from broadcast.models import Station
from cms.models import ItemLanguageVersion, Language
from cms.selectors import technical_problems, version_for_languages
from loa.units.models import Unit
from tests.cms.forms import radio_item_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def item_with_stieng(draft_item, pending_audio):
    # The rule does not look at renditions: unrendered originals are enough.
    main, stieng = pending_audio("Tiếng Việt"), pending_audio("Tiếng S'tiêng")
    item = draft_item(audio=main)
    ItemLanguageVersion.objects.create(
        item=item,
        language=Language.objects.get(code="stieng"),
        title="Bản tiếng S'tiêng",
        media=stieng,
    )
    return item, main, stieng


def test_station_speaking_stieng_gets_the_stieng_version(item_with_stieng):
    item, _, stieng = item_with_stieng
    assert version_for_languages(item, ["stieng", "vi"]) == ("stieng", stieng)


def test_language_order_decides(item_with_stieng, pending_audio):
    item, _, stieng = item_with_stieng
    khmer = pending_audio("Khmer")
    ItemLanguageVersion.objects.create(
        item=item, language=Language.objects.get(code="km"), title="Khmer", media=khmer
    )
    assert version_for_languages(item, ["km", "stieng"]) == ("km", khmer)
    assert version_for_languages(item, ["stieng", "km"]) == ("stieng", stieng)


@pytest.mark.parametrize("languages", [["vi"], ["mnong"], ["mnong", "tay"], []])
def test_stations_without_a_version_get_vietnamese(item_with_stieng, languages):
    item, main, _ = item_with_stieng
    assert version_for_languages(item, languages) == ("vi", main)


@pytest.mark.slow
def test_a_version_without_a_recording_is_not_offered(draft_item, rendered_audio):
    main = rendered_audio()
    item = draft_item(audio=main)
    ItemLanguageVersion.objects.create(
        item=item, language=Language.objects.get(code="stieng"), title="Chưa có"
    )
    assert version_for_languages(item, ["stieng"]) == ("vi", main)
    assert any("S'tiêng" in p for p in technical_problems(item))


@pytest.mark.slow
def test_versions_media_is_part_of_the_technical_check(
    draft_item, rendered_audio, pending_audio
):
    item = draft_item(audio=rendered_audio())
    version = ItemLanguageVersion.objects.create(
        item=item,
        language=Language.objects.get(code="stieng"),
        title="S'tiêng",
        media=pending_audio(),
    )
    assert any("S'tiêng" in p for p in technical_problems(item))
    version.media = rendered_audio("S'tiêng")
    version.save()
    assert technical_problems(item) == []


def test_item_in_another_language_falls_back_to_its_own(draft_item, pending_audio):
    main = pending_audio()
    item = draft_item(audio=main, language=Language.objects.get(code="km"))
    assert version_for_languages(item, ["stieng"]) == ("km", main)


def test_editor_adds_a_version_in_the_item_form(login, draft_item, pending_audio):
    main, stieng = pending_audio(), pending_audio("S'tiêng")
    item = draft_item(audio=main)
    data = radio_item_form(
        item.title,
        slug=item.slug,
        audio=main.pk,
        language_versions=inline_formset(
            [
                {
                    "language": Language.objects.get(code="stieng").pk,
                    "title": "Bản tiếng S'tiêng",
                    "media": stieng.pk,
                    "script": "",
                    "captions": "",
                }
            ]
        ),
    )
    response = login("bientap.tinh").post(
        reverse("wagtailadmin_pages:edit", args=(item.pk,)), data
    )
    assert response.status_code == 302, response.context["form"].errors
    draft = item.__class__.objects.get(pk=item.pk).get_latest_revision_as_object()
    assert version_for_languages(draft, ["stieng"]) == ("stieng", stieng)


def test_station_languages_are_known_codes_in_order(db):
    unit = Unit.objects.create(code="x", name="X", level="commune")
    station = Station(code="x", name="X", unit=unit, kind="commune_loudspeaker")
    station.languages = "stieng, vi, stieng"
    station.clean()
    assert station.language_codes() == ["stieng", "vi"]
    station.languages = "stieng, klingon"
    with pytest.raises(ValidationError, match="klingon"):
        station.clean()
    station.languages = ""
    assert station.language_codes() == ["vi"]
