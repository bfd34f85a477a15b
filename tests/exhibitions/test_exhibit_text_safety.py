"""Exhibition titles and exhibit captions (and the other one-line exhibit fields)
are single-line, control-character-free text, by loa.textsafe's rule: the
admin form refuses the rest with a message and nothing is saved."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from exhibitions.models import Exhibit, ExhibitionPage

from .conftest import make_image

pytestmark = pytest.mark.django_db

BAD = ["Chú thích\n#EXTINF:5,Evil", "a\rb", "tab\there", "a\u2028b", "e\x1b[2J"]


@pytest.mark.parametrize("caption", BAD)
def test_an_exhibit_caption_with_control_characters_is_invalid(home, caption):
    exhibit = Exhibit(image=make_image(), alt_text="Tranh", caption=caption)
    with pytest.raises(ValidationError) as refused:
        exhibit.full_clean(exclude=["page"])
    assert [e.code for e in refused.value.error_dict["caption"]] == [
        "control_characters"
    ]


@pytest.mark.parametrize("field", ["section", "alt_text", "author", "place", "credit"])
def test_other_one_line_exhibit_fields_refuse_line_breaks(home, field):
    fields = {"alt_text": "Tranh", field: "a\nb"}
    exhibit = Exhibit(image=make_image(), **fields)
    with pytest.raises(ValidationError) as refused:
        exhibit.full_clean(exclude=["page"])
    assert [e.code for e in refused.value.error_dict[field]] == ["control_characters"]


def _edit_data(exhibition, **exhibit_fields) -> dict:
    exhibit = exhibition.exhibits.first()
    data = {
        "title": exhibition.title,
        "slug": exhibition.slug,
        "exhibits-TOTAL_FORMS": "1",
        "exhibits-INITIAL_FORMS": "1",
        "exhibits-MIN_NUM_FORMS": "0",
        "exhibits-MAX_NUM_FORMS": "1000",
        "exhibits-0-id": str(exhibit.pk),
        "exhibits-0-ORDER": "1",
        "exhibits-0-DELETE": "",
        "exhibits-0-image": str(exhibit.image_id),
        "exhibits-0-alt_text": exhibit.alt_text,
        "exhibits-0-caption": exhibit.caption,
        "exhibits-0-section": exhibit.section,
        "stops-TOTAL_FORMS": "0",
        "stops-INITIAL_FORMS": "0",
        "stops-MIN_NUM_FORMS": "0",
        "stops-MAX_NUM_FORMS": "1000",
    }
    data.update({f"exhibits-0-{k}": v for k, v in exhibit_fields.items()})
    return data


def _form(exhibition, data):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_superuser("curator", "c@x.vn", "pw")
    form_class = ExhibitionPage.get_edit_handler().get_form_class()
    return form_class(
        data=data,
        instance=exhibition,
        parent_page=exhibition.get_parent(),
        for_user=user,
    )


def test_the_admin_form_refuses_a_caption_on_two_lines(exhibition):
    form = _form(exhibition, _edit_data(exhibition, caption="Một\nHai"))
    assert not form.is_valid()
    errors = form.formsets["exhibits"].forms[0].errors.as_data()
    assert [e.code for e in errors["caption"]] == ["control_characters"]


def test_the_admin_form_accepts_an_ordinary_vietnamese_caption(exhibition):
    form = _form(exhibition, _edit_data(exhibition, caption="Tranh cổ động, 1975"))
    assert form.is_valid(), (form.errors, form.formsets["exhibits"].errors)


def test_an_exhibition_title_on_two_lines_is_refused(exhibition):
    data = _edit_data(exhibition)
    data["title"] = "Triển lãm\n#EXTINF:1,x"
    with translation.override("en"):
        form = _form(exhibition, data)
        assert not form.is_valid()
        assert "one line" in " ".join(form.errors["title"])


@pytest.mark.parametrize("venue", BAD)
def test_a_touring_stop_venue_is_one_line(home, venue):
    """The venue is shown beside the stop's dates and in photo captions: one line,
    like the other exhibition texts."""
    from datetime import date

    from exhibitions.models import ExhibitionStop
    from loa.units.models import Unit

    commune = Unit.objects.filter(level="commune").first() or Unit.objects.create(
        code="x-c", name="Xã", level="commune"
    )
    stop = ExhibitionStop(
        commune=commune,
        venue=venue,
        start_date=date(2026, 3, 1),
        end_date=date(2026, 3, 2),
    )
    with pytest.raises(ValidationError) as refused:
        stop.full_clean(exclude=["page"])
    assert [e.code for e in refused.value.error_dict["venue"]] == ["control_characters"]
    stop.venue = "Nhà văn hoá xã Tân Phú"
    stop.full_clean(exclude=["page"])
