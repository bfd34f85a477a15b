"""Wagtail's content apps, less the content API that Loa does not serve.

Wagtail 8's images, documents, snippets, locales and redirects apps add routers to
Wagtail's content API (v3) in their ready(), whether or not that API is installed
(`wagtail.api.v3` in INSTALLED_APPS; Wagtail's own users app asks exactly that
before it offers API tokens). Loa leaves it out: the public reads the gallery and
stations use Loa's own /api/v1. Building it anyway imports ninja and pydantic, a
schema for every page and snippet model, and, through the redirects app's API
package, Django REST framework: 29 MB in every process (each web worker, each Celery
worker, every manage.py command), a quarter of what a worker rendering a 2 GB WAV
held (issue 9). Wagtail has no setting for it; wagtailmedia has one
(WAGTAILMEDIA["ENABLE_API_V3"], off by default).

So while one of these apps gets ready, the few names its ready() imports for the
API resolve to a stand-in that registers nothing, and the rest of ready()
(permission policies, signal handlers, the reference index, snippet registration)
runs as Wagtail wrote it. With `wagtail.api.v3` installed they are left alone. If a
Wagtail release moves those imports, the real API is built again: more memory, no
missing behaviour (tests/media_pipeline/test_audio.py notices the memory).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType

from django.apps import apps
from wagtail.contrib.redirects.apps import WagtailRedirectsAppConfig
from wagtail.documents.apps import WagtailDocsAppConfig
from wagtail.images.apps import WagtailImagesAppConfig
from wagtail.locales.apps import WagtailLocalesAppConfig
from wagtail.snippets.apps import WagtailSnippetsAppConfig


class _UnservedApi:
    def add_router(self, prefix: str, router: object) -> None:
        pass


def _stand_in() -> ModuleType:
    module = ModuleType("loa.wagtail_apps.unserved_content_api")
    module.api = _UnservedApi()  # wagtail.api.v3.api.api
    module.router = None  # <app>.api.v3(.router).router
    module.register_content_types = lambda: None  # <app>.api.v3(.registry)
    return module


@contextmanager
def _content_api_stood_in(app_name: str) -> Iterator[None]:
    names = [
        "wagtail.api.v3.api",
        f"{app_name}.api.v3",
        f"{app_name}.api.v3.registry",
        f"{app_name}.api.v3.router",
    ]
    saved = {name: sys.modules.get(name) for name in names}
    stand_in = _stand_in()
    sys.modules.update(dict.fromkeys(names, stand_in))
    try:
        yield
    finally:
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module


class _WithoutUnservedContentApi:
    name: str

    def ready(self) -> None:
        if apps.is_installed("wagtail.api.v3"):
            super().ready()
            return
        with _content_api_stood_in(self.name):
            super().ready()


class ImagesConfig(_WithoutUnservedContentApi, WagtailImagesAppConfig):
    pass


class DocumentsConfig(_WithoutUnservedContentApi, WagtailDocsAppConfig):
    pass


class SnippetsConfig(_WithoutUnservedContentApi, WagtailSnippetsAppConfig):
    pass


class LocalesConfig(_WithoutUnservedContentApi, WagtailLocalesAppConfig):
    pass


class RedirectsConfig(_WithoutUnservedContentApi, WagtailRedirectsAppConfig):
    pass
