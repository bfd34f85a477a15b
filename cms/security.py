"""Sign-in throttling (django-axes), the client's address behind the front server,
and production's refusal to serve while a demo password still works."""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _


class LoginThrottleBackend(AxesStandaloneBackend):
    """django-axes' lockout check. Sign-ins that come without a request (Django's
    test client, shell scripts) are not throttled: no one outside can reach them,
    and axes would refuse them outright."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(
            request, username=username, password=password, **kwargs
        )


def client_ip(request: HttpRequest) -> str:
    """The address a request came from, as the nearest trusted proxy saw it.

    Each proxy appends the address it received from to X-Forwarded-For, so with
    LOA_TRUSTED_PROXY_COUNT proxies the client is that many entries from the right;
    anything further left was written by the client and proves nothing.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.LOA_TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    return forwarded[-count] if len(forwarded) >= count else remote


def lockout_response(request, original_response=None, credentials=None):
    """The page shown to a locked-out sign-in: when to try again, in local time."""
    cool_off = get_cool_off(request)
    until = timezone.localtime(timezone.now() + cool_off)
    minutes = max(1, round(cool_off.total_seconds() / 60))
    message = _(
        "Too many failed sign-ins. Try again after %(time)s "
        "(in about %(minutes)d minutes), or ask an administrator to unlock "
        "the account."
    ) % {"time": until.strftime("%H:%M %d/%m/%Y"), "minutes": minutes}
    response: HttpResponse = render(
        request,
        "registration/locked_out.html",
        {"message": message, "until": until},
        status=429,
    )
    response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response
