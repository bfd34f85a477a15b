"""Demo data only on a laptop: production refuses to start while a demo password
still signs in (called from loa.wsgi)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured

from .loader import ADMIN_PASSWORD, ADMIN_USERNAME, DEMO_PASSWORD, DEMO_USERS


def demo_password_accounts() -> list[str]:
    """Accounts that still sign in with a demo password.

    Cheap enough for every start: only the accounts the demo creates and the
    superusers are tried (a handful of hashes), not every user.
    """
    User = get_user_model()
    names = {ADMIN_USERNAME, *(u[0] for u in DEMO_USERS)}
    candidates = User.objects.filter(is_active=True).filter(
        username__in=names
    ) | User.objects.filter(is_active=True, is_superuser=True)
    return sorted(
        user.get_username()
        for user in candidates.distinct()
        if user.has_usable_password()
        and any(user.check_password(p) for p in (DEMO_PASSWORD, ADMIN_PASSWORD))
    )


def refuse_demo_passwords() -> None:
    """Stop a production start while any demo password works (loa.wsgi)."""
    if not settings.LOA_REFUSE_DEMO_PASSWORDS:
        return
    found = demo_password_accounts()
    if found:
        raise ImproperlyConfigured(
            "Refusing to start: these accounts still have a demo password: "
            f"{', '.join(found)}. Change their passwords (manage.py changepassword) "
            "or delete them."
        )
