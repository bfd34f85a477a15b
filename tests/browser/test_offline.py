"""Loa on a closed network: every screen a role uses loads with every request
outside the server blocked, and none even tries to leave it.

The same walk photographs the screens the Vietnamese guides show
(static/guides/img/), so the guides' pictures stay current.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

GUIDE_IMAGES = Path(__file__).resolve().parents[2] / "static" / "guides" / "img"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


def screens(library_pk: int, district_library_pk: int) -> dict:
    """username (None: the public) -> [(path, guide picture name or None)]."""
    return {
        None: [
            ("/", None),
            ("/gallery/", "public-gallery"),
            ("/gallery/?q=quyen+con+nguoi", None),
            ("/khong-co-trang-nay/", None),
            ("/admin/login/", None),
            ("/accounts/login/", None),
            ("/api/v1/docs", "api-docs"),
            ("/static/guides/vi/editor.html", None),
        ],
        "bientap.tinh": [
            ("/admin/", "editor-dashboard"),
            (f"/admin/pages/{library_pk}/", "editor-library"),
            (f"/admin/pages/add/cms/radioitempage/{library_pk}/", "editor-new-item"),
            ("/admin/media/", "editor-media"),
            ("/admin/images/", None),
            ("/admin/loa/bulk-upload/", "editor-bulk-upload"),
            ("/admin/broadcast/schedule/new/", "editor-schedule"),
        ],
        "duyet.tinh": [
            ("/admin/", "reviewer-dashboard"),
            (f"/admin/pages/{library_pk}/", None),
            ("/admin/reports/workflow/", "reviewer-workflow"),
        ],
        "bientap.dongxoai": [
            ("/admin/", None),
            (f"/admin/pages/{district_library_pk}/", "district-library"),
        ],
        "dai.dongxoai": [
            ("/station/", "operator-station"),
            ("/station/log/", "operator-log"),
        ],
        "xa.tanphu": [("/station/", "commune-today")],
        "admin": [
            ("/admin/snippets/broadcast/station/", "technician-stations"),
            ("/admin/broadcast/tokens/", "technician-tokens"),
            ("/admin/snippets/broadcast/distributionevent/", "technician-log"),
            ("/admin/users/", None),
        ],
    }


@pytest.fixture
def province(transactional_db):
    from cms.models import LibraryIndexPage
    from cms.setup import base_setup
    from demo.loader import load_demo

    base_setup()  # an earlier transactional test's flush removed Wagtail's roots
    load_demo(with_media=False)
    return (
        LibraryIndexPage.objects.get(slug="thu-vien"),
        LibraryIndexPage.objects.get(slug="thu-vien-dong-xoai"),
    )


def _sign_in(context, live_server, username: str | None) -> None:
    if username is None:
        return
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": client.cookies["sessionid"].value,
                "url": live_server.url,
            }
        ]
    )


def test_every_screen_loads_with_the_internet_blocked(live_server, browser, province):
    library, district_library = province
    GUIDE_IMAGES.mkdir(parents=True, exist_ok=True)
    outside: list[str] = []
    failed: list[str] = []

    def guard(route):
        host = urlsplit(route.request.url).hostname
        if host in LOCAL_HOSTS:
            route.continue_()
        else:
            outside.append(f"{page_path[0]} -> {route.request.url}")
            route.abort()

    page_path = [""]
    for username, paths in screens(library.pk, district_library.pk).items():
        phone = username == "xa.tanphu"
        context = browser.new_context(
            viewport={"width": 360, "height": 760}
            if phone
            else {"width": 1280, "height": 800},
            locale="vi-VN",
        )
        context.route("**/*", guard)
        _sign_in(context, live_server, username)
        page = context.new_page()
        page.on(
            "requestfailed",
            lambda request: (
                failed.append(request.url)
                if urlsplit(request.url).hostname in LOCAL_HOSTS
                else None
            ),
        )
        for path, picture in paths:
            page_path[0] = f"{username or 'public'} {path}"
            response = page.goto(live_server.url + path, wait_until="networkidle")
            expected = 404 if "khong-co" in path else 200
            assert response.status == expected, page_path[0]
            if picture:
                page.screenshot(
                    path=str(GUIDE_IMAGES / f"{picture}.jpg"), type="jpeg", quality=60
                )
        context.close()
    assert outside == []
    assert failed == []
