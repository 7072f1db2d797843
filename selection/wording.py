"""A pick's words in the reader's language.

A pick's reason is stored once, in English, with each sentence also kept as a phrase
(watchqueue_site.phrases): the summary as `summary_phrase`, each left-out item's reasons with
their `phrase` and `args`. An answer to a request words them in the asker's language (the API
follows Accept-Language, the page its language); in English the stored text is the answer, as
it is in the events every client shares, whose pages word the phrases themselves.
"""

from typing import Any

from django.utils.translation import gettext

from selection import eligibility
from watchqueue_site.phrases import Said, is_english, phrase, words, words_or

TURNED_DOWN_THEN = phrase("summary.turned_down", "%(title)s was turned down. %(summary)s")


def reason_words(reason: Any) -> Any:
    """`reason` with its summary, rule and every left-out item's reasons in the active
    language; as it is in English, and for anything that is not a reason."""
    if not isinstance(reason, dict) or is_english():
        return reason
    worded = {
        **reason,
        "summary": words_or(reason.get("summary_phrase"), reason.get("summary", "")),
    }
    if isinstance(reason.get("rule"), str) and reason["rule"]:
        worded["rule"] = gettext(reason["rule"])
    if isinstance(reason.get("excluded"), list):
        worded["excluded"] = excluded_words(reason["excluded"])
    return worded


def excluded_words(excluded: list[Any]) -> list[Any]:
    """Every left-out item's reasons in the active language."""
    if is_english():
        return excluded
    return [_entry_words(entry) for entry in excluded]


def _entry_words(entry: Any) -> Any:
    if not isinstance(entry, dict) or not isinstance(entry.get("reasons"), list):
        return entry
    return {**entry, "reasons": [_reason_words(reason) for reason in entry["reasons"]]}


def _reason_words(reason: Any) -> Any:
    if not isinstance(reason, dict) or "phrase" not in reason:
        return reason
    return {**reason, "text": words_or(reason, reason.get("text", ""))}


def nothing_eligible_words(excluded: list[dict[str, Any]]) -> str:
    """Why nothing can be picked, in a line, in the active language."""
    return words(eligibility.nothing_eligible(excluded))


def turned_down_then(title: str, summary: Said) -> Said:
    return TURNED_DOWN_THEN(title=title, summary=summary)
