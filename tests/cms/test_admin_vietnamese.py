"""The Wagtail admin speaks Vietnamese: locale_admin/ covers the screens editors use."""

from __future__ import annotations

import importlib
import importlib.util
import json
import re
import sys
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import translation
from wagtail.users.models import UserProfile

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "locale_admin" / "vi" / "LC_MESSAGES"


def load_build():
    spec = importlib.util.spec_from_file_location(
        "build", ROOT / "locale_admin/build.py"
    )
    module = importlib.util.module_from_spec(spec)
    # dataclasses look their module up in sys.modules.
    sys.modules["build"] = module
    spec.loader.exec_module(module)
    return module


@cache
def untranslated_ui_msgids() -> frozenset[str]:
    """English msgids that would show up verbatim on a screen if a catalogue missed them.

    Only plain ones (no placeholders or markup), and only those whose Vietnamese
    differs from the English (so "Email" or "URL" are not counted).
    """
    ours = {
        e.msgid: e.msgstr or e.msgstr_plural.get(0, "")
        for e in polib.pofile(str(CATALOGUE / "django.po"))
    }
    build = load_build()
    msgids = set(auto_labels())
    for source in build.SOURCES:
        for entry in build.source_entries(source):
            text = entry.msgid.strip()
            if re.search(r"[%{<]", text) or len(text) < 2:
                continue
            if ours.get(entry.msgid, text).strip() != text:
                msgids.add(text)
    # Words Vietnamese borrows as they are ("Video"), and the languages' own names.
    project = polib.pofile(str(ROOT / "locale" / "vi" / "LC_MESSAGES" / "django.po"))
    msgids -= set(ours.values()) | {e.msgstr for e in project}
    msgids -= {name for _code, name in settings.LANGUAGES}
    return frozenset(msgids)


def auto_labels() -> set[str]:
    """Labels Django makes up from a field's name when it has no verbose_name
    ("station_code" shows as "Station code"): English that no catalogue holds."""
    from django.apps import apps
    from django.forms.utils import pretty_name
    from django.utils.text import capfirst

    labels = set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            name = getattr(field, "name", "")
            if field.auto_created or not hasattr(field, "verbose_name"):
                continue
            if str(field.verbose_name) == name.replace("_", " "):
                labels.add(capfirst(pretty_name(name)))
    return labels


class VisibleText(HTMLParser):
    """Text a person sees or hears: text nodes, labels read by screen readers, and the
    sidebar's labels (Wagtail renders the sidebar from JSON on the page)."""

    SKIPPED = {"script", "style"}
    VOID = {
        "area",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
    }
    SPOKEN_ATTRIBUTES = {"aria-label", "title", "placeholder", "alt"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: set[str] = set()
        self.spoken: set[str] = set()
        self._skipping: list[list] = []  # [tag, depth] of elements not shown
        self._json_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        # Content under `hidden` is not shown (Wagtail prints a hidden "None" counter).
        if self._skipping and tag == self._skipping[-1][0]:
            self._skipping[-1][1] += 1  # the same tag nested inside a skipped one
        elif tag in self.SKIPPED or ("hidden" in attrs and tag not in self.VOID):
            self._skipping.append([tag, 1])
            self._json_script = attrs.get("type") == "application/json"
        for name in self.SPOKEN_ATTRIBUTES & attrs.keys():
            if attrs[name]:
                self.spoken.add(" ".join(attrs[name].split()))

    def handle_endtag(self, tag):
        if self._skipping and self._skipping[-1][0] == tag:
            self._skipping[-1][1] -= 1
            if not self._skipping[-1][1]:
                self._skipping.pop()
                self._json_script = False

    def handle_data(self, data):
        if self._json_script and self._skipping == [["script", 1]]:
            self.texts |= set(json_labels(json.loads(data)))
        elif not self._skipping and data.strip():
            self.texts.add(" ".join(data.split()))


def json_labels(value):
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "label" and isinstance(item, str):
                yield item
            else:
                yield from json_labels(item)
    elif isinstance(value, list):
        for item in value:
            yield from json_labels(item)


def english_left_on(html: str) -> set[str]:
    parser = VisibleText()
    parser.feed(html)
    english = untranslated_ui_msgids()
    return (parser.texts | parser.spoken) & english


@pytest.fixture
def editor_client(demo):
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    client.force_login(get_user_model().objects.get(username="bientap.tinh"))
    return client


@pytest.fixture
def admin_client_vi(demo):
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    client.force_login(get_user_model().objects.get(username="admin"))
    return client


def test_editor_dashboard_has_no_english_ui_text(editor_client):
    response = editor_client.get("/admin/")
    assert response.status_code == 200
    assert english_left_on(response.content.decode()) == set()


def test_editor_page_editor_and_its_workflow_menu_are_vietnamese(demo, editor_client):
    response = editor_client.get(f"/admin/pages/{demo.pk}/edit/")
    assert response.status_code == 200
    html = response.content.decode()
    assert english_left_on(html) == set()
    # The footer's action menu: save, and the moderation submission.
    assert "Lưu bản nháp" in html
    assert "Gửi tới" in html or "Gửi duyệt" in html


def test_editor_page_explorer_has_no_english_ui_text(demo, editor_client):
    response = editor_client.get(f"/admin/pages/{demo.pk}/")
    assert response.status_code == 200
    assert english_left_on(response.content.decode()) == set()


def test_media_listing_has_no_english_ui_text(editor_client):
    response = editor_client.get("/admin/media/")
    assert response.status_code == 200
    html = response.content.decode()
    assert english_left_on(html) == set()


def test_image_listing_has_no_english_ui_text(admin_client_vi):
    response = admin_client_vi.get("/admin/images/")
    assert response.status_code == 200
    assert english_left_on(response.content.decode()) == set()


def test_english_ui_text_is_detected_when_the_catalogue_misses_it(demo, editor_client):
    # Guards the checks above: with English active the same screen is all English.
    editor_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        user = get_user_model().objects.get(username="bientap.tinh")
        profile = UserProfile.get_for_user(user)
        profile.preferred_language = "en"
        profile.save()
        response = editor_client.get(f"/admin/pages/{demo.pk}/edit/")
    # "Pages" comes from the sidebar, which Wagtail renders from JSON on the page.
    assert {"Save draft", "Content", "Promote", "Pages"} <= english_left_on(
        response.content.decode()
    )


def test_catalogue_covers_every_msgid_with_placeholders_intact():
    assert load_build().main(["--check"]) == 0


def test_compiled_catalogues_match_their_po_files():
    for name in ("django", "djangojs"):
        po = {
            (e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural.get(0)
            for e in polib.pofile(str(CATALOGUE / f"{name}.po"))
            if e.msgid
        }
        mo = {
            (e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural.get(0)
            for e in polib.mofile(str(CATALOGUE / f"{name}.mo"))
            if e.msgid
        }
        assert mo == po, f"{name}.mo is stale: run python locale_admin/build.py"


def test_loa_terms_for_wagtail_features():
    with translation.override("vi"):
        assert translation.gettext("Snippets") == "Danh mục"
        assert translation.gettext("Workflows") == "Quy trình duyệt"
        assert translation.gettext("Submit for moderation") == "Gửi duyệt"
        assert translation.gettext("Unpublish") == "Hủy xuất bản"
        assert translation.gettext("Media") == "Âm thanh & video"
        # One plural form: the count reads right for one and for many.
        assert (
            translation.ngettext("Delete 1 page", "Delete %(counter)s pages", 1)
            % {"counter": 1}
            == "Xóa 1 trang"
        )
        assert translation.ngettext("%(num)d minute", "%(num)d minutes", 5) % {
            "num": 5
        } == ("5 phút")


def test_project_catalogue_keeps_priority_over_the_admin_one():
    assert settings.LOCALE_PATHS[:2] == [ROOT / "locale", ROOT / "locale_admin"]
    project = polib.pofile(str(ROOT / "locale" / "vi" / "LC_MESSAGES" / "django.po"))
    admin = {
        (e.msgctxt, e.msgid): e.msgstr
        for e in polib.pofile(str(CATALOGUE / "django.po"))
    }
    differing = [
        e
        for e in project
        if e.msgstr
        and not e.msgid_plural
        and admin.get((e.msgctxt, e.msgid), e.msgstr) != e.msgstr
    ]
    if not differing:
        pytest.skip("no msgid is translated differently by the two catalogues")
    with translation.override("vi"):
        for entry in differing:
            if entry.msgctxt:
                shown = translation.pgettext(entry.msgctxt, entry.msgid)
            else:
                shown = translation.gettext(entry.msgid)
            assert shown == entry.msgstr


# --- Every admin screen each role can open -------------------------------------

ADMIN_ROLES = ["admin", "bientap.tinh", "duyet.tinh", "bientap.dongxoai"]
# Screens reached through JavaScript (modals, choosers), not through links.
JS_ONLY_SCREENS = [
    "/admin/images/chooser/",
    "/admin/documents/chooser/",
    "/admin/media/chooser/",
    "/admin/choose-page/",
    "/admin/snippets/choose/cms/theme/",
    "/admin/snippets/choose/cms/campaign/",
    "/admin/workflows/task_chooser/",
]
# Links whose GET changes state or leaves HTML behind.
SKIPPED = re.compile(
    r"/logout/|/preview/|/download|/export|/usage/|/serve/|/jsi18n|/icons/|"
    r"/sprite|/api/|/static/|/media/original|/admin/bulk/"
)
HREF = re.compile(r"""(?:href|data-url|action)="(/admin/[^"#?]*)""")


def _shape(url: str) -> str:
    """One screen per URL shape: /admin/pages/12/edit/ and /admin/pages/13/edit/
    are the same screen."""
    return re.sub(r"/\d+/", "/N/", url)


def _html_of(response) -> str:
    if response.get("Content-Type", "").startswith("application/json"):
        return json.loads(response.content).get("html", "")
    return response.content.decode()


def walk_admin(client: Client, limit: int = 400) -> dict[str, set[str]]:
    """Open every admin screen reachable by links from the dashboard and the
    sidebar (plus the choosers JavaScript opens), once per URL shape, and return
    the English left on each."""
    queue = ["/admin/", *JS_ONLY_SCREENS]
    seen_shapes: set[str] = set()
    found: dict[str, set[str]] = {}
    opened = 0
    while queue and opened < limit:
        url = queue.pop(0)
        if _shape(url) in seen_shapes or SKIPPED.search(url):
            continue
        seen_shapes.add(_shape(url))
        response = client.get(url, HTTP_X_REQUESTED_WITH="")
        opened += 1
        assert response.status_code < 500, url
        kind = response.get("Content-Type", "")
        if response.status_code != 200 or not (
            kind.startswith("text/html") or kind.startswith("application/json")
        ):
            continue
        html = _html_of(response)
        english = english_left_on(html)
        if english:
            found[url] = english
        # The sidebar's links are in its JSON props.
        urls = HREF.findall(html) + re.findall(r'"url": "(/admin/[^"#?]*)"', html)
        queue.extend(u for u in urls if _shape(u) not in seen_shapes)
    assert opened > 20, "the walk reached too few screens to mean anything"
    return found


@pytest.mark.slow
@pytest.mark.parametrize("username", ADMIN_ROLES)
def test_every_admin_screen_a_role_opens_is_vietnamese(demo, username):
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    client.force_login(get_user_model().objects.get(username=username))
    found = walk_admin(client)
    assert found == {}, "\n".join(f"{u}: {sorted(t)}" for u, t in found.items())


def test_admin_sign_in_page_is_vietnamese(db):
    response = Client(HTTP_ACCEPT_LANGUAGE="vi").get("/admin/login/")
    html = response.content.decode()
    assert english_left_on(html) == set()
    assert "Mật khẩu" in html


def test_tags_help_text_is_vietnamese(demo, editor_client):
    response = editor_client.get(f"/admin/pages/add/cms/radioitempage/{demo.pk}/")
    html = response.content.decode()
    assert "A comma-separated list of tags." not in html
    assert english_left_on(html) == set()


def test_distribution_log_columns_and_details_are_vietnamese(demo, admin_client_vi):
    from broadcast.log import log_event
    from broadcast.models import DistributionEvent

    event = log_event(
        kind=DistributionEvent.Kind.PACKAGE_BUILT,
        station_code="dx-fm",
        item_title="Bản tin",
    )
    listing = admin_client_vi.get("/admin/snippets/broadcast/distributionevent/")
    inspect = admin_client_vi.get(
        f"/admin/snippets/broadcast/distributionevent/inspect/{event.pk}/"
    )
    for response in (listing, inspect):
        assert response.status_code == 200
        html = response.content.decode()
        assert english_left_on(html) == set()
        for english in ("Pk", "Kind", "Station code"):
            assert f">{english}<" not in re.sub(
                r">\s+|\s+<", lambda m: m[0].strip(), html
            )


def test_workflow_task_and_root_collection_names_are_vietnamese(demo):
    from wagtail.models import Collection, Task, Workflow

    names = {w.name for w in Workflow.objects.filter(active=True)}
    names |= {t.name for t in Task.objects.filter(active=True)}
    names.add(Collection.get_first_root_node().name)
    english = {
        "Loa review",
        "Technical check",
        "Reviewer approval",
        "Moderators approval",
        "Root",
    }
    assert names and not names & english
    assert Collection.get_first_root_node().name == "Thư viện tỉnh"


def test_data_migration_gives_existing_english_rows_vietnamese_names(db):
    from django.apps import apps
    from wagtail.models import Collection, GroupApprovalTask, Workflow

    module = importlib.import_module("cms.migrations.0006_vietnamese_workflow_names")
    Collection.objects.filter(depth=1).update(name="Root")
    Workflow.objects.create(name="Loa review")
    GroupApprovalTask.objects.create(name="Reviewer approval")
    module.name_in_vietnamese(apps, None)
    assert Collection.get_first_root_node().name == "Thư viện tỉnh"
    assert Workflow.objects.filter(name="Quy trình duyệt Loa").exists()
    assert GroupApprovalTask.objects.filter(name="Người duyệt phê duyệt").exists()
    assert not Workflow.objects.filter(name="Loa review").exists()


def test_english_dates_follow_en_gb():
    from datetime import date

    from django.utils.formats import date_format

    with translation.override("en"):
        assert date_format(date(2026, 3, 4), "SHORT_DATE_FORMAT") == "04/03/2026"
        assert date_format(date(2026, 3, 4)) == "4 Mar 2026"
