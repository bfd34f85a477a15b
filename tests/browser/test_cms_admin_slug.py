"""A real browser in the Wagtail admin: typing a Vietnamese title fills the slug with
readable ASCII while the editor types (Wagtail's slug JS with Loa's formatters).
Saving is covered by tests/cms/test_slugs.py."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_typing_vietnamese_title_gives_ascii_slug(live_server, browser, demo):
    ctx = browser.new_context(locale="vi-VN")
    page = ctx.new_page()
    page.goto(live_server.url + "/admin/login/")
    page.fill("input[name=username]", "bientap.tinh")
    page.fill("input[name=password]", "loa-demo")
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/")
    page.goto(live_server.url + f"/admin/pages/add/cms/radioitempage/{demo.pk}/")
    page.locator("#id_title").press_sequentially("Đồng Xoài: quyền con người")
    page.locator("#id_title").blur()
    # The slug field lives in the Promote tab; its value is synced from the title.
    # Wagtail syncs title → slug after a short debounce: wait for it.
    expect(page.locator("#id_slug")).to_have_value("dong-xoai-quyen-con-nguoi")
    ctx.close()
