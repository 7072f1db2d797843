"""The layers of DESIGN.md: where an earlier app lets a later one take part in its changes
(hooks), and that each hook is answered by the app that owns the cascade."""

import pytest

from history.ledger import room_ledger
from history.services import history_mark_watched, history_seen
from queues.services import item_watched, metadata_wanted
from realtime.feed import feed
from realtime.presence import online_user_ids
from rooms.services import member_joined, member_leaving, room_closing
from selection.services import room_ledger as ledger_hook
from selection.services import selection_for_round
from tmdb.enrichment import enrichment_schedule
from tonight.services import (
    matches_after_joining,
    matches_after_leaving,
    matches_after_vote,
    online_members,
    seen_in_history,
)
from voting.services import (
    round_pick,
    rounds_end_for_closed_room,
    vote_changed,
    votes_withdraw_all,
)
from watchqueue_site.events import event_committed
from watchqueue_site.hooks import Hook


@pytest.mark.parametrize(
    ("hook", "handlers"),
    [
        (member_leaving, [votes_withdraw_all, matches_after_leaving]),
        (member_joined, [matches_after_joining]),
        (room_closing, [rounds_end_for_closed_room]),
        (metadata_wanted, [enrichment_schedule]),
        (item_watched, [history_mark_watched]),
        (round_pick, [selection_for_round]),
        (ledger_hook, [room_ledger]),
        (vote_changed, [matches_after_vote]),
        (online_members, [online_user_ids]),
        (seen_in_history, [history_seen]),
        (event_committed, [feed.publish_threadsafe]),
    ],
    ids=lambda value: value.name if isinstance(value, Hook) else "",
)
def test_each_hook_is_answered_by_the_app_that_owns_its_cascade(hook, handlers):
    assert hook.handlers == tuple(handlers)


def test_a_hook_runs_its_handlers_in_order_and_registers_each_once():
    calls = []
    hook: Hook = Hook("example")

    def first(value: int) -> str:
        calls.append(("first", value))
        return "a"

    def second(value: int) -> str:
        calls.append(("second", value))
        return "b"

    hook.register(first)
    hook.register(second)
    hook.register(first)
    assert hook(7) == ["a", "b"]
    assert calls == [("first", 7), ("second", 7)]


def test_a_question_for_one_app_needs_exactly_one_handler():
    hook: Hook = Hook("question")
    with pytest.raises(RuntimeError, match="exactly one handler"):
        hook.one()
    hook.register(lambda: 42)
    assert hook.one() == 42
    hook.register(lambda: 43)
    with pytest.raises(RuntimeError, match="exactly one handler"):
        hook.one()
