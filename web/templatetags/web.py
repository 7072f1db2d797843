from django import template
from django.urls import reverse
from django.utils.html import format_html

from web import assets, avatars

# The colours an initial may stand on: `.avatar.hue-0` to `.hue-11` in app.css.
HUES = 12

register = template.Library()


@register.simple_tag
def asset(path: str) -> str:
    """A static file's URL, with its content's hash in the name once collected, so it can be
    cached for good."""
    return assets.url(path)


@register.simple_tag
def catalog(language: str) -> str:
    """The address of the scripts' words in `language` (web.catalog), with the assets' version."""
    return f"{reverse('web:javascript-catalog', args=[language])}?v={assets.version()}"


@register.simple_tag
def avatar(member: object, size: str = "") -> str:
    """A member's avatar as the pages draw it (see `web.avatars`): the app's own image of an
    offered emoji, or a coloured initial. Decorative: the member's name is always beside it."""
    emoji = getattr(member, "avatar", "") or ""
    classes = "avatar small" if size == "small" else "avatar"
    url = avatars.image_url(emoji)
    if url:
        return format_html(
            '<span class="{}" aria-hidden="true"><img class="avatar-img" src="{}" alt=""></span>',
            classes,
            url,
        )
    name = getattr(member, "name", "") or ""
    return format_html(
        '<span class="{} initials hue-{}" aria-hidden="true">{}</span>',
        classes,
        avatars.hue(name) % HUES,
        avatars.initial(name),
    )


@register.simple_tag
def avatar_image(emoji: str) -> str:
    """An offered avatar's image, for the picker."""
    return format_html('<img class="avatar-img" src="{}" alt="">', avatars.image_url(emoji) or "")
