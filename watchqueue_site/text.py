"""Text that is what it looks like: what names, titles and avatars may hold, and how titles compare.

Unicode lets two strings look alike and differ (a full-width "HEAT" and "Heat", "He\\u200bat"
and "Heat"), and lets a string look like another ("\\u202eecilA" shows as "Alice"). Names and
titles are shown to everyone in a room, so they refuse what reorders or hides text, and titles
are compared in a folded form that ignores what cannot be seen.
"""

import unicodedata

# Bidirectional embeddings, overrides and isolates, and the marks that steer them: they change
# the order in which the rest of the text is shown.
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
ZWJ = "\u200d"
VS15, VS16 = "\ufe0e", "\ufe0f"
KEYCAP = "\u20e3"
# Characters that render as nothing and are not of category Cf: the Hangul fillers, the
# combining grapheme joiner, the Mongolian free variation selectors and the braille blank.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u034f\u180b\u180c\u180d\u180f\u2800")


def _is_pictograph(char: str) -> bool:
    """An emoji base, as far as the standard library can tell: a symbol (So) in the blocks emoji
    come from, or one of the few older characters that are emoji with VS16."""
    code = ord(char)
    if char in "\u00a9\u00ae\u203c\u2049\u2122\u2139\u3030\u303d\u3297\u3299":
        return True
    if unicodedata.category(char) != "So" or _is_regional_indicator(char):
        return False
    return 0x2190 <= code <= 0x2BFF or 0x1F000 <= code <= 0x1FAFF


def _is_skin_tone(char: str) -> bool:
    return 0x1F3FB <= ord(char) <= 0x1F3FF


def _is_regional_indicator(char: str) -> bool:
    return 0x1F1E6 <= ord(char) <= 0x1F1FF


def _is_tag(char: str) -> bool:
    return 0xE0020 <= ord(char) <= 0xE007E


def _zwj_joins_emoji(text: str, index: int) -> bool:
    """Whether the ZWJ at `index` sits inside an emoji sequence (👩‍👩‍👧), where it is meant."""
    before = text[index - 1] if index else ""
    after = text[index + 1] if index + 1 < len(text) else ""
    joins = bool(before) and (before == VS16 or _is_pictograph(before) or _is_skin_tone(before))
    return joins and bool(after) and _is_pictograph(after)


def is_invisible(char: str) -> bool:
    """A character that shows nothing: format characters (Cf), controls (Cc), line and paragraph
    separators, and the blank letters."""
    return unicodedata.category(char) in ("Cf", "Cc", "Zl", "Zp") or char in _BLANK_LETTERS


def has_bidi_control(text: str) -> bool:
    return any(char in BIDI_CONTROLS for char in text)


def is_hidden(text: str, index: int) -> bool:
    """Whether the character at `index` shows nothing where it is: an invisible character, except
    a ZWJ that joins an emoji sequence (the family 👩‍👩‍👧 is three emoji and two ZWJs)."""
    char = text[index]
    return is_invisible(char) and not (char == ZWJ and _zwj_joins_emoji(text, index))


def has_hidden(text: str) -> bool:
    return any(is_hidden(text, index) for index in range(len(text)))


def without_hidden(text: str) -> str:
    """`text` less its hidden characters; whitespace (tabs, new lines) is left to the caller."""
    return "".join(
        char for index, char in enumerate(text) if char.isspace() or not is_hidden(text, index)
    )


def title_key(title: str) -> str:
    """The form two titles are compared in: NFKC (full-width and other compatibility forms become
    the plain ones), case folded, invisible characters removed, runs of whitespace as one space."""
    text = unicodedata.normalize("NFKC", title)
    text = "".join(char for char in text if not is_invisible(char) or char.isspace())
    text = unicodedata.normalize("NFKC", text.casefold())
    return " ".join(text.split())


def is_one_emoji(text: str) -> bool:
    """Whether `text` is exactly one emoji: a pictograph with its presentation selector and skin
    tone, a ZWJ sequence of those (👩‍👩‍👧), a flag (🇩🇪), a subdivision flag or a keycap (1️⃣)."""
    if not text:
        return False
    if len(text) == 2 and all(_is_regional_indicator(c) for c in text):
        return True
    if text[0] in "0123456789#*":
        return text[1:] in (KEYCAP, VS16 + KEYCAP)
    if text[0] == "\U0001f3f4" and len(text) > 2 and text[-1] == "\U000e007f":
        return all(_is_tag(c) for c in text[1:-1])
    index = 0
    while True:
        if index >= len(text) or not _is_pictograph(text[index]):
            return False
        index += 1
        if index < len(text) and text[index] in (VS15, VS16):
            index += 1
        if index < len(text) and _is_skin_tone(text[index]):
            index += 1
        if index == len(text):
            return True
        if text[index] != ZWJ:
            return False
        index += 1
