"""The offline walk photographs the guides' screens into a scratch folder unless
asked to update the committed pictures."""

from __future__ import annotations

from tests.browser.guides import (
    GUIDE_IMAGES,
    UPDATE_VARIABLE,
    guide_pictures_dir,
    missing_committed_pictures,
)
from tests.browser.test_offline import screens


def test_screenshots_go_to_a_scratch_folder_by_default(monkeypatch, tmp_path):
    monkeypatch.delenv(UPDATE_VARIABLE, raising=False)
    assert guide_pictures_dir(tmp_path) == tmp_path
    monkeypatch.setenv(UPDATE_VARIABLE, "0")
    assert guide_pictures_dir(tmp_path) == tmp_path


def test_screenshots_replace_the_committed_ones_only_when_asked(monkeypatch, tmp_path):
    monkeypatch.setenv(UPDATE_VARIABLE, "1")
    assert guide_pictures_dir(tmp_path) == GUIDE_IMAGES


def test_every_picture_the_walk_takes_is_committed_for_the_guides():
    names = [
        picture
        for paths in screens(1, 2).values()
        for _path, picture in paths
        if picture
    ]
    assert len(names) >= 10
    assert missing_committed_pictures(names) == []
    assert missing_committed_pictures(["no-such-screen"]) == ["no-such-screen"]
