"""Fixtures for the editorial side: the demo province, signed-in clients per role,
library items with media whose renditions are in a chosen state."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files import File
from django.test import Client

from tests.media import speechlike_wav


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
        wav = speechlike_wav(tmp_path / f"{len(title)}-{title[:3]}.wav", seconds=1.0)
        with django_capture_on_commit_callbacks(execute=True):
            with open(wav, "rb") as fh:
                media = LoaMedia(title=title, type="audio")
                media.file.save(Path(wav).name, File(fh), save=True)
        media.refresh_from_db()
        return media

    return make


@pytest.fixture
def pending_audio(db, tmp_path):
    """An audio original saved without running the pipeline (jobs never ran)."""
    from media_pipeline.models import LoaMedia

    def make(title: str = "Chưa xử lý") -> LoaMedia:
        wav = speechlike_wav(tmp_path / "pending.wav", seconds=1.0)
        with open(wav, "rb") as fh:
            media = LoaMedia(title=title, type="audio")
            media.file.save("pending.wav", File(fh), save=True)
        return media

    return make


@pytest.fixture
def draft_item(demo):
    """A radio item saved as a draft (never published) in a library folder."""
    from cms.models import RadioItemPage

    def make(title: str = "Bản tin quyền con người", parent=None, **fields):
        parent = parent or demo
        item = parent.add_child(
            instance=RadioItemPage(title=title, format="news", live=False, **fields)
        )
        item.save_revision()
        return item

    return make


@pytest.fixture
def library(db):
    """A bare library folder under the tree root: for tests that need no province."""
    from wagtail.models import Page

    from cms.models import LibraryIndexPage

    folder = Page.get_first_root_node().add_child(
        instance=LibraryIndexPage(title="Thư viện thử")
    )
    folder.save_revision().publish()
    return folder
