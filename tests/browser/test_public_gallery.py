"""The public site in a real browser: gallery filters and search, the lightbox by
keyboard, an audio item playing its pipeline-made rendition, axe-core on each kind
of page, and screenshots at phone and laptop widths."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.files import File
from django.utils import timezone
from wagtail.models import Page, Site

from cms.models import HomePage, LibraryIndexPage, PhotoPage, PosterPage, RadioItemPage
from exhibitions.models import Exhibit, ExhibitionPage, ExhibitionStop
from loa.units.models import Unit
from media_pipeline.models import LoaMedia, RenditionJob
from tests.exhibitions.conftest import make_image, publish
from tests.media import speechlike_wav

pytestmark = pytest.mark.django_db(transaction=True)

SIZES = {"360": (360, 800), "1366": (1366, 768)}


def assert_no_serious_violations(page, name: str) -> None:
    results = Axe().run(page)
    bad = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, f"{name}: {bad}"


def screenshots(browser, url: str, name: str, artifacts_dir: str) -> None:
    for label, (width, height) in SIZES.items():
        ctx = browser.new_context(
            viewport={"width": width, "height": height}, locale="vi-VN"
        )
        page = ctx.new_page()
        page.goto(url)
        # Nothing wider than the screen: usable at 360 px without sideways scrolling.
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - window.innerWidth"
        )
        assert overflow <= 0, f"{name} at {label}px is {overflow}px too wide"
        page.screenshot(
            path=f"{artifacts_dir}/public-{name}-{label}.png", full_page=True
        )
        ctx.close()


def migration_rows():
    """What migrations made and an earlier transactional test's flush removed:
    Wagtail's locale, root page and root collection."""
    from django.conf import settings
    from wagtail.models import Collection, Locale, Page

    Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
    if Page.get_first_root_node() is None:
        Page.add_root(title="Root", slug="root")
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")


@pytest.fixture
def site(transactional_db, tmp_path):
    """A poster, a photo, an exhibition of three and a radio feature with a real
    web-audio rendition made by the pipeline (Celery runs eagerly in tests)."""
    migration_rows()
    home = Page.get_first_root_node().add_child(
        instance=HomePage(title="Loa — Bình Phước", slug="trang-chu")
    )
    Site.objects.all().delete()
    Site.objects.create(
        hostname="localhost", root_page=home, is_default_site=True, site_name="Loa"
    )
    demo = publish(home, LibraryIndexPage(title="Thư viện nội dung", slug="thu-vien"))
    province = Unit.objects.create(code="bp", name="Bình Phước", level="province")
    district = Unit.objects.create(
        code="bd", name="Bù Đăng", level="district", parent=province
    )
    Unit.objects.create(code="bd-bb", name="Bom Bo", level="commune", parent=district)
    publish(
        demo,
        PosterPage(
            title="Quyền con người là của mọi người",
            slug="quyen",
            summary="Tranh cổ động",
            image=make_image(800, 1131, title="poster", colour="#c0392b"),
        ),
    )
    publish(
        demo,
        PhotoPage(
            title="Đường về xã",
            slug="duong",
            image=make_image(900, 600, title="duong", colour="#2e86c1"),
        ),
    )
    today = timezone.localdate()
    exhibition = ExhibitionPage(title="Triển lãm lưu động", slug="trien-lam")
    for i, colour in enumerate(["#1e8449", "#7d3c98", "#b9770e"]):
        exhibition.exhibits.add(
            Exhibit(
                image=make_image(600, 450, title=f"tranh {i}", colour=colour),
                alt_text=f"Tranh số {i + 1}",
                caption=f"Tranh {i + 1}",
                author="Hoạ sĩ",
                year=2024,
            )
        )
    exhibition.stops.add(
        ExhibitionStop(
            commune=Unit.objects.filter(level="commune").order_by("code").first(),
            venue="Nhà văn hoá",
            start_date=today + timedelta(days=2),
            end_date=today + timedelta(days=4),
        )
    )
    publish(home, exhibition)
    wav = speechlike_wav(tmp_path / "tin.wav", seconds=3)
    media = LoaMedia(title="Bản tin", type="audio")
    with open(wav, "rb") as f:
        media.file.save("tin.wav", File(f), save=False)
    media.save()  # ingest and renditions run on commit, eagerly
    assert RenditionJob.objects.get(media=media, profile="web-audio").status == "done"
    radio = publish(
        demo,
        RadioItemPage(
            title="Bản tin quyền con người",
            slug="ban-tin",
            format="news",
            audio=media,
            transcript="<p>Lời bản tin.</p>",
        ),
    )
    return {"exhibition": exhibition, "radio": radio}


# One test for all of it: a transactional test flushes the database (Wagtail's root
# page too), and the setup with a real rendition is the slow part.
def test_public_gallery_in_a_browser(live_server, browser, site, artifacts_dir):
    base = live_server.url
    exhibition_url = base + site["exhibition"].url
    radio_url = base + site["radio"].url
    for name, url in [
        ("home", base + "/"),
        ("gallery", base + "/gallery/"),
        ("exhibition", exhibition_url),
        ("radio", radio_url),
    ]:
        screenshots(browser, url, name, artifacts_dir)

    ctx = browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN")
    page = ctx.new_page()
    page.goto(base + "/")
    assert page.locator("html").get_attribute("lang") == "vi"
    assert_no_serious_violations(page, "home")

    # The gallery: filter by type, then search without diacritics.
    page.goto(base + "/gallery/")
    assert_no_serious_violations(page, "gallery")
    assert page.locator(".cards .card").count() == 4
    page.select_option("#id_type", "poster")
    page.click("form.filters button[type=submit]")
    page.wait_for_url(re.compile(r"type=poster"))
    assert page.locator(".cards .card h3").all_inner_texts() == [
        "Quyền con người là của mọi người"
    ]
    page.select_option("#id_type", "")
    page.fill("#id_q", "duong ve xa")
    page.press("#id_q", "Enter")
    page.wait_for_url(re.compile(r"q=duong"))
    assert page.locator(".cards .card h3").all_inner_texts() == ["Đường về xã"]

    # The exhibition: open the lightbox from the keyboard and walk it.
    page.goto(exhibition_url)
    assert_no_serious_violations(page, "exhibition")
    first = page.locator("a[data-lightbox]").first
    first.focus()
    page.keyboard.press("Enter")
    box = page.locator(".lightbox")
    box.wait_for(state="visible")
    assert page.locator(".lightbox img").get_attribute("alt") == "Tranh số 1"
    page.keyboard.press("ArrowRight")
    assert page.locator(".lightbox img").get_attribute("alt") == "Tranh số 2"
    assert "2" in page.locator(".lightbox .position").inner_text()
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    assert page.locator(".lightbox img").get_attribute("alt") == "Tranh số 3"
    page.screenshot(path=f"{artifacts_dir}/public-lightbox-1366.png")
    page.keyboard.press("Escape")
    box.wait_for(state="hidden")
    assert page.evaluate("document.activeElement.hasAttribute('data-lightbox')")

    # The radio feature plays its web rendition.
    page.goto(radio_url)
    assert_no_serious_violations(page, "radio")
    page.evaluate(
        "() => { const a = document.querySelector('audio'); a.muted = true; a.play(); }"
    )
    # Polled from here: wait_for_function evaluates a string, which the CSP forbids.
    deadline = time.monotonic() + 15
    while page.evaluate("document.querySelector('audio').currentTime") < 0.5:
        assert time.monotonic() < deadline, "the audio never played"
        page.wait_for_timeout(100)
    assert page.evaluate("document.querySelector('audio').error") is None
    ctx.close()

    # Without scripts the gallery still searches and the images are plain links.
    ctx = browser.new_context(java_script_enabled=False)
    page = ctx.new_page()
    page.goto(base + "/gallery/?q=quyen")
    assert page.locator(".cards .card").count() == 2  # the poster and the radio item
    page.goto(exhibition_url)
    href = page.locator("a[data-lightbox]").first.get_attribute("href")
    assert page.request.get(base + href).ok
    ctx.close()
