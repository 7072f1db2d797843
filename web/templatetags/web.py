from django import template

from web import assets

register = template.Library()


@register.simple_tag
def asset(path: str) -> str:
    """A static file's URL, with its content's hash in the name once collected, so it can be
    cached for good."""
    return assets.url(path)
