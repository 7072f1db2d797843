"""Picking what to watch: the pure algorithms (choices, reasons, tie rules, fairness), then
the pick made through the API and the event it records."""

import json
import math
import random
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from selection import services
from selection.algorithms import (
    MODES,
    Candidate,
    NoCandidates,
    PastPick,
    UnknownMode,
    highest_votes,
    replay,
    round_robin,
    select,
    weighted_random,
)
from selection.models import Selection
from tests.events import recorded
from tests.factories import make_room

EVENING = datetime(2024, 5, 17, 19, 0, tzinfo=UTC)
DRAWS = 20_000
# Chi-square critical value for 3 degrees of freedom at p = 0.001.
CHI_SQUARE_CRITICAL_3_DF = 16.266


def film(number: int, score: int = 0, *, by: str = "ann", minute: int | None = None) -> Candidate:
    """A candidate with id number `number`, added `minute` minutes into the evening."""
    return Candidate(
        item_id=f"{number:024x}",
        title=f"Film {number}",
        added_by=by,
        added_at=EVENING + timedelta(minutes=number if minute is None else minute),
        vote_score=score,
        upvotes=max(score, 0),
        downvotes=max(-score, 0),
    )


def watched(by: str, hour: int) -> PastPick:
    return PastPick(added_by=by, watched_at=EVENING - timedelta(days=1) + timedelta(hours=hour))


def ids(*numbers: int) -> list[str]:
    return [f"{n:024x}" for n in numbers]


def shuffled(candidates: list[Candidate], seed: int) -> list[Candidate]:
    copy = list(candidates)
    random.Random(seed).shuffle(copy)
    return copy


# The field for the fairness tests: weights 1, 1, 3 and 7 out of 12.
FIELD = [film(1, -2), film(2, 0), film(3, 1), film(4, 3)]
FIELD_WEIGHTS = {f"{1:024x}": 1, f"{2:024x}": 1, f"{3:024x}": 3, f"{4:024x}": 7}
FIELD_TOTAL = 12


@pytest.fixture(scope="module")
def field_counts() -> Counter[str]:
    return Counter(weighted_random(FIELD, seed).item_id for seed in range(DRAWS))


def four_sigma_bounds(probability: float) -> tuple[float, float]:
    expected = DRAWS * probability
    spread = 4 * math.sqrt(DRAWS * probability * (1 - probability))
    return expected - spread, expected + spread


class TestWeightedRandom:
    def test_weights_follow_one_plus_twice_the_positive_score(self) -> None:
        reason = weighted_random(FIELD, seed=7).reason
        assert [c["weight"] for c in reason["candidates"]] == [1, 1, 3, 7]
        assert reason["total_weight"] == FIELD_TOTAL
        assert [c["probability"] for c in reason["candidates"]] == [0.0833, 0.0833, 0.25, 0.5833]

    def test_reason_records_the_draw(self) -> None:
        choice = weighted_random(FIELD, seed=42)
        reason = choice.reason
        assert choice.mode == "weighted_random"
        assert choice.seed == 42
        assert reason["seed"] == 42
        assert reason["rule"].startswith("Weighted draw")
        assert reason["point"] == random.Random(42).random() * FIELD_TOTAL
        assert reason["chosen_weight"] == FIELD_WEIGHTS[choice.item_id]
        assert [c["item_id"] for c in reason["candidates"]] == ids(1, 2, 3, 4)
        assert reason["candidates"][3] == {
            "item_id": ids(4)[0],
            "title": "Film 4",
            "added_by": "ann",
            "vote_score": 3,
            "weight": 7,
            "probability": 0.5833,
        }

    def test_winner_is_the_first_whose_running_weight_exceeds_the_point(self) -> None:
        for seed in range(200):
            choice = weighted_random(FIELD, seed)
            point = choice.reason["point"]
            running = 0
            for entry in choice.reason["candidates"]:
                running += entry["weight"]
                if running > point:
                    break
            assert entry["item_id"] == choice.item_id

    def test_same_seed_gives_the_same_choice(self) -> None:
        assert weighted_random(FIELD, 1234) == weighted_random(FIELD, 1234)

    def test_different_seeds_pick_every_candidate_over_a_range(self) -> None:
        equal = [film(1), film(2), film(3)]
        picks = {weighted_random(equal, seed).item_id for seed in range(100)}
        assert picks == set(ids(1, 2, 3))

    def test_input_order_does_not_change_the_result(self) -> None:
        for seed in range(50):
            assert weighted_random(shuffled(FIELD, seed), seed) == weighted_random(FIELD, seed)

    def test_replay_agrees_for_a_thousand_seeds(self) -> None:
        field = [film(n, score, by=f"user{n % 3}") for n, score in enumerate([4, -1, 0, 2, 9, 1])]
        for seed in range(1000):
            choice = weighted_random(field, seed)
            assert replay(seed, choice.reason["candidates"]) == choice.item_id

    def test_replay_works_from_the_stored_json(self) -> None:
        choice = weighted_random(FIELD, 2**52 - 1)
        stored = json.loads(json.dumps(choice.reason))
        assert replay(stored["seed"], stored["candidates"]) == choice.item_id

    def test_replay_uses_the_recorded_weights(self) -> None:
        recorded = [{"item_id": "a", "weight": 0}, {"item_id": "b", "weight": 5}]
        assert {replay(seed, recorded) for seed in range(50)} == {"b"}

    def test_frequencies_match_the_weights_by_chi_square(self, field_counts: Counter) -> None:
        chi_square = sum(
            (field_counts[item_id] - DRAWS * weight / FIELD_TOTAL) ** 2
            / (DRAWS * weight / FIELD_TOTAL)
            for item_id, weight in FIELD_WEIGHTS.items()
        )
        assert chi_square < CHI_SQUARE_CRITICAL_3_DF

    def test_each_frequency_is_within_four_standard_deviations(self, field_counts: Counter) -> None:
        for item_id, weight in FIELD_WEIGHTS.items():
            low, high = four_sigma_bounds(weight / FIELD_TOTAL)
            assert low <= field_counts[item_id] <= high, item_id

    def test_a_negative_score_keeps_the_base_chance(self, field_counts: Counter) -> None:
        negative = ids(1)[0]
        low, high = four_sigma_bounds(1 / FIELD_TOTAL)
        assert 0 < low <= field_counts[negative] <= high

    def test_score_three_has_seven_times_the_odds_of_score_zero(self) -> None:
        pair = [film(1, 0), film(2, 3)]
        reason = weighted_random(pair, 0).reason
        assert [c["weight"] for c in reason["candidates"]] == [1, 7]
        zero_wins = sum(weighted_random(pair, seed).item_id == ids(1)[0] for seed in range(DRAWS))
        low, high = four_sigma_bounds(1 / 8)
        assert low <= zero_wins <= high
        assert 6.5 < (DRAWS - zero_wins) / zero_wins < 7.5

    def test_empty_list_raises_no_candidates(self) -> None:
        with pytest.raises(NoCandidates):
            weighted_random([], 1)
        with pytest.raises(NoCandidates):
            replay(1, [])


class TestHighestVotes:
    def test_highest_score_wins(self) -> None:
        choice = highest_votes([film(1, 2), film(2, 5), film(3, -1)])
        assert choice.item_id == ids(2)[0]
        assert choice.mode == "highest_votes"
        assert choice.seed is None
        assert choice.reason["top_score"] == 5
        assert choice.reason["tied"] == ids(2)
        assert choice.reason["tie_break"] is None
        assert [c["item_id"] for c in choice.reason["candidates"]] == ids(2, 1, 3)
        assert choice.reason["candidates"][0] == {
            "item_id": ids(2)[0],
            "title": "Film 2",
            "added_by": "ann",
            "vote_score": 5,
        }

    def test_breaks_ties_by_earliest_added(self) -> None:
        choice = highest_votes([film(5, 3, minute=30), film(6, 3, minute=10), film(7, 1)])
        assert choice.item_id == ids(6)[0]
        assert choice.reason["tied"] == ids(6, 5)
        assert choice.reason["tie_break"] == "earliest_added"

    def test_breaks_ties_at_the_same_time_by_lowest_id(self) -> None:
        choice = highest_votes([film(9, 2, minute=0), film(8, 2, minute=0), film(7, 1)])
        assert choice.item_id == ids(8)[0]
        assert choice.reason["tied"] == ids(8, 9)
        assert choice.reason["tie_break"] == "lowest_id"

    def test_input_order_does_not_change_the_result(self) -> None:
        field = [film(n, n % 3, minute=n % 2) for n in range(1, 8)]
        expected = highest_votes(field)
        for seed in range(20):
            assert highest_votes(shuffled(field, seed)) == expected

    def test_empty_list_raises_no_candidates(self) -> None:
        with pytest.raises(NoCandidates):
            highest_votes([])


class TestRoundRobin:
    def test_never_picked_adder_goes_first(self) -> None:
        field = [film(1, 5, by="ann"), film(2, 0, by="bob")]
        choice = round_robin(field, [watched("ann", 1)])
        assert choice.item_id == ids(2)[0]
        assert choice.mode == "round_robin"
        assert choice.seed is None
        assert choice.reason["turn"] == "bob"
        assert choice.reason["last_pick_at"] is None
        assert choice.reason["order"] == [
            {"user_id": "bob", "last_pick_at": None, "queued": 1},
            {
                "user_id": "ann",
                "last_pick_at": watched("ann", 1).watched_at.isoformat(),
                "queued": 1,
            },
        ]
        assert choice.reason["tie_break"] is None

    def test_least_recent_adder_goes_next(self) -> None:
        field = [film(1, by="ann"), film(2, by="bob"), film(3, by="cy")]
        history = [watched("ann", 1), watched("bob", 2), watched("cy", 3), watched("ann", 4)]
        choice = round_robin(field, history)
        assert choice.reason["turn"] == "bob"
        assert choice.reason["last_pick_at"] == watched("bob", 2).watched_at.isoformat()
        assert [o["user_id"] for o in choice.reason["order"]] == ["bob", "cy", "ann"]

    def test_picks_the_adders_best_scored_film(self) -> None:
        field = [film(1, 1, by="ann"), film(2, 4, by="ann"), film(3, 9, by="bob")]
        choice = round_robin(field, [watched("bob", 1)])
        assert choice.item_id == ids(2)[0]

    def test_within_an_adder_ties_go_to_earliest_added_then_lowest_id(self) -> None:
        early = [film(4, 2, minute=5), film(3, 2, minute=9)]
        assert round_robin(early, []).item_id == ids(4)[0]
        same_time = [film(6, 2, minute=5), film(5, 2, minute=5)]
        assert round_robin(same_time, []).item_id == ids(5)[0]

    def test_tied_adders_go_by_who_queued_first(self) -> None:
        field = [film(1, minute=20, by="ann"), film(2, minute=10, by="bob")]
        choice = round_robin(field, [])
        assert choice.reason["turn"] == "bob"
        assert choice.reason["tie_break"] == "earliest_queued"

    def test_tied_adders_who_queued_together_go_by_lowest_user_id(self) -> None:
        field = [film(1, minute=10, by="zed"), film(2, minute=10, by="amy")]
        history = [watched("zed", 3), watched("amy", 3)]
        choice = round_robin(field, history)
        assert choice.reason["turn"] == "amy"
        assert choice.reason["tie_break"] == "lowest_user_id"

    def test_ignores_history_of_adders_with_nothing_queued(self) -> None:
        choice = round_robin([film(1, by="ann")], [watched("bob", 1)])
        assert choice.reason["turn"] == "ann"
        assert [o["user_id"] for o in choice.reason["order"]] == ["ann"]

    def test_rotation_over_an_evening_is_fair(self) -> None:
        queue = [
            film(1, 1, by="ann"),
            film(2, 5, by="bob"),
            film(3, 0, by="ann"),
            film(4, 2, by="cy"),
            film(5, 3, by="ann"),
            film(6, 1, by="cy"),
        ]
        history: list[PastPick] = []
        turns: list[str] = []
        picks: list[str] = []
        for hour in range(len(queue)):
            choice = round_robin(queue, history)
            chosen = next(c for c in queue if c.item_id == choice.item_id)
            waiting = {c.added_by for c in queue}
            for other in waiting - {chosen.added_by}:
                assert turns.count(chosen.added_by) <= turns.count(other)
            turns.append(chosen.added_by)
            picks.append(chosen.item_id)
            history.append(PastPick(chosen.added_by, EVENING + timedelta(hours=hour)))
            queue.remove(chosen)
        assert turns == ["ann", "bob", "cy", "ann", "cy", "ann"]
        assert picks == ids(5, 2, 4, 1, 6, 3)

    def test_input_order_does_not_change_the_result(self) -> None:
        field = [film(n, n % 4, by=f"user{n % 3}", minute=n % 2) for n in range(1, 10)]
        history = [watched("user1", 2), watched("user2", 2)]
        expected = round_robin(field, history)
        for seed in range(20):
            assert round_robin(shuffled(field, seed), list(reversed(history))) == expected

    def test_empty_list_raises_no_candidates(self) -> None:
        with pytest.raises(NoCandidates):
            round_robin([], [watched("ann", 1)])


class TestSelect:
    def test_dispatches_each_mode(self) -> None:
        field = [film(1, 0, by="ann"), film(2, 5, by="bob")]
        history = [watched("ann", 1)]
        assert select("weighted_random", field, history, 9) == weighted_random(field, 9)
        assert select("highest_votes", field, history, 9) == highest_votes(field)
        assert select("round_robin", field, history, 9) == round_robin(field, history)

    def test_only_weighted_random_records_the_seed(self) -> None:
        field = [film(1), film(2)]
        seeds = {mode: select(mode, field, [], 77).seed for mode in MODES}
        assert seeds == {"weighted_random": 77, "highest_votes": None, "round_robin": None}

    def test_unknown_mode_raises_unknown_mode(self) -> None:
        with pytest.raises(UnknownMode):
            select("coin_flip", [film(1)], [], 1)

    @pytest.mark.parametrize("mode", MODES)
    def test_empty_list_raises_no_candidates(self, mode: str) -> None:
        with pytest.raises(NoCandidates):
            select(mode, [], [], 1)

    @pytest.mark.parametrize("mode", MODES)
    def test_reason_survives_a_json_round_trip(self, mode: str) -> None:
        field = [film(1, 2, by="ann"), film(2, -1, by="bob"), film(3, 2, by="ann")]
        history = [watched("ann", 1), watched("bob", 2)]
        reason = select(mode, field, history, 5).reason
        assert json.loads(json.dumps(reason)) == reason


# Picking through the API: the mode from the room, the query or the body, and the event


def pick(setup, query: str = "", body: dict | None = None, user_id: str = "alice"):
    url = f"/api/queue/room/{setup.room.pk}/select{query}"
    return setup.client(user_id).post(url, body, format="json")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "body", "mode"),
    [
        ("", None, "weighted_random"),
        ("?mode=highest_votes", None, "highest_votes"),
        ("", {"mode": "round_robin"}, "round_robin"),
    ],
)
def test_the_pick_uses_the_rooms_mode_unless_the_query_or_body_names_one(query, body, mode):
    setup = make_room("alice", "bob")
    setup.add_item("Inception")
    response = pick(setup, query, body)
    assert response.status_code == 201
    assert response.json()["mode"] == mode
    assert Selection.objects.get().mode == mode


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "body", "given"),
    [("?mode=coin_flip", None, "coin_flip"), ("", {"mode": "coin"}, "coin")],
)
def test_an_unknown_mode_anywhere_is_a_400_and_picks_nothing(query, body, given):
    setup = make_room("alice", "bob")
    setup.add_item("Inception")
    with recorded(setup.room) as events:
        response = pick(setup, query, body)
    assert response.status_code == 400
    assert response.json()["fields"] == {"mode": [f'"{given}" is not a valid choice.']}
    assert not Selection.objects.exists()
    assert events == []


@pytest.mark.django_db
@pytest.mark.parametrize("user_id", ["alice", "bob"], ids=["host", "member"])
def test_the_host_or_a_member_picks_and_the_room_is_told_the_pick_and_its_reason(trio, user_id):
    setup, _ = trio
    item = setup.add_item("Inception", by="bob")
    with recorded(setup.room) as events:
        response = pick(setup, "?mode=highest_votes", user_id=user_id)
    assert response.status_code == 201
    picked = response.json()
    assert (picked["item_id"], picked["selected_by"], picked["round_id"]) == (
        item.pk,
        user_id,
        None,
    )
    assert picked["reason"]["tied"] == [item.pk]
    assert picked["item"]["title"] == "Inception"
    assert events == [{"type": "selection", "selection": picked}]


@pytest.mark.django_db
def test_an_outsider_cannot_pick_in_a_room_and_nothing_is_recorded(trio):
    setup, other = trio
    setup.add_item("Inception")
    with recorded(setup.room) as events:
        response = other.client("mallory").post(f"/api/queue/room/{setup.room.pk}/select")
    assert (response.status_code, response.json()["error"]) == (403, "forbidden")
    assert not Selection.objects.exists()
    assert events == []


@pytest.mark.django_db
def test_a_pick_from_an_empty_queue_is_a_409_that_records_nothing(trio):
    setup, _ = trio
    with recorded(setup.room) as events:
        response = pick(setup, user_id="bob")
    assert (response.status_code, response.json()) == (
        409,
        {"error": "empty_queue", "detail": services.EMPTY_QUEUE},
    )
    assert not Selection.objects.exists()
    assert events == []
