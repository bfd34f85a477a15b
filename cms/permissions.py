"""Wagtail's permission policies for Loa's media and images, looked up when needed
(importing wagtail.images.permissions at module level is deprecated)."""

from __future__ import annotations

from wagtail.permissions import policy_registry


def image_policy_get():
    from wagtail.images import get_image_model

    return policy_registry.get_by_type(get_image_model())
