"""Private and public files apart, in one storage.

Public: what the site shows anyone (Wagtail's image renditions, media renditions),
under MEDIA_ROOT and served at MEDIA_URL by the front server (or a CDN).
Private: originals of recordings, videos and images, documents, media thumbnails,
broadcast packages and editors' speech previews, under LOA_PRIVATE_ROOT, which no URL maps to. Their URLs
point at cms.private_files.serve_private, which checks who asks.

`is_private(name)` is the one rule for which is which; code that writes files by
path (the media pipeline) asks `stored_path(name)` where a name lives.
"""

from __future__ import annotations

import os
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
        "speech_previews",
    }
)


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
