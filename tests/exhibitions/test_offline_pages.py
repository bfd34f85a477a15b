"""Nothing a page loads comes from outside the server (fast check; the browser test
tests/browser/test_offline.py blocks the network and walks every role's screens)."""

from __future__ import annotations

import re

from django.contrib.auth import get_user_model
from django.test import Client

# What a browser would fetch by itself: scripts, styles, images, frames, fonts.
LOADED = re.compile(
    r"""<(?:script|img|iframe|source|link)\b[^>]*?\b(?:src|href|srcset)=["']"""
    r"""((?:https?:)?//[^"']+)""",
    re.I,
)


def external_loads(html: str) -> list[str]:
    found = LOADED.findall(html)
    found += re.findall(r"""url\(\s*["']?((?:https?:)?//[^)"']+)""", html)
    return found


def test_api_docs_load_swagger_from_the_server(db):
    from django.contrib.staticfiles import finders

    html = Client().get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert 'id="swagger-settings"' in html and "/api/v1/openapi.json" in html
    assert external_loads(html) == []
    # ...and the server has the files it names (collectstatic and runserver find them)
    for name in (
        "ninja/swagger-ui-bundle.js",
        "ninja/swagger-ui.css",
        "ninja/swagger-ui-init.js",
    ):
        assert finders.find(name), name


def test_admin_pages_show_local_initials_not_gravatar(demo):
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    client.force_login(get_user_model().objects.get(username="bientap.tinh"))
    for path in ("/admin/", f"/admin/pages/{demo.pk}/"):
        html = client.get(path).content.decode()
        assert "gravatar" not in html.lower()
        assert external_loads(html) == []
    assert "avatar__initials" in client.get("/admin/").content.decode()


def test_public_pages_load_nothing_from_outside(demo):
    for path in ("/", "/gallery/", "/accounts/login/", "/admin/login/"):
        assert external_loads(Client().get(path).content.decode()) == [], path
