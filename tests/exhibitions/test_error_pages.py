"""Vietnamese 403, 404 and 500 pages, public and admin-styled, each with a way back."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, RequestFactory

from exhibitions.errors import server_error


def _client(username: str | None = None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    if username:
        client.force_login(get_user_model().objects.get(username=username))
    return client


def test_public_404_is_vietnamese_with_a_way_home(demo):
    response = _client().get("/khong-co-trang-nay/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Không tìm thấy trang" in html
    assert 'href="/"' in html
    assert "page404__bg" not in html  # the public layout, not the admin's


def test_admin_404_is_admin_styled_with_a_way_back_to_the_admin(demo):
    response = _client("bientap.tinh").get("/admin/pages/987654/edit/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Không tìm thấy trang" in html
    assert "page404__bg" in html
    assert 'href="/admin/"' in html


def test_public_403_is_vietnamese_not_a_bare_forbidden(demo):
    response = _client("xa.tanphu").get("/station/reports/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "403 Forbidden" not in html
    assert "Bạn không được mở trang này" in html
    assert 'href="/"' in html


def test_admin_403_is_admin_styled(demo):
    # Wagtail turns most refusals into a redirect with a message; a view that
    # raises PermissionDenied under /admin/ reaches Django's handler.
    from django.contrib.auth.models import AnonymousUser
    from django.utils import translation

    from exhibitions.errors import permission_denied

    request = RequestFactory().get("/admin/broadcast/tokens/")
    request.user = AnonymousUser()
    with translation.override("vi"):
        response = permission_denied(request)
    assert response.status_code == 403
    html = response.content.decode()
    assert "Bạn không được mở trang này" in html
    assert "page404__bg" in html
    assert 'href="/admin/"' in html


def test_failed_csrf_check_explains_in_vietnamese(db):
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="vi")
    response = client.post("/accounts/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "CSRF verification failed" not in html
    assert "Biểu mẫu đã hết hạn" in html


@pytest.mark.parametrize(
    ("path", "styled"), [("/gallery/x", False), ("/admin/x/", True)]
)
def test_500_page_is_vietnamese_public_or_admin_styled(db, path, styled):
    from django.contrib.auth.models import AnonymousUser
    from django.utils import translation

    request = RequestFactory().get(path)
    request.user = AnonymousUser()  # as AuthenticationMiddleware leaves it
    with translation.override("vi"):
        response = server_error(request)
    assert response.status_code == 500
    html = response.content.decode()
    assert "Đã có lỗi ở máy chủ" in html
    assert ("page404__bg" in html) is styled


def test_make_run_shows_the_friendly_404_unless_asked_for_the_debug_page(
    demo, settings
):
    settings.DEBUG = True
    settings.MIDDLEWARE = [
        *settings.MIDDLEWARE,
        "exhibitions.errors.FriendlyNotFoundMiddleware",
    ]
    for path in ("/khong-co-trang-nay/", "/khong-co.txt"):
        response = _client().get(path)
        assert response.status_code == 404
        html = response.content.decode()
        assert "Không tìm thấy trang" in html
        assert "technical" not in html.lower()


def test_dev_settings_add_the_friendly_404_only_without_loa_debug_404():
    import importlib
    import os

    import loa.settings.dev as dev

    try:
        os.environ["LOA_DEBUG_404"] = "1"
        with_debug_page = importlib.reload(dev).MIDDLEWARE
        del os.environ["LOA_DEBUG_404"]
        friendly = importlib.reload(dev).MIDDLEWARE
    finally:
        os.environ.pop("LOA_DEBUG_404", None)
    assert "exhibitions.errors.FriendlyNotFoundMiddleware" in friendly
    assert "exhibitions.errors.FriendlyNotFoundMiddleware" not in with_debug_page
