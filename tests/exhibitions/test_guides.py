"""The admin's Help menu opens Loa's own Vietnamese guides, shipped with Loa."""

from __future__ import annotations

import json
import re
from pathlib import Path

from django.contrib.auth import get_user_model
from django.test import Client

from exhibitions.wagtail_hooks import GUIDES

GUIDES_DIR = Path(__file__).resolve().parents[2] / "static" / "guides"


def test_help_menu_lists_loas_guides_and_not_wagtails_online_guide(demo):
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    client.force_login(get_user_model().objects.get(username="bientap.tinh"))
    html = client.get("/admin/").content.decode()
    assert "guide.wagtail.org" not in html
    assert "docs.wagtail.org" not in html
    for slug in ("editor", "reviewer", "operator", "commune", "technician"):
        assert f"/static/guides/vi/{slug}.html" in html
    # The sidebar is JSON on the page, with non-ASCII letters escaped.
    assert json.dumps("Hướng dẫn: biên tập viên")[1:-1] in html
    # The dashboard's account panel links to Loa's guides, not Wagtail's.
    assert "Hướng dẫn sử dụng Loa" in html


def test_every_guide_is_vietnamese_local_and_its_pictures_exist():
    assert len(GUIDES) == 5
    for slug, _label in GUIDES:
        html = (GUIDES_DIR / "vi" / f"{slug}.html").read_text()
        assert '<html lang="vi">' in html
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", html), slug
        pictures = re.findall(r'src="\.\./img/([^"]+)"', html)
        for picture in pictures:
            # Made by tests/browser/test_offline.py, which walks the same screens.
            assert (GUIDES_DIR / "img" / picture).exists(), picture
    assert "Hướng dẫn" in (GUIDES_DIR / "vi" / "editor.html").read_text()
