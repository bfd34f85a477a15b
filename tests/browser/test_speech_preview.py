"""A real browser: on a new radio item, before any save, the editor types a notice,
clicks "Nghe thử" and gets playable speech in the chosen voice (queued job, polled)."""

import shutil

import pytest
from playwright.sync_api import expect

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs espeak-ng"),
]


def test_editor_hears_a_new_announcement_before_saving(live_server, browser, demo):
    from cms.models import RadioItemPage, SpeechPreview

    ctx = browser.new_context(locale="vi-VN")
    page = ctx.new_page()
    page.goto(live_server.url + "/admin/login/")
    page.fill("input[name=username]", "bientap.tinh")
    page.fill("input[name=password]", "loa-demo")
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/")
    page.goto(live_server.url + f"/admin/pages/add/cms/radioitempage/{demo.pk}/")
    page.fill("[name=speech_text]", "Thông báo của UBND xã về Kế hoạch 111/KH-UBND.")
    page.select_option("[name=voice]", "espeak-central")
    page.get_by_role("button", name="Nghe thử").click()

    audio = page.locator("[data-speech-preview-audio]")
    expect(audio).to_be_visible(timeout=60_000)
    expect(page.locator("[data-speech-preview-spoken]")).to_contain_text(
        "ủy ban nhân dân"
    )
    # The browser can decode and play it: it knows the duration.
    page.wait_for_function(
        "() => { const a = document.querySelector('[data-speech-preview-audio]');"
        " return a.readyState >= 1 && a.duration > 1; }",
        timeout=30_000,
    )
    assert (
        page.evaluate(
            "() => document.querySelector('[data-speech-preview-audio]').error"
        )
        is None
    )
    preview = SpeechPreview.objects.get()
    assert preview.voice == "espeak-central" and preview.status == "done"
    assert not RadioItemPage.objects.exists()  # nothing was saved

    # Too long: a clear message, nothing queued.
    page.fill("[name=speech_text]", "a" * 2000)
    page.get_by_role("button", name="Nghe thử").click()
    expect(page.locator("[data-speech-preview-message]")).to_contain_text("quá dài")
    assert SpeechPreview.objects.count() == 1
    ctx.close()
