"""Upload forms that sniff what a file is, rather than trusting its extension.

Wired in through WAGTAILMEDIA["MEDIA_FORM_BASE"] and WAGTAILIMAGES_IMAGE_FORM_BASE.
They only reject what is plainly not media (empty, text, HTML, SVG, PDF, archives);
whether a real media file is usable is decided by the probe in a task, which does
the full check without holding up the request.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.images.forms import BaseImageForm
from wagtailmedia.forms import BaseMediaForm

SNIFF_BYTES = 8192

# Containers libmagic reports without an audio/ or video/ prefix.
_MEDIA_EXTRA = {
    "application/ogg",
    "application/octet-stream",  # raw AAC/AMR/MPEG streams libmagic cannot name
    "application/vnd.ms-asf",
    "application/x-matroska",
}


def sniff(upload) -> str:
    """The MIME type libmagic sees in the upload's first bytes."""
    import magic

    pos = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(pos)
    if not head:
        return "inode/x-empty"
    return magic.from_buffer(head, mime=True)


def check_media_upload(upload) -> None:
    mime = sniff(upload)
    if mime == "inode/x-empty":
        raise forms.ValidationError(_("The file is empty."), code="empty")
    if not (mime.startswith(("audio/", "video/")) or mime in _MEDIA_EXTRA):
        raise forms.ValidationError(
            _("This file is not audio or video (it looks like %(type)s)."),
            code="not_media",
            params={"type": mime},
        )


def check_image_upload(upload) -> None:
    mime = sniff(upload)
    if mime == "inode/x-empty":
        raise forms.ValidationError(_("The file is empty."), code="empty")
    # SVG is XML that browsers execute: never accepted as a picture.
    if not mime.startswith("image/") or mime == "image/svg+xml":
        raise forms.ValidationError(
            _("This file is not a picture (it looks like %(type)s)."),
            code="not_image",
            params={"type": mime},
        )


def _new_upload(value) -> bool:
    # An edit that keeps the stored file passes a committed FieldFile: not sniffed.
    return bool(value) and not getattr(value, "_committed", False)


class LoaMediaForm(BaseMediaForm):
    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if _new_upload(upload):
            check_media_upload(upload)
        return upload


class LoaImageForm(BaseImageForm):
    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if _new_upload(upload):
            check_image_upload(upload)
        return upload
