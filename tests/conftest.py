"""Shared fixtures. Each test session gets its own media/var folder, so tests never
touch var/ of a developer's running instance."""

import os

import pytest


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    # After -m deselection, so only selected integration tests need the servers.
    from tests.integration.servers import skip_or_fail_without_servers

    skip_or_fail_without_servers(items)


@pytest.hookimpl(tryfirst=True)
def pytest_itemcollected(item):
    # Markers from the folder, before -m selects on them.
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
    from demo.loader import load_demo

    load_demo(with_media=False)
    from cms.models import LibraryIndexPage

    return LibraryIndexPage.objects.get(slug="thu-vien")


@pytest.fixture(autouse=True)
def _empty_cache():
    """The public page cache outlives a test's rolled-back database: start empty."""
    from django.core.cache import cache

    cache.clear()
