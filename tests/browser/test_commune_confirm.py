"""A real browser: the public home page, then commune staff confirm an airing by
clicking the big button on a 360 px wide screen."""

from datetime import timedelta

import pytest
from django.utils import timezone

from broadcast.models import PlannedAiring, Station
from broadcast.services import schedule_create
from cms.models import RadioItemPage

pytestmark = pytest.mark.django_db(transaction=True)


def test_home_page_and_confirming_an_airing_by_click(
    live_server, browser, demo, artifacts_dir
):
    item = demo.add_child(
        instance=RadioItemPage(
            title="Bản tin quyền con người", slug="ban-tin", format="news"
        )
    )
    item.save_revision().publish()
    today = timezone.localdate()
    schedule_create(
        item=item,
        start_date=today,
        end_date=today + timedelta(days=1),
        target_kind="stations",
        target_stations=[Station.objects.get(code="dx-tan-phu-loa")],
        slot_times=["00:00"],
    )
    ctx = browser.new_context(viewport={"width": 360, "height": 800}, locale="vi-VN")
    page = ctx.new_page()
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "vi"
    page.screenshot(path=f"{artifacts_dir}/home-360.png", full_page=True)

    page.goto(live_server.url + "/station/")
    page.fill("#id_username", "xa.tanphu")
    page.fill("#id_password", "loa-demo")
    page.click("form.login button[type=submit]")
    page.wait_for_url("**/station/")
    page.screenshot(path=f"{artifacts_dir}/commune-today-360.png", full_page=True)
    section = page.locator("section.airing", has_text="Bản tin quyền con người").first
    section.get_by_role("button", name="Đã phát").click()
    page.wait_for_load_state()
    assert page.locator(".messages li.success").count() == 1
    page.screenshot(path=f"{artifacts_dir}/commune-confirmed-360.png", full_page=True)
    airing = (
        PlannedAiring.objects.filter(
            station__code="dx-tan-phu-loa",
            planned_at__date__gte=today - timedelta(days=1),
        )
        .order_by("planned_at")
        .first()
    )
    assert airing.status == PlannedAiring.Status.AIRED
    assert airing.confirmations.count() == 1
    ctx.close()
