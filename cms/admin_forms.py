"""Forms of Loa's own admin views."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.models import Collection

from .models import LibraryIndexPage
from .text import vn_sort_key


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Many files from one input (Django's documented pattern)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        # Each file is checked on its own by the service (type, size, emptiness),
        # so one bad file does not refuse the others.
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not files:
            raise forms.ValidationError(self.error_messages["required"], "required")
        return files


class BulkUploadForm(forms.Form):
    """Drop many recordings, videos or pictures: each becomes a draft item."""

    parent = forms.ModelChoiceField(
        queryset=LibraryIndexPage.objects.none(), label=_("Library folder")
    )
    collection = forms.ModelChoiceField(
        queryset=Collection.objects.none(), label=_("Media collection")
    )
    image_kind = forms.ChoiceField(
        choices=[("poster", _("Posters")), ("photo", _("Photos"))],
        initial="poster",
        label=_("Pictures become"),
    )
    files = MultipleFileField(
        label=_("Files"),
        help_text=_("Audio, video or image files; one draft item is made for each."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from wagtailmedia.permissions import permission_policy as media_policy

        folders = [
            page.pk
            for page in LibraryIndexPage.objects.all()
            if page.permissions_for_user(user).can_add_subpage()
        ]
        parent = self.fields["parent"]
        parent.queryset = LibraryIndexPage.objects.filter(pk__in=folders)
        # Shown in Vietnamese alphabetical order; validation still uses the queryset.
        parent.choices = [("", "---------")] + [
            (page.pk, page.title)
            for page in sorted(parent.queryset, key=lambda p: vn_sort_key(p.title))
        ]
        from .permissions import image_policy_get

        image_policy = image_policy_get()

        # Uploads may be media or images: the collection must accept both.
        self.fields["collection"].queryset = (
            media_policy.collections_user_has_permission_for(user, "add")
            & image_policy.collections_user_has_permission_for(user, "add")
        )
