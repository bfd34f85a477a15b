"""Titles and reasons that go into playlists, calendars and spreadsheets are single
line with no control characters: the admin form and the withdrawal refuse the rest
with a message."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation

from broadcast.services import ServiceError, schedule_withdraw

pytestmark = pytest.mark.django_db


def _form(demo, title: str):
    from cms.models import RadioItemPage

    form_class = RadioItemPage.get_edit_handler().get_form_class()
    return form_class(
        data={"title": title, "slug": "ban-tin"},
        instance=RadioItemPage(),
        parent_page=demo,
        for_user=get_user_model().objects.get(username="admin"),
    )


@pytest.mark.parametrize(
    "title", ["x\n#EXTINF:5,Evil", "Bản\rtin", "tab\there", "a\u2028b", "e\x1b[2J"]
)
def test_page_titles_with_control_characters_are_refused(demo, title):
    with translation.override("en"):
        form = _form(demo, title)
        assert not form.is_valid()
        assert "one line" in " ".join(form.errors["title"])


def test_an_ordinary_vietnamese_title_is_accepted(demo):
    form = _form(demo, "Bản tin quyền con người: Đồng Xoài, 2026")
    form.is_valid()
    assert "title" not in form.errors


def test_a_withdrawal_reason_on_several_lines_is_refused(radio_item, schedule_today):
    sched = schedule_today(radio_item(), ["dx-tan-phu-loa"], days=1)
    with pytest.raises(ServiceError) as refused:
        schedule_withdraw(schedule=sched, reason="Sai\n#EXTINF", actor="duyet")
    assert refused.value.code == "bad_text"
    sched.refresh_from_db()
    assert sched.withdrawn_at is None
