"""Wagtail's content apps run their ready() whole, except for the content API (v3)
that Loa does not serve; with that API installed, they build it as Wagtail does."""

from __future__ import annotations

import os
import subprocess
import sys

from django.apps import apps


def test_the_content_api_is_not_built_and_nothing_else_is_skipped():
    # (a fresh process: tests/media_pipeline/test_audio.py checks ninja and pydantic
    # stay unloaded; this one checks what the same ready() methods must still do)
    from wagtail.contrib.redirects.models import Redirect
    from wagtail.contrib.redirects.signal_handlers import (
        autocreate_redirects_on_slug_change,
    )
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model
    from wagtail.models.reference_index import ReferenceIndex
    from wagtail.permissions import policy_registry
    from wagtail.signals import page_slug_changed
    from wagtail.snippets.models import get_snippet_models

    from cms.models import Theme

    assert "wagtail.api.v3.api" not in sys.modules
    for label in (
        "wagtailimages",
        "wagtaildocs",
        "wagtailsnippets",
        "wagtailredirects",
    ):
        assert type(apps.get_app_config(label)).__module__ == "loa.wagtail_apps"

    # images and documents: permission policies and the reference index
    for model in (get_image_model(), get_document_model(), Redirect):
        assert policy_registry.get_by_type(model, fallback=False) is not None, model
    assert ReferenceIndex.is_indexed(get_image_model())
    assert ReferenceIndex.is_indexed(get_document_model())
    # snippets: the deferred registrations (Loa's own snippets)
    assert Theme in get_snippet_models()
    # redirects: a renamed page leaves a redirect behind
    from wagtail.models import Page

    sync_receivers, _ = page_slug_changed._live_receivers(Page)
    assert autocreate_redirects_on_slug_change in sync_receivers


def test_with_wagtails_api_installed_the_apps_build_it(tmp_path):
    settings = tmp_path / "with_wagtail_api.py"
    settings.write_text(
        "from loa.settings.test import *  # noqa\n"
        "INSTALLED_APPS = [*INSTALLED_APPS, 'wagtail.api.v3']\n"
    )
    code = (
        "import django; django.setup()\n"
        "from wagtail.api.v3.api import api\n"
        "print(sorted(prefix for prefix, _ in api._routers))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "with_wagtail_api",
            "PYTHONPATH": os.pathsep.join([str(tmp_path), os.getcwd()]),
        },
        check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    routers = run.stdout.strip().splitlines()[-1]
    for prefix in ("/images/", "/documents/", "/snippets/", "/redirects/", "/locales/"):
        assert prefix in routers, routers
