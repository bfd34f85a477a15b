"""A real browser at 360 px: commune staff confirm a late airing, report a missed
one with its reason and correct a mistake; then the report printed to PDF on A4
has the official heading and the totals on its first page."""

from __future__ import annotations

import io
import re
import unicodedata
from datetime import timedelta

import pytest
from django.utils import timezone

from broadcast.models import DistributionEvent, PlannedAiring, Station
from broadcast.services import schedule_create
from cms.models import RadioItemPage

pytestmark = pytest.mark.django_db(transaction=True)


def _item(demo, title: str, slug: str):
    item = demo.add_child(instance=RadioItemPage(title=title, slug=slug, format="news"))
    item.save_revision().publish()
    return item


def _plan(item, *, days_ago: int, slot: str):
    day = timezone.localdate() - timedelta(days=days_ago)
    schedule_create(
        item=item,
        start_date=day,
        end_date=day,
        target_kind="stations",
        target_stations=[Station.objects.get(code="dx-tan-phu-loa")],
        slot_times=[slot],
    )
    return PlannedAiring.objects.latest("pk")


def _login(page, url: str, username: str):
    page.goto(url)
    page.fill("#id_username", username)
    page.fill("#id_password", "loa-demo")
    page.click("form.login button[type=submit]")
    page.wait_for_load_state()


def test_commune_phone_flow_late_missed_and_correction_at_360_px(
    live_server, browser, demo, artifacts_dir
):
    late = _plan(
        _item(demo, "Bản tin ba ngày trước", "ba-ngay"), days_ago=3, slot="06:00"
    )
    missed = _plan(
        _item(demo, "Thông báo hôm qua", "hom-qua"), days_ago=1, slot="17:00"
    )
    ctx = browser.new_context(viewport={"width": 360, "height": 800}, locale="vi-VN")
    page = ctx.new_page()
    _login(page, live_server.url + "/station/", "xa.tanphu")
    page.wait_for_url("**/station/")
    late_section = page.locator(f"#airing-{late.pk}")
    assert late_section.locator(".late").count() == 1
    page.screenshot(path=f"{artifacts_dir}/commune-week-360.png", full_page=True)

    late_section.get_by_role("button", name="Đã phát").click()
    page.wait_for_load_state()
    assert page.locator(".messages li.success").count() == 1

    section = page.locator(f"#airing-{missed.pk}")
    section.locator("summary").click()
    section.locator("select[name=reason]").select_option("power")
    section.get_by_role("button", name="Không phát được").click()
    page.wait_for_load_state()
    assert page.locator(".messages li.success").count() == 1
    late.refresh_from_db()
    missed.refresh_from_db()
    assert (late.status, late.late) == ("aired", True)
    assert (missed.status, missed.missed_reason) == ("missed", "power")

    # The late one in fact did not air: correct it from the same page.
    page.locator(f"#airing-{late.pk}").get_by_role("link", name="Đính chính").click()
    page.wait_for_url(f"**/station/airings/{late.pk}/correct/")
    page.locator("select[name=status]").select_option("missed")
    page.locator("select[name=reason]").select_option("equipment")
    page.fill("textarea[name=why]", "Bấm nhầm nút Đã phát")
    page.screenshot(path=f"{artifacts_dir}/commune-correct-360.png", full_page=True)
    page.get_by_role("button", name="Ghi nhận đính chính").click()
    page.wait_for_url("**/station/")
    assert page.locator(".messages li.success").count() == 1
    late.refresh_from_db()
    assert (late.status, late.missed_reason) == ("missed", "equipment")
    assert DistributionEvent.objects.get(kind="correction").data["why"] == (
        "Bấm nhầm nút Đã phát"
    )
    # Nothing is wider than the phone.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    ctx.close()


def test_the_printed_report_has_the_heading_and_totals_on_page_one(
    live_server, browser, demo, artifacts_dir
):
    from pypdf import PdfReader

    _plan(_item(demo, "Bản tin pháp luật", "phap-luat"), days_ago=1, slot="17:00")
    day = timezone.localdate() - timedelta(days=1)
    ctx = browser.new_context(locale="vi-VN")
    page = ctx.new_page()
    _login(page, live_server.url + "/station/log/", "bientap.tinh")
    page.goto(f"{live_server.url}/station/reports/?from={day}&to={day}&print=1")
    pdf = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
    with open(f"{artifacts_dir}/report-a4.pdf", "wb") as fh:
        fh.write(pdf)
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    page.screenshot(path=f"{artifacts_dir}/report-print.png", full_page=True)
    reader = PdfReader(io.BytesIO(pdf))
    first = reader.pages[0]
    width, height = float(first.mediabox.width), float(first.mediabox.height)
    assert (round(width), round(height)) == (595, 842)  # A4 portrait, in points
    # Text extraction splits some Vietnamese glyphs with spaces: compare without.
    text = re.sub(r"\s+", "", unicodedata.normalize("NFC", first.extract_text()))

    def on_page_one(needle: str) -> bool:
        return re.sub(r"\s+", "", needle) in text

    assert on_page_one("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    assert on_page_one("Độc lập - Tự do - Hạnh phúc")
    assert on_page_one("BÁO CÁO")
    assert on_page_one("Tổng cộng")
    assert on_page_one("Theo kế hoạch")
    # The narrow phone view: the legend wraps inside the screen.
    phone = ctx.new_page()
    phone.set_viewport_size({"width": 360, "height": 800})
    phone.goto(f"{live_server.url}/station/reports/?from={day}&to={day}")
    box = phone.locator("ul.legend").bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 360
    ctx.close()
