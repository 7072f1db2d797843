"""The avatars the app offers, and how any avatar is drawn.

An avatar is an emoji string in the API. A device draws an emoji with its own font, and one
without an emoji font draws a box, so the page draws the offered ones itself from the images in
`static/web/avatars/` (Twemoji, see the LICENSE.md there): they look the same on every phone and
TV. Any other emoji the API accepts is drawn as the member's initial on a colour of its own.
"""

import unicodedata

from web import assets

AVATARS = [
    "🦊", "🐻", "🐼", "🐨", "🐯", "🦁", "🐸", "🐵", "🐙", "🦄", "🐧", "🦉",
    "🐢", "🦖", "🐳", "🦋", "🍿", "🎬", "🌮", "🍕", "🎸", "🚀", "🌈", "👾",
]  # fmt: skip
AVATAR_CHOICES = [
    {"emoji": emoji, "name": unicodedata.name(emoji, "avatar").capitalize()} for emoji in AVATARS
]


def image_name(emoji: str) -> str:
    """The image's file name: the code points in hex, as Twemoji names its files."""
    return "-".join(f"{ord(char):x}" for char in emoji if char != "\ufe0f") + ".svg"


def image_url(emoji: str) -> str | None:
    """The URL of the app's own image of `emoji`, or None for an emoji it does not offer."""
    if emoji not in AVATARS:
        return None
    return assets.url("web/avatars/" + image_name(emoji))


def image_urls() -> dict[str, str]:
    """Every offered avatar's image URL, for the pages' scripts."""
    return {emoji: url for emoji in AVATARS if (url := image_url(emoji))}


def initial(name: str) -> str:
    """What stands for a member with no avatar the app can draw: the first letter of each of
    the first two words of their name."""
    letters = [word[0].upper() for word in name.split()[:2]]
    return "".join(letters) or "?"


def hue(text: str) -> int:
    """A colour of the name's own, the same in the page's script (`ui.js`)."""
    value = 0
    for char in text:
        value = (value * 31 + ord(char)) % 2**32
    return value % 360
