"""Posters have language versions too (the poster in S'tiêng, Khmer ...): the same
inline, the same review, the same one rule for who gets which, the package manifest
and the gallery. Mirrors the radio/video tests."""

import json
import zipfile
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from broadcast.models import Station
from broadcast.packages import package_build
from cms.models import ItemLanguageVersion, Language, PosterPage
from cms.selectors import technical_problems, version_for_languages
from tests.factories import ImageFactory, PosterFactory

pytestmark = pytest.mark.django_db


def _stieng(poster, image):
    poster.language_versions.add(
        ItemLanguageVersion(
            language=Language.objects.get(code="stieng"),
            title="Tranh tiếng S'tiêng",
            image=image,
        )
    )
    poster.save_revision().publish()
    return poster


@pytest.fixture
def poster(demo):
    def make(**kw):
        return PosterFactory(parent=demo, slug=f"tranh-{PosterPage.objects.count()}")

    return make


def test_the_rule_gives_a_poster_version_to_stations_that_speak_it(poster):
    item = poster()
    stieng = ImageFactory(title="S'tiêng")
    _stieng(item, stieng)
    assert version_for_languages(item, ["stieng", "vi"]) == ("stieng", stieng)
    assert version_for_languages(item, ["km", "vi"]) == ("vi", item.image)
    assert version_for_languages(item, []) == ("vi", item.image)


def test_a_poster_version_without_an_image_is_not_offered_and_fails_the_check(
    poster,
):
    item = poster()
    item.language_versions.add(
        ItemLanguageVersion(language=Language.objects.get(code="km"), title="Chưa có")
    )
    item.save_revision()
    assert version_for_languages(item, ["km"]) == ("vi", item.image)
    assert any("Khmer" in p for p in technical_problems(item))


def test_a_poster_versions_image_is_part_of_the_technical_check(poster):
    item = poster()
    broken = ImageFactory(title="Hỏng")
    type(broken).objects.filter(pk=broken.pk).update(ingest_status="failed")
    broken.refresh_from_db()
    _stieng(item, broken)
    problems = technical_problems(item)
    assert any("S'tiêng" in p for p in problems), problems


def test_editor_adds_a_poster_version_in_the_item_form(login, demo):
    vi, stieng = ImageFactory(title="vi"), ImageFactory(title="stieng")
    editor = login("bientap.tinh")
    url = reverse("wagtailadmin_pages:add", args=("cms", "posterpage", demo.pk))
    form = editor.get(url).content.decode()
    assert 'name="language_versions-__prefix__-image"' in form
    assert 'name="language_versions-__prefix__-media"' not in form  # posters only
    data = nested_form_data(
        {
            "title": "Tranh cổ động",
            "slug": "tranh-co-dong",
            "image": vi.pk,
            "description": "",
            "audiences": [],
            "tags": "",
            "language_versions": inline_formset(
                [
                    {
                        "language": Language.objects.get(code="stieng").pk,
                        "title": "Tranh tiếng S'tiêng",
                        "image": stieng.pk,
                        "script": "",
                    }
                ]
            ),
        }
    )
    response = editor.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    item = PosterPage.objects.get(slug="tranh-co-dong")
    version = item.get_latest_revision_as_object().language_versions.get()
    assert version.image == stieng and version.language.code == "stieng"


@pytest.mark.slow
def test_package_manifest_names_the_poster_versions_language(
    poster, django_capture_on_commit_callbacks
):
    boards = list(Station.objects.filter(kind="ebulletin").order_by("code")[:2])
    assert len(boards) == 2
    Station.objects.filter(pk=boards[0].pk).update(languages="stieng, vi")
    with django_capture_on_commit_callbacks(execute=True):
        item = poster()
        stieng = ImageFactory(title="S'tiêng", file__color="#00ff00")
    _stieng(item, stieng)
    from broadcast.services import schedule_create

    today = timezone.localdate()
    schedule_create(
        item=item,
        start_date=today,
        end_date=today + timedelta(days=1),
        target_kind="stations",
        target_stations=boards,
        slot_times=["23:59"],
    )
    district = boards[0].unit.parent or boards[0].unit
    fm = Station.objects.filter(unit=district, kind="district_radio").first()
    packages = {}
    for board in boards:
        source = fm if fm and board.unit.parent_id == district.pk else board
        packages[board.code] = package_build(
            station_id=source.pk, start=today, end=today + timedelta(days=1)
        )
    by_station = {}
    for package in packages.values():
        with zipfile.ZipFile(package.path) as zf:
            for entry in json.loads(zf.read("manifest.json"))["items"]:
                by_station[entry["station"]] = entry
    first, second = by_station[boards[0].code], by_station[boards[1].code]
    assert first["language"] == "stieng" and second["language"] == "vi"
    assert first["sha256"] != second["sha256"]


def test_gallery_poster_page_shows_each_language(client, poster):
    item = _stieng(poster(), ImageFactory(title="S'tiêng"))
    html = client.get(item.url).content.decode()
    assert 'lang="stieng"' in html
    assert "Tiếng S&#x27;tiêng: Tranh tiếng S&#x27;tiêng" in html
