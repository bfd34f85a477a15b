"""What the demo leaves behind that production must check."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DemoPasswordMark(models.Model):
    """An account whose password was last set to one of the demo's published
    passwords (kept by demo.guard.DemoPasswordValidator). Production's start-up
    check reads these rows instead of hashing every account's password."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    # The account's password hash when the demo password was set: while it is
    # unchanged the account still has the demo password, no hashing needed.
    password = models.CharField(max_length=128)

    class Meta:
        verbose_name = _("account with a demo password")
        verbose_name_plural = _("accounts with a demo password")

    def __str__(self) -> str:
        return str(self.user)
