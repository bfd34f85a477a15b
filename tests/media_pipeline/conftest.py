import pytest


@pytest.fixture(scope="session", autouse=True)
def fast_x264():
    """x264's veryfast preset: same profile, level, GOP and sizes, a fraction of the
    time. Every other field of the profiles is the real one. Session-wide, so
    module fixtures that render get it too."""
    from django.conf import settings

    from media_pipeline.profiles import DEFAULT_PROFILES

    before = settings.LOA_PROFILE_OVERRIDES
    settings.LOA_PROFILE_OVERRIDES = {
        p.name: {"options": {**p.options, "preset": "veryfast"}}
        for p in DEFAULT_PROFILES
        if p.kind in ("video", "slideshow")
    }
    yield
    settings.LOA_PROFILE_OVERRIDES = before
