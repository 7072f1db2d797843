"""Sentences kept as data, so that each reader gets them in their own language.

A pick is made once and read by everyone in the room, each in the language of their own
screen, and it is stored for the history. So what it says (why this film won, why each other
one was left out, why a round ended without a pick) is kept as a phrase: a registered key and
the values that fill it. The English sentence is kept beside it for clients that only read text.

    SEEN = phrase("seen", "seen by %(seen)s of %(attendees)s")
    said = SEEN(seen=2, attendees=3)   # {"phrase": "seen", "args": {"seen": 2, "attendees": 3}}
    NO_TIME()                          # {"phrase": "no_time"}: a phrase with no values
    words(said)                        # in the active language: "von 2 der 3 gesehen"

A value may itself be said (a nested phrase), a list (`listed`, joined with "and" or "or" as the
language joins lists) or a number shown with fixed decimals (`decimal`, with the language's
separator). A plural phrase chooses its form by its `count` value.

The page's scripts word phrases with the same words: `phrase_forms(language)` is sent in the
JavaScript catalog (web/catalog.py). makemessages finds the English of `phrase` and
`plural_phrase` calls through the keywords its command adds (watchqueue_site/management).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import formats, translation
from django.utils.translation import gettext, ngettext, pgettext, trans_real

ENGLISH = "en"
# Said data, as stored: {"phrase": key, "args": {...}}, without "args" when it has none.
Said = dict[str, Any]


@dataclass(frozen=True)
class Phrase:
    key: str
    one: str
    many: str | None = None  # a plural phrase's other form; its count is args["count"]

    def __call__(self, **args: Any) -> Said:
        return {"phrase": self.key, "args": args} if args else {"phrase": self.key}

    def template(self, args: Mapping[str, Any], *, english: bool) -> str:
        if self.many is None:
            return self.one if english else gettext(self.one)
        count = int(args.get("count", 0))
        if english:
            return self.one if count == 1 else self.many
        return ngettext(self.one, self.many, count)


PHRASES: dict[str, Phrase] = {}


def _register(found: Phrase) -> Phrase:
    known = PHRASES.get(found.key)
    if known is not None and known != found:
        raise ValueError(f"Two phrases are called {found.key!r}.")
    PHRASES[found.key] = found
    return found


def phrase(key: str, text: str) -> Phrase:
    return _register(Phrase(key, text))


def plural_phrase(key: str, one: str, many: str) -> Phrase:
    return _register(Phrase(key, one, many))


def listed(values: Sequence[Any], join: str = "and") -> dict[str, Any]:
    """A list in a sentence: "A, B and C"; with "or" for a choice, "A, B or C"; with "comma",
    "A, B, C"."""
    return {"list": list(values), "join": join}


def decimal(value: float, places: int = 1) -> dict[str, Any]:
    """A number shown with `places` decimals, in the language's notation: 50.0, or 50,0."""
    return {"number": value, "places": places}


# How lists are joined, by the language's words. English has no serial comma here, as the
# app has always written lists.
_AND = phrase("list.and", "%(head)s and %(last)s")
_OR = phrase("list.or", "%(head)s or %(last)s")


def _value(value: Any, english: bool) -> Any:
    if isinstance(value, dict):
        if "phrase" in value:
            return _words(value, english)
        if "list" in value:
            return _list([_value(v, english) for v in value["list"]], value.get("join"), english)
        if "number" in value:
            places = int(value.get("places", 1))
            if english:
                return f"{float(value['number']):.{places}f}"
            return formats.number_format(value["number"], places)
    return value


def _list(values: list[Any], join: str | None, english: bool) -> str:
    separator = ", " if english else pgettext("list separator", ", ")
    if join == "comma" or len(values) <= 1:
        return separator.join(map(str, values))
    joiner = _OR if join == "or" else _AND
    head = separator.join(map(str, values[:-1]))
    return joiner.template({}, english=english) % {"head": head, "last": values[-1]}


def _words(said: Mapping[str, Any], english: bool) -> str:
    found = PHRASES.get(str(said.get("phrase")))
    if found is None:
        raise KeyError(f"No phrase is called {said.get('phrase')!r}.")
    args = said.get("args") or {}
    values = {name: _value(value, english) for name, value in args.items()}
    return found.template(args, english=english) % values


def words(said: Mapping[str, Any]) -> str:
    """What `said` says in the active language."""
    return _words(said, english=is_english())


def english(said: Mapping[str, Any]) -> str:
    """What `said` says in English, as it is stored: the source text needs no catalog."""
    return _words(said, english=True)


def is_english() -> bool:
    return (translation.get_language() or ENGLISH).split("-")[0] == ENGLISH


def words_or(said: Any, fallback: str) -> str:
    """`said` in the active language; `fallback` (stored text) if it is missing or unknown,
    as for what was stored before phrases were kept."""
    if not isinstance(said, Mapping):
        return fallback
    if is_english() and fallback:
        return fallback
    try:
        return words(said)
    except (KeyError, TypeError, ValueError):
        return fallback


def phrase_forms() -> dict[str, list[str]]:
    """Every phrase's forms in the active language, for the page's scripts: one form, or one
    per plural form of the language, in the order its plural rule numbers them."""
    plural_examples = _plural_examples()
    forms = {}
    for key, found in sorted(PHRASES.items()):
        if found.many is None:
            forms[key] = [gettext(found.one)]
        else:
            forms[key] = [ngettext(found.one, found.many, n) for n in plural_examples]
    forms["list.separator"] = [pgettext("list separator", ", ")]
    return forms


def _plural_examples() -> list[int]:
    """A number for each plural form of the active language, in the order its plural rule
    numbers the forms (the order the scripts' catalog uses): [1, 2] in English and German."""
    rule = trans_real.translation(translation.get_language() or ENGLISH).plural
    examples: dict[int, int] = {}
    for n in range(200):
        examples.setdefault(rule(n), n)
    return [examples[index] for index in sorted(examples)]
