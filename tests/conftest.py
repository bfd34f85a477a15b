"""Shared fixtures. Each test session gets its own media/var folder, so tests never
touch var/ of a developer's running instance."""

import os

import pytest


def pytest_collection_modifyitems(config, items):
    for item in items:
        path = str(item.fspath)
        if f"{os.sep}integration{os.sep}" in path:
            item.add_marker(pytest.mark.integration)
        if f"{os.sep}browser{os.sep}" in path:
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def media_root(settings):
    return settings.MEDIA_ROOT


@pytest.fixture
def demo(db):
    """The demo province without media (fast): units, stations, users, library."""
    from cms.demo import load_demo

    load_demo(with_media=False)
    from cms.models import LibraryIndexPage

    return LibraryIndexPage.objects.get(slug="thu-vien")
