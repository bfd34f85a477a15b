"""Private and public files apart, in one storage.

Public: what the site shows anyone (renditions, Wagtail's and the media
pipeline's, of originals a live page uses), under MEDIA_ROOT and served at
MEDIA_URL by the front server (or a CDN).
Private: originals of recordings, videos and images, documents, media thumbnails,
broadcast packages, editors' speech previews, and renditions of originals no live
page uses (under drafts/), under LOA_PRIVATE_ROOT, which no URL maps to. Their URLs
point at cms.private_files.serve_private, which checks who asks.

`is_private(name)` is the one rule for which is which; code that writes files by
path (the media pipeline) asks `stored_path(name)` where a name lives.
`source_is_live(source)` is the one rule for where an original's renditions go,
and `placed_name` / `file_move` put them there.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.utils._os import safe_join
from django.utils.encoding import filepath_to_uri

# Top-level folders of private files (upload_to of the originals' fields).
PRIVATE_FOLDERS = frozenset(
    {
        "media",
        "media_thumbnails",
        "original_images",
        "documents",
        "packages",
        "drafts",
        "speech_previews",
    }
)
# Renditions of originals no live page uses: their public name under this folder.
DRAFTS = "drafts/"


def is_private(name: str) -> bool:
    """Whether a stored file name belongs under the private root."""
    top = name.replace("\\", "/").lstrip("/").split("/", 1)[0]
    return top in PRIVATE_FOLDERS


class LoaStorage(FileSystemStorage):
    """MEDIA_ROOT for public names, LOA_PRIVATE_ROOT for private ones (is_private).
    Private URLs lead to the checking view, never to the files themselves."""

    def path(self, name: str) -> str:
        if is_private(name):
            return safe_join(str(settings.LOA_PRIVATE_ROOT), name)
        return super().path(name)

    def _save(self, name, content):
        # Django checks MEDIA_ROOT's group even when the file goes elsewhere.
        Path(self.location).mkdir(parents=True, exist_ok=True)
        saved = super()._save(name, content)
        if is_private(name):
            # FileSystemStorage names the file relative to MEDIA_ROOT; make it
            # relative to the private root it was written to.
            full = os.path.normpath(os.path.join(self.location, saved))
            saved = os.path.relpath(full, settings.LOA_PRIVATE_ROOT)
        return saved.replace("\\", "/")

    def url(self, name: str) -> str:
        if name and is_private(name):
            return settings.LOA_PRIVATE_URL + filepath_to_uri(name).lstrip("/")
        return super().url(name)


def stored_path(name: str) -> Path:
    """Where the default storage keeps `name` on disk (private or public)."""
    return Path(default_storage.path(name))


def source_is_live(source) -> bool:
    """Whether a live page anyone may view uses `source` (a media or image
    original): then its renditions are public, otherwise private.

    Asks Wagtail's reference index, which holds each page's live content (a
    draft's changes stay in its revision), child objects and rich text included.
    Validity dates are left to the views (exhibitions.selectors): no signal moves
    files when a date passes.
    """
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import Page, ReferenceIndex

    page_ids = (
        ReferenceIndex.get_references_to(source)
        .filter(base_content_type=ContentType.objects.get_for_model(Page))
        .values_list("object_id", flat=True)
    )
    return (
        Page.objects.live()
        .public()
        .filter(expired=False, pk__in=[int(pk) for pk in page_ids])
        .exists()
    )


def placed_name(name: str, *, public: bool) -> str:
    """A rendition's name in the public folders, or under drafts/ (private)."""
    bare = name.removeprefix(DRAFTS)
    return bare if public else DRAFTS + bare


def file_move(name: str, new_name: str) -> bool:
    """Move a stored file to `new_name` (between roots too). Safe to repeat: a file
    already moved is left alone. Whether a file is now at `new_name`."""
    src, dest = stored_path(name), stored_path(new_name)
    if src == dest or (dest.is_file() and not src.exists()):
        return dest.is_file()
    if not src.is_file():
        return False
    dest.parent.mkdir(parents=True, exist_ok=True)
    # shutil.move: the two roots may be different mounts.
    shutil.move(src, dest)
    return True
