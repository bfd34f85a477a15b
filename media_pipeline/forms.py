"""Upload forms for the library: both ask media_pipeline.uploads, the one
validation every upload path shares (size, sniffed type, image decode budget).

Titles travel into playlists, calendars and spreadsheets, so both also refuse a
title that is not one line (loa.textsafe owns that rule).

Wired in through WAGTAILMEDIA["MEDIA_FORM_BASE"] and WAGTAILIMAGES_IMAGE_FORM_BASE.
"""

from __future__ import annotations

from wagtail.images.forms import BaseImageForm
from wagtailmedia.forms import BaseMediaForm

from loa.textsafe import validate_single_line

from .uploads import IMAGE, MEDIA, upload_check


def check_media_upload(upload) -> None:
    upload_check(upload, kind=MEDIA)


def check_image_upload(upload) -> None:
    upload_check(upload, kind=IMAGE)


def _new_upload(value) -> bool:
    # An edit that keeps the stored file passes a committed FieldFile: not checked.
    return bool(value) and not getattr(value, "_committed", False)


class SingleLineTitle:
    """The title field refuses line breaks and control characters."""

    def clean_title(self):
        title = self.cleaned_data.get("title") or ""
        validate_single_line(title)
        return title


class LoaMediaForm(SingleLineTitle, BaseMediaForm):
    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if _new_upload(upload):
            check_media_upload(upload)
        return upload


class LoaImageForm(SingleLineTitle, BaseImageForm):
    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if _new_upload(upload):
            check_image_upload(upload)
        return upload
