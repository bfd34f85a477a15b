"""Sign-in throttling: wrong passwords lock a username and an address for a while,
the lockout page says (in Vietnamese) when to try again, and administrators unlock."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

PASSWORD = "Đúng-mật-khẩu-2026"
LOGIN_URLS = ["/admin/login/", "/accounts/login/"]


@pytest.fixture
def editor(db):
    return get_user_model().objects.create_user(
        "bientap.thu", password=PASSWORD, is_staff=True
    )


def _attempt(client: Client, url: str, username: str, password: str, **extra):
    return client.post(
        url,
        {"username": username, "password": password},
        HTTP_ACCEPT_LANGUAGE="vi",
        **extra,
    )


def _signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.parametrize("url", LOGIN_URLS)
def test_thirty_wrong_passwords_then_the_right_one_does_not_sign_in(url, editor):
    client = Client()
    for _ in range(30):
        _attempt(client, url, editor.username, "sai-mat-khau")
    response = _attempt(client, url, editor.username, PASSWORD)
    assert not _signed_in(client)
    assert response.status_code == 429
    text = response.content.decode()
    assert "Thử lại sau" in text
    assert int(response["Retry-After"]) > 0


def test_the_lockout_holds_for_the_username_from_another_address(editor, settings):
    attacker = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _attempt(attacker, "/admin/login/", editor.username, "sai-mat-khau")
    elsewhere = Client(REMOTE_ADDR="198.51.100.2")
    _attempt(elsewhere, "/admin/login/", editor.username, PASSWORD)
    assert not _signed_in(elsewhere)


def test_one_address_guessing_many_usernames_is_locked_out(editor, settings):
    attacker = Client(REMOTE_ADDR="203.0.113.7")
    for i in range(settings.AXES_FAILURE_LIMIT):
        _attempt(attacker, "/accounts/login/", f"khach{i}", "sai-mat-khau")
    response = _attempt(attacker, "/accounts/login/", editor.username, PASSWORD)
    assert response.status_code == 429
    assert not _signed_in(attacker)


def test_fewer_failures_than_the_limit_still_sign_in(editor, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _attempt(client, "/accounts/login/", editor.username, "sai-mat-khau")
    _attempt(client, "/accounts/login/", editor.username, PASSWORD)
    assert _signed_in(client)


def test_behind_a_trusted_proxy_each_client_address_is_throttled_apart(
    editor, settings
):
    settings.LOA_TRUSTED_PROXY_COUNT = 1
    settings.AXES_LOCKOUT_PARAMETERS = ["ip_address"]
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    for i in range(settings.AXES_FAILURE_LIMIT):
        _attempt(
            Client(),
            "/accounts/login/",
            f"khach{i}",
            "x",
            HTTP_X_FORWARDED_FOR="203.0.113.7",
            **proxy,
        )
    locked = Client()
    _attempt(
        locked,
        "/accounts/login/",
        editor.username,
        PASSWORD,
        HTTP_X_FORWARDED_FOR="203.0.113.7",
        **proxy,
    )
    assert not _signed_in(locked)
    # A client cannot escape by writing its own X-Forwarded-For entry first.
    spoofing = Client()
    _attempt(
        spoofing,
        "/accounts/login/",
        editor.username,
        PASSWORD,
        HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7",
        **proxy,
    )
    assert not _signed_in(spoofing)
    other = Client()
    _attempt(
        other,
        "/accounts/login/",
        editor.username,
        PASSWORD,
        HTTP_X_FORWARDED_FOR="198.51.100.2",
        **proxy,
    )
    assert _signed_in(other)


def test_without_a_trusted_proxy_forwarded_headers_are_ignored(editor, settings):
    settings.AXES_LOCKOUT_PARAMETERS = ["ip_address"]
    for i in range(settings.AXES_FAILURE_LIMIT):
        _attempt(
            Client(),
            "/accounts/login/",
            f"khach{i}",
            "x",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{i}",
            REMOTE_ADDR="203.0.113.7",
        )
    client = Client()
    _attempt(
        client,
        "/accounts/login/",
        editor.username,
        PASSWORD,
        HTTP_X_FORWARDED_FOR="198.51.100.99",
        REMOTE_ADDR="203.0.113.7",
    )
    assert not _signed_in(client)


def test_an_administrator_unlocks_a_locked_username(editor, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _attempt(Client(), "/admin/login/", editor.username, "sai-mat-khau")
    admin = get_user_model().objects.create_superuser(
        "quantri", password="Quan-tri-vien-2026"
    )
    staff = Client()
    staff.force_login(admin)
    page = staff.get("/admin/loa/lockouts/")
    assert page.status_code == 200
    button = f'name="username" value="{editor.username}"'
    assert button in page.content.decode()
    staff.post("/admin/loa/lockouts/", {"username": editor.username})
    assert button not in staff.get("/admin/loa/lockouts/").content.decode()
    client = Client()
    _attempt(client, "/admin/login/", editor.username, PASSWORD)
    assert _signed_in(client)


def test_only_superusers_see_the_lockouts_screen(editor):
    client = Client()
    client.force_login(editor)
    assert client.get("/admin/loa/lockouts/").status_code in (302, 403)
    assert client.post(
        "/admin/loa/lockouts/", {"username": editor.username}
    ).status_code in (302, 403)
