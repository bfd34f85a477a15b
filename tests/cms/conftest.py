"""Fixtures for the editorial side: the demo province, signed-in clients per role,
library items with media whose renditions are in a chosen state."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import AudioMediaFactory, LibraryFactory, RadioItemFactory


@pytest.fixture
def login(demo):
    def make(username: str) -> Client:
        client = Client()
        password = "loa-admin" if username == "admin" else "loa-demo"
        assert client.login(username=username, password=password), username
        return client

    return make


@pytest.fixture
def rendered_audio(db, tmp_path, django_capture_on_commit_callbacks):
    """A 1 s recording taken through the real pipeline (ingest + all profiles)."""
    from media_pipeline.models import LoaMedia

    def make(title: str = "Phóng sự") -> LoaMedia:
        with django_capture_on_commit_callbacks(execute=True):
            media = AudioMediaFactory(title=title, seconds=1.0)
        media.refresh_from_db()
        return media

    return make


@pytest.fixture
def pending_audio(db, tmp_path):
    """An audio original saved without running the pipeline (jobs never ran)."""
    from media_pipeline.models import LoaMedia

    def make(title: str = "Chưa xử lý") -> LoaMedia:
        # Saved outside an on-commit capture, so the pipeline never runs.
        return AudioMediaFactory(title=title, seconds=1.0)

    return make


@pytest.fixture
def draft_item(demo):
    """A radio item saved as a draft (never published) in a library folder."""

    def make(title: str = "Bản tin quyền con người", parent=None, **fields):
        return RadioItemFactory(
            parent=parent or demo, title=title, publish=False, **fields
        )

    return make


@pytest.fixture
def library(db):
    """A bare library folder under the tree root: for tests that need no province."""
    from wagtail.models import Page

    return LibraryFactory(
        parent=Page.get_first_root_node(), title="Thư viện thử", slug=None
    )
