"""Template helpers of the public site. Each is one query or none."""

from __future__ import annotations

from django import template

from .. import selectors
from ..printing import print_options
from ..renditions import OG_IMAGE

register = template.Library()


@register.simple_tag
def home_sections() -> dict:
    return {
        "campaigns": selectors.current_campaigns(),
        "latest": selectors.latest_cards(),
        "stops": selectors.upcoming_stops(),
    }


@register.simple_tag
def web_rendition(media_id, profile: str):
    return selectors.web_rendition(media_id, profile)


@register.simple_tag
def poster_print_options(image):
    if not image or not image.width or not image.height:
        return []
    return print_options(image.width, image.height)


@register.simple_tag(takes_context=True)
def og_image_url(context, image) -> str:
    if not image:
        return ""
    rendition = image.get_rendition(OG_IMAGE.replace(" ", "|"))
    return context["request"].build_absolute_uri(rendition.url)


@register.filter
def kind_of(page) -> str:
    return selectors.KIND_OF_MODEL.get(type(page), "")
