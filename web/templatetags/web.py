from django import template
from django.templatetags.static import static

from web.assets import version

register = template.Library()


@register.simple_tag
def asset(path: str) -> str:
    """A static file's URL with the assets' version, so it can be cached for good."""
    return f"{static(path)}?v={version()}"
