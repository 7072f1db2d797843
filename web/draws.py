"""A pick laid open for checking: what the "Check this draw" page shows.

A weighted draw is replayable from what it recorded: its seed, and every candidate's weight in
draw order. The page replays it here, with the same rule the README gives anyone to run
themselves, and shows where the seed's point fell among the running sums of the weights.
"""

from typing import Any

from django.utils.translation import gettext as _

from selection.algorithms import replay
from selection.models import Selection
from selection.wording import reason_words

# Weights are summed in whole ten-thousandths (selection.algorithms), so sums are exact.
UNITS = 10_000


def _snippet(seed: int, candidates: list[dict[str, Any]]) -> str:
    titles = [str(candidate.get("title", "")) for candidate in candidates]
    weights = [float(candidate["weight"]) for candidate in candidates]
    return "\n".join(
        [
            "import random",
            "",
            f"seed = {seed}",
            "# In the order the draw recorded them:",
            f"titles = {titles!r}",
            f"weights = {weights!r}",
            f"units = [round(weight * {UNITS:_}) for weight in weights]",
            f"point = random.Random(seed).random() * sum(units) / {UNITS:_}",
            "running = 0",
            "for title, unit in zip(titles, units):",
            "    running += unit",
            f"    if running / {UNITS:_} > point:",
            "        print(title)",
            "        break",
        ]
    )


def draw_check(selection: Selection) -> dict[str, Any]:
    """The pick, its reason, and for a weighted draw the replay: each candidate's weight and
    the running sum it reaches, the one the point falls in, and the code to replay it."""
    reason = reason_words(selection.reason or {})
    candidates = [c for c in reason.get("candidates") or [] if isinstance(c, dict)]
    seeded = selection.seed is not None and bool(candidates)
    seeded = seeded and all(isinstance(c.get("weight"), int | float) for c in candidates)
    chosen_id = str(selection.item_id) if selection.item_id else None
    winner = replay(selection.seed, candidates) if seeded else None
    rows = []
    running = 0
    for candidate in candidates:
        if seeded:
            running += round(float(candidate["weight"]) * UNITS)
        rows.append(
            {
                "title": candidate.get("title", ""),
                "weight": candidate.get("weight"),
                "chance": candidate.get("chance"),
                "score": candidate.get("vote_score"),
                "upto": running / UNITS if seeded else None,
                "lands": seeded and str(candidate.get("item_id")) == winner,
                "chosen": candidate.get("item_id") == chosen_id
                or (chosen_id is None and candidate.get("title") == selection.item_title),
            }
        )
    context: dict[str, Any] = {
        "selection": selection,
        "summary": reason.get("summary")
        or _("%(title)s was picked.") % {"title": selection.item_title},
        "rule": reason.get("rule", ""),
        "rows": rows,
        "seeded": seeded,
    }
    if seeded:
        replayed = next(c for c in candidates if str(c["item_id"]) == winner)
        context.update(
            seed=selection.seed,
            point=reason.get("point"),
            total=running / UNITS,
            replayed=replayed.get("title", ""),
            agrees=replayed.get("title") == selection.item_title,
            snippet=_snippet(selection.seed, candidates),
        )
    return context
