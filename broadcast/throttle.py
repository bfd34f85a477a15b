"""Station-token guessing is slowed: after LOA_TOKEN_FAILURE_LIMIT bad tokens from
one address within LOA_TOKEN_FAILURE_WINDOW_SECONDS, that address gets 429 until the
window passes. Counts live in the shared cache (Redis in production), so every web
process sees the same count."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache


def _key(address: str) -> str:
    return f"loa:bad-station-token:{address}"


def station_token_blocked(*, address: str) -> bool:
    return cache.get(_key(address), 0) >= settings.LOA_TOKEN_FAILURE_LIMIT


def station_token_failure_record(*, address: str) -> int:
    """Count one bad token from this address; the window starts at the first."""
    key = _key(address)
    # add() is a no-op when the key exists, so the window is not pushed back.
    cache.add(key, 0, timeout=settings.LOA_TOKEN_FAILURE_WINDOW_SECONDS)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, timeout=settings.LOA_TOKEN_FAILURE_WINDOW_SECONDS)
        return 1
