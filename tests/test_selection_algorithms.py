"""Picking what to watch, the pure part: what tonight can pick and why the rest is left out,
then each algorithm's choice, its reason and its tie rules, and the weighted draw's fairness
measured over seeded runs. No database: plain data in, a choice out."""

import json
import math
import random
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from selection.algorithms import (
    MODES,
    Candidate,
    DrawRules,
    LedgerEntry,
    NoCandidates,
    UnknownMode,
    chances,
    consensus,
    highest_votes,
    replay,
    round_robin,
    select,
    weighted_random,
)
from selection.eligibility import (
    REASON_CODES,
    Constraints,
    eligibility,
    exclusion_reasons,
    nothing_eligible,
    reason_counts,
)
from watchqueue_site.phrases import english, listed


def nothing_eligible_message(excluded: list[dict]) -> str:
    return english(nothing_eligible(excluded))


EVENING = datetime(2024, 5, 17, 19, 0, tzinfo=UTC)
DRAWS = 20_000
# Seeds as the service draws them, 52 random bits: the first random() of small consecutive
# seeds (0, 1, 2, ...) is measurably uneven (about 3 standard deviations over 20,000), which
# would test Python's seeding rather than the draw.
SEEDS = random.Random(2024).sample(range(2**52), DRAWS)
# Chi-square critical value for 9 degrees of freedom at p = 0.001.
CHI_SQUARE_CRITICAL_9_DF = 27.877
RULES = DrawRules()


def film(
    number: int,
    score: int | None = None,
    *,
    up: int = 0,
    down: int = 0,
    by: str = "ann",
    minute: int | None = None,
    **fields,
) -> Candidate:
    """A candidate with id number `number`, added `minute` minutes into the evening; its room
    score is up - down unless given."""
    return Candidate(
        item_id=f"{number:024x}",
        title=f"Film {number}",
        added_by=by,
        added_at=EVENING + timedelta(minutes=number if minute is None else minute),
        vote_score=up - down if score is None else score,
        upvotes=up,
        downvotes=down,
        up=up,
        down=down,
        **fields,
    )


def ids(*numbers: int) -> list[str]:
    return [f"{n:024x}" for n in numbers]


def one_id(number: int) -> str:
    return ids(number)[0]


def ledger(user_id: str, watched: int = 0, evenings: int | None = None, rating=None):
    return LedgerEntry(
        user_id=user_id, watched=watched, evenings_since_last=evenings, average_rating=rating
    )


def shuffled(candidates: list[Candidate], seed: int) -> list[Candidate]:
    copy = list(candidates)
    random.Random(seed).shuffle(copy)
    return copy


def round_trip(value):
    return json.loads(json.dumps(value))


# Tonight, three attend: one film all three voted up (0), eight with at most one up vote each
# and none down (1-8), and one two of them voted down (9).
TONIGHT = [film(0, up=3)] + [film(n, up=n % 2) for n in range(1, 9)] + [film(9, down=2)]
UNANIMOUS, DOWN_VOTED = one_id(0), one_id(9)


def exact_chances(candidates: list[Candidate], rules: DrawRules = RULES) -> dict[str, float]:
    """Each film's probability from the formula itself, unrounded."""
    weights = {c.item_id: math.exp(rules.strength * (c.up - c.down) / 3) for c in candidates}
    total = sum(weights.values())
    return {item_id: weight / total for item_id, weight in weights.items()}


@pytest.fixture(scope="module")
def tonight_counts() -> Counter[str]:
    return Counter(weighted_random(TONIGHT, seed, RULES, 3).item_id for seed in SEEDS)


def four_sigma_bounds(probability: float) -> tuple[float, float]:
    expected = DRAWS * probability
    spread = 4 * math.sqrt(DRAWS * probability * (1 - probability))
    return expected - spread, expected + spread


class TestWeights:
    def test_weight_is_exp_of_strength_times_the_net_share_of_attendees(self) -> None:
        reason = weighted_random(TONIGHT, 7, RULES, 3).reason
        weights = {c["item_id"]: c["weight"] for c in reason["candidates"]}
        assert weights[UNANIMOUS] == 54.5982  # e^4
        assert weights[one_id(1)] == 3.7937  # e^(4/3)
        assert weights[one_id(2)] == 1.0
        assert weights[DOWN_VOTED] == 0.0695  # e^(-8/3)
        assert reason["total_weight"] == 73.8425
        assert reason["strength"] == 4.0
        assert reason["attendees"] == 3
        assert reason["boost"] is False

    def test_strength_zero_makes_every_film_equal(self) -> None:
        reason = weighted_random(TONIGHT, 1, DrawRules(strength=0), 3).reason
        assert {c["weight"] for c in reason["candidates"]} == {1.0}
        assert {c["chance"] for c in reason["candidates"]} == {10.0}

    def test_strength_eight_leans_hard_on_the_votes(self) -> None:
        reason = weighted_random([film(1, up=1), film(2)], 1, DrawRules(strength=8), 1).reason
        assert [c["weight"] for c in reason["candidates"]] == [2980.958, 1.0]

    def test_the_room_wide_score_does_not_weigh_only_tonights_votes(self) -> None:
        popular = film(1, 40, up=0)
        reason = weighted_random([popular, film(2, up=1)], 1, RULES, 2).reason
        assert [c["weight"] for c in reason["candidates"]] == [1.0, 7.3891]

    def test_weights_are_floored_so_no_film_drops_to_nothing(self) -> None:
        reason = weighted_random([film(1, down=1), film(2)], 1, DrawRules(strength=10), 1).reason
        assert reason["candidates"][0]["weight"] == 0.0001

    def test_the_net_share_is_capped_at_everyone(self) -> None:
        over = weighted_random([film(1, up=5), film(2)], 1, RULES, 2).reason
        assert over["candidates"][0]["weight"] == 54.5982

    def test_no_attendees_counts_as_one(self) -> None:
        reason = weighted_random([film(1, up=1)], 1, RULES, 0).reason
        assert (reason["attendees"], reason["candidates"][0]["weight"]) == (1, 54.5982)

    def test_the_boost_adds_a_tenth_per_evening_waited_up_to_five(self) -> None:
        field = [film(n, by=user) for n, user in enumerate(["ann", "bob", "cy", "dee", "eve"])]
        books = [ledger("ann", 2, 0), ledger("bob", 1, 2), ledger("cy", 1, 9), ledger("dee")]
        reason = weighted_random(field, 1, DrawRules(boost=True), 3, books).reason
        boosts = [(c["added_by"], c["boost"], c["weight"]) for c in reason["candidates"]]
        assert boosts == [
            ("ann", 1.0, 1.0),
            ("bob", 1.2, 1.2),
            ("cy", 1.5, 1.5),  # nine evenings count as five
            ("dee", 1.5, 1.5),  # never watched counts as five
            ("eve", 1.5, 1.5),  # no ledger entry: never watched
        ]
        assert reason["boost"] is True

    def test_the_boost_multiplies_the_vote_weight(self) -> None:
        reason = weighted_random([film(1, up=3)], 1, DrawRules(boost=True), 3).reason
        assert reason["candidates"][0]["weight"] == round(math.exp(4) * 1.5, 4)

    def test_without_the_boost_no_candidate_carries_one(self) -> None:
        reason = weighted_random(TONIGHT, 1, RULES, 3, [ledger("ann", 1, 3)]).reason
        assert all("boost" not in c for c in reason["candidates"])
        assert {c["weight"] for c in reason["candidates"]} == {54.5982, 3.7937, 1.0, 0.0695}

    def test_chances_are_the_ones_the_draw_uses(self) -> None:
        for rules, books in [(RULES, []), (DrawRules(strength=2, boost=True), [ledger("ann")])]:
            reason = weighted_random(shuffled(TONIGHT, 3), 11, rules, 3, books).reason
            preview = chances(TONIGHT, rules, 3, books)
            assert preview == {c["item_id"]: c["chance"] for c in reason["candidates"]}
        assert chances(TONIGHT, RULES, 3)[UNANIMOUS] == 73.9
        assert chances([], RULES, 3) == {}


class TestWeightedRandom:
    def test_reason_records_the_draw(self) -> None:
        choice = weighted_random(TONIGHT, 42, RULES, 3)
        reason = choice.reason
        assert choice.mode == "weighted_random"
        assert choice.seed == 42
        assert reason["seed"] == 42
        assert reason["rule"].startswith("Weighted draw: each film weighs exp(k * (up - down) / n)")
        assert reason["point"] == random.Random(42).random() * reason["total_weight"]
        chosen = next(c for c in reason["candidates"] if c["item_id"] == choice.item_id)
        assert reason["chosen_weight"] == chosen["weight"]
        assert [c["item_id"] for c in reason["candidates"]] == ids(*range(10))
        assert reason["candidates"][0] == {
            "item_id": UNANIMOUS,
            "title": "Film 0",
            "added_by": "ann",
            "vote_score": 3,
            "up": 3,
            "down": 0,
            "weight": 54.5982,
            "probability": 0.7394,
            "chance": 73.9,
        }

    def test_summary_names_the_winner_and_its_chance(self) -> None:
        choice = weighted_random(TONIGHT, 42, RULES, 3)
        assert choice.item_id == UNANIMOUS
        assert choice.reason["summary"] == "Film 0 won the weighted draw with a 73.9% chance."

    def test_summary_of_a_long_shot_says_less_than_a_tenth_of_a_percent(self) -> None:
        field = [film(1, down=1), film(2, up=1)]
        seed = next(
            s for s in range(100_000) if weighted_random(field, s, RULES, 1).item_id == one_id(1)
        )
        summary = weighted_random(field, seed, RULES, 1).reason["summary"]
        assert summary == "Film 1 won the weighted draw with a less than 0.1% chance."

    def test_a_lone_candidate_is_said_to_be_the_only_one(self) -> None:
        choice = weighted_random([film(5, up=3)], 7, RULES, 3)
        assert choice.reason["summary"] == "Film 5 was the only film that could be picked."

    def test_winner_is_the_first_whose_running_weight_exceeds_the_point(self) -> None:
        for seed in range(200):
            choice = weighted_random(TONIGHT, seed, RULES, 3)
            point = choice.reason["point"]
            running = 0.0
            for entry in choice.reason["candidates"]:
                running += entry["weight"]
                if running > point:
                    break
            assert entry["item_id"] == choice.item_id

    def test_same_seed_gives_the_same_choice(self) -> None:
        assert weighted_random(TONIGHT, 1234, RULES, 3) == weighted_random(TONIGHT, 1234, RULES, 3)

    def test_input_order_does_not_change_the_result(self) -> None:
        books = [ledger("ann", 1, 2)]
        rules = DrawRules(boost=True)
        for seed in range(50):
            expected = weighted_random(TONIGHT, seed, rules, 3, books)
            assert weighted_random(shuffled(TONIGHT, seed), seed, rules, 3, books) == expected

    def test_replay_agrees_for_a_thousand_seeds(self) -> None:
        field = [
            film(n, up=up, down=down, by=f"user{n % 3}")
            for n, (up, down) in enumerate([(3, 0), (0, 1), (0, 0), (2, 0), (1, 1), (1, 0)])
        ]
        books = [ledger("user0", 1, 1), ledger("user1", 2, 4)]
        for seed in range(1000):
            choice = weighted_random(field, seed, DrawRules(boost=True), 3, books)
            assert replay(seed, choice.reason["candidates"]) == choice.item_id

    def test_replay_works_from_the_stored_json(self) -> None:
        for seed in [0, 1, 2**52 - 1]:
            choice = weighted_random(TONIGHT, seed, RULES, 3)
            stored = round_trip(choice.reason)
            assert replay(stored["seed"], stored["candidates"]) == choice.item_id

    def test_replay_uses_the_recorded_weights(self) -> None:
        recorded = [{"item_id": "a", "weight": 0}, {"item_id": "b", "weight": 5}]
        assert {replay(seed, recorded) for seed in range(50)} == {"b"}

    def test_replay_of_an_old_pick_with_whole_number_weights_still_agrees(self) -> None:
        """Picks stored before the exponential weights recorded 1 + 2 x max(0, score)."""
        old = [
            {"item_id": name, "weight": 1 + 2 * s}
            for name, s in zip("abcd", [0, 0, 1, 3], strict=True)
        ]
        for seed in range(1000):
            total = sum(e["weight"] for e in old)
            point = random.Random(seed).random() * total
            running, winner = 0, None
            for entry in old:
                running += entry["weight"]
                if running > point:
                    winner = entry["item_id"]
                    break
            assert replay(seed, old) == winner

    def test_an_up_vote_from_everyone_is_worth_e_to_the_strength(self) -> None:
        pair = [film(1), film(2, up=1)]
        reason = weighted_random(pair, 0, DrawRules(strength=2), 1).reason
        assert [c["weight"] for c in reason["candidates"]] == [1.0, 7.3891]
        plain_wins = sum(
            weighted_random(pair, seed, DrawRules(strength=2), 1).item_id == one_id(1)
            for seed in SEEDS
        )
        low, high = four_sigma_bounds(1 / 8.3891)
        assert low <= plain_wins <= high

    def test_empty_list_raises_no_candidates(self) -> None:
        with pytest.raises(NoCandidates):
            weighted_random([], 1, RULES, 3)
        with pytest.raises(NoCandidates):
            replay(1, [])


class TestWeightedFairness:
    """The draw over TONIGHT, 20,000 seeds: the film everyone wants usually wins, a film most
    of the room voted down almost never does, and nothing is shut out."""

    def test_a_film_all_three_voted_up_has_at_least_an_even_chance(self) -> None:
        assert exact_chances(TONIGHT)[UNANIMOUS] == pytest.approx(0.7394, abs=1e-4)
        # The worst case: all eight others have an up vote, and the boost favours their adders.
        worst = [film(0, up=3)] + [film(n, up=1, by="bob") for n in range(1, 9)]
        assert chances(worst, RULES, 3)[UNANIMOUS] == 64.3
        boosted = chances(worst, DrawRules(boost=True), 3, [ledger("ann", 3, 0), ledger("bob")])
        assert boosted[UNANIMOUS] == 54.5

    def test_the_unanimous_film_wins_over_half_the_draws(self, tonight_counts: Counter) -> None:
        share = tonight_counts[UNANIMOUS] / DRAWS
        assert share >= 0.5
        assert share == pytest.approx(0.7394, abs=0.01)

    def test_a_film_two_of_three_voted_down_has_under_one_percent(
        self, tonight_counts: Counter
    ) -> None:
        assert exact_chances(TONIGHT)[DOWN_VOTED] < 0.01
        assert exact_chances(TONIGHT)[DOWN_VOTED] == pytest.approx(0.00094, abs=1e-5)
        assert tonight_counts[DOWN_VOTED] / DRAWS < 0.01

    def test_every_eligible_film_is_drawn_at_least_once(self, tonight_counts: Counter) -> None:
        assert set(tonight_counts) == set(ids(*range(10)))

    def test_frequencies_match_the_weights_by_chi_square(self, tonight_counts: Counter) -> None:
        reason = weighted_random(TONIGHT, 0, RULES, 3).reason
        expected = {
            c["item_id"]: DRAWS * c["weight"] / reason["total_weight"] for c in reason["candidates"]
        }
        chi_square = sum(
            (tonight_counts[item_id] - count) ** 2 / count for item_id, count in expected.items()
        )
        assert chi_square < CHI_SQUARE_CRITICAL_9_DF

    def test_each_frequency_is_within_four_standard_deviations(
        self, tonight_counts: Counter
    ) -> None:
        for item_id, probability in exact_chances(TONIGHT).items():
            low, high = four_sigma_bounds(probability)
            assert low <= tonight_counts[item_id] <= high, item_id


class TestHighestVotes:
    def test_highest_score_wins(self) -> None:
        choice = highest_votes([film(1, 2), film(2, 5, up=2), film(3, -1)])
        assert choice.item_id == one_id(2)
        assert choice.mode == "highest_votes"
        assert choice.seed is None
        assert choice.reason["top_score"] == 5
        assert choice.reason["tied"] == ids(2)
        assert choice.reason["tie_break"] is None
        assert choice.reason["rule"] == (
            "Highest score wins; a tie goes to the film added earliest, then to the lowest id."
        )
        assert choice.reason["summary"] == "Film 2 has the most votes (+5)."
        assert [c["item_id"] for c in choice.reason["candidates"]] == ids(2, 1, 3)
        assert choice.reason["candidates"][0] == {
            "item_id": one_id(2),
            "title": "Film 2",
            "added_by": "ann",
            "vote_score": 5,
            "up": 2,
            "down": 0,
        }

    def test_summary_writes_a_zero_or_negative_top_score_plainly(self) -> None:
        assert highest_votes([film(1, 0)]).reason["summary"] == "Film 1 has the most votes (0)."
        assert highest_votes([film(1, -2)]).reason["summary"] == "Film 1 has the most votes (-2)."

    def test_breaks_ties_by_earliest_added(self) -> None:
        choice = highest_votes([film(5, 3, minute=30), film(6, 3, minute=10), film(7, 1)])
        assert choice.item_id == one_id(6)
        assert choice.reason["tied"] == ids(6, 5)
        assert choice.reason["tie_break"] == "earliest_added"
        assert choice.reason["summary"] == (
            "Film 6 and Film 5 tie on the most votes (+3); Film 6 was added first."
        )

    def test_breaks_ties_at_the_same_time_by_lowest_id(self) -> None:
        choice = highest_votes([film(9, 2, minute=0), film(8, 2, minute=0), film(7, 1)])
        assert choice.item_id == one_id(8)
        assert choice.reason["tied"] == ids(8, 9)
        assert choice.reason["tie_break"] == "lowest_id"
        assert choice.reason["summary"] == (
            "Film 8 and Film 9 tie on the most votes (+2) and were added together;"
            " Film 8 comes first by id."
        )

    def test_a_tie_of_many_counts_the_films(self) -> None:
        summary = highest_votes([film(n, 1) for n in range(1, 5)]).reason["summary"]
        assert summary == "4 films tie on the most votes (+1); Film 1 was added first."

    def test_input_order_does_not_change_the_result(self) -> None:
        field = [film(n, n % 3, minute=n % 2) for n in range(1, 8)]
        expected = highest_votes(field)
        for seed in range(20):
            assert highest_votes(shuffled(field, seed)) == expected

    def test_empty_list_raises_no_candidates(self) -> None:
        with pytest.raises(NoCandidates):
            highest_votes([])


class TestRoundRobin:
    def test_an_adder_never_watched_goes_first(self) -> None:
        field = [film(1, 5, by="ann"), film(2, 0, by="bob")]
        choice = round_robin(field, [ledger("ann", 1, 2, 4.5)])
        assert choice.item_id == one_id(2)
        assert choice.mode == "round_robin"
        assert choice.seed is None
        assert choice.reason["turn"] == "bob"
        assert choice.reason["order"] == [
            {
                "user_id": "bob",
                "watched": 0,
                "evenings_since_last": None,
                "average_rating": None,
                "queued": 1,
            },
            {
                "user_id": "ann",
                "watched": 1,
                "evenings_since_last": 2,
                "average_rating": 4.5,
                "queued": 1,
            },
        ]
        assert choice.reason["tie_break"] is None
        assert choice.reason["summary"] == (
            "It is bob's turn (none of theirs watched yet); Film 2 is their best-voted film."
        )
        assert [c["item_id"] for c in choice.reason["candidates"]] == ids(1, 2)

    def test_fewest_watched_goes_first_however_long_others_waited(self) -> None:
        field = [film(1, by="ann"), film(2, by="bob")]
        choice = round_robin(field, [ledger("ann", 2, 30), ledger("bob", 1, 0)])
        assert choice.reason["turn"] == "bob"
        assert choice.reason["tie_break"] is None
        assert choice.reason["summary"] == (
            "It is bob's turn (1 of theirs watched, the last this evening);"
            " Film 2 is their best-voted film."
        )

    def test_level_on_watched_the_longest_waiting_goes_first(self) -> None:
        field = [film(1, by="ann"), film(2, by="bob"), film(3, by="cy")]
        books = [ledger("ann", 2, 1), ledger("bob", 2, 4), ledger("cy", 2, 3)]
        choice = round_robin(field, books, names={"bob": "Bob"})
        assert choice.reason["turn"] == "bob"
        assert [o["user_id"] for o in choice.reason["order"]] == ["bob", "cy", "ann"]
        assert choice.reason["tie_break"] == "evenings_waiting"
        assert choice.reason["summary"] == (
            "It is Bob's turn (2 of theirs watched, 4 evenings ago; level on films watched,"
            " they have waited longest); Film 2 is their best-voted film."
        )

    def test_an_adder_with_no_ledger_entry_counts_as_never_watched(self) -> None:
        field = [film(1, minute=20, by="ann"), film(2, minute=10, by="bob")]
        choice = round_robin(field, [ledger("ann")])
        first = choice.reason["order"][0]
        assert (first["user_id"], first["watched"], first["evenings_since_last"]) == (
            "bob",
            0,
            None,
        )
        assert choice.reason["tie_break"] == "earliest_queued"

    def test_tied_adders_go_by_who_queued_first(self) -> None:
        field = [film(1, minute=20, by="ann"), film(2, minute=10, by="bob")]
        choice = round_robin(field, [ledger("ann", 1, 1), ledger("bob", 1, 1)])
        assert choice.reason["turn"] == "bob"
        assert choice.reason["tie_break"] == "earliest_queued"
        assert choice.reason["summary"] == (
            "It is bob's turn (1 of theirs watched, 1 evening ago; level with others,"
            " they queued first); Film 2 is their best-voted film."
        )

    def test_tied_adders_who_queued_together_go_by_lowest_user_id(self) -> None:
        field = [film(1, minute=10, by="zed"), film(2, minute=10, by="amy")]
        choice = round_robin(field, [ledger("zed", 1, 3), ledger("amy", 1, 3)])
        assert choice.reason["turn"] == "amy"
        assert choice.reason["tie_break"] == "lowest_user_id"
        assert "their id comes first" in choice.reason["summary"]

    def test_the_average_rating_is_shown_but_does_not_decide(self) -> None:
        field = [film(1, by="ann"), film(2, by="bob")]
        choice = round_robin(field, [ledger("ann", 1, 2, 1.0), ledger("bob", 1, 2, 5.0)])
        assert choice.reason["turn"] == "ann"
        assert [o["average_rating"] for o in choice.reason["order"]] == [1.0, 5.0]

    def test_picks_the_adders_best_scored_film(self) -> None:
        field = [film(1, 1, by="ann"), film(2, 4, by="ann"), film(3, 9, by="bob")]
        choice = round_robin(field, [ledger("bob", 1, 0)])
        assert choice.item_id == one_id(2)

    def test_a_show_is_called_a_show(self) -> None:
        choice = round_robin([film(1, media_type="tv")], [])
        assert choice.reason["summary"].endswith("Film 1 is their best-voted show.")

    def test_within_an_adder_ties_go_to_earliest_added_then_lowest_id(self) -> None:
        early = [film(4, 2, minute=5), film(3, 2, minute=9)]
        assert round_robin(early, []).item_id == one_id(4)
        same_time = [film(6, 2, minute=5), film(5, 2, minute=5)]
        assert round_robin(same_time, []).item_id == one_id(5)

    def test_ignores_ledger_entries_of_adders_with_nothing_eligible(self) -> None:
        choice = round_robin([film(1, by="ann")], [ledger("bob"), ledger("ann", 3, 0)])
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
        books: dict[str, LedgerEntry] = {}
        turns: list[str] = []
        picks: list[str] = []
        while queue:
            choice = round_robin(queue, books.values())
            chosen = next(c for c in queue if c.item_id == choice.item_id)
            for other in {c.added_by for c in queue} - {chosen.added_by}:
                assert turns.count(chosen.added_by) <= turns.count(other)
            turns.append(chosen.added_by)
            picks.append(chosen.item_id)
            books[chosen.added_by] = ledger(chosen.added_by, turns.count(chosen.added_by), 0)
            queue.remove(chosen)
        assert turns == ["ann", "bob", "cy", "ann", "cy", "ann"]
        assert picks == ids(5, 2, 4, 1, 6, 3)

    def test_input_order_does_not_change_the_result(self) -> None:
        field = [film(n, n % 4, by=f"user{n % 3}", minute=n % 2) for n in range(1, 10)]
        books = [ledger("user1", 1, 2), ledger("user2", 1, 2), ledger("user0", 2, 1)]
        expected = round_robin(field, books)
        for seed in range(20):
            assert round_robin(shuffled(field, seed), list(reversed(books))) == expected

    def test_empty_list_raises_no_candidates(self) -> None:
        with pytest.raises(NoCandidates):
            round_robin([], [ledger("ann", 1, 1)])


class TestConsensus:
    def test_a_film_everyone_voted_up_is_a_match_and_wins(self) -> None:
        field = [film(1, 9, up=2), film(2, 1, up=3), film(3, up=1)]
        choice = consensus(field, 3, RULES)
        assert choice.item_id == one_id(2)
        assert choice.mode == "consensus"
        assert choice.seed is None
        reason = choice.reason
        assert (reason["tier"], reason["matches"]) == ("match", ids(2))
        assert reason["summary"] == "Film 2 is a match: all 3 voted it up."
        assert reason["rule"].startswith("Consensus: a film every attendee voted up is a match")
        assert [c["support"] for c in reason["candidates"]] == [0.6667, 1.0, 0.3333]
        assert reason["candidates"][1] == {
            "item_id": one_id(2),
            "title": "Film 2",
            "added_by": "ann",
            "vote_score": 1,
            "up": 3,
            "down": 0,
            "support": 1.0,
        }

    def test_of_several_matches_the_best_scored_wins(self) -> None:
        field = [film(1, 2, up=2), film(2, 5, up=2), film(3, 5, up=2, minute=0)]
        choice = consensus(field, 2, RULES)
        assert choice.item_id == one_id(3)
        assert choice.reason["matches"] == ids(3, 1, 2)
        assert choice.reason["tie_break"] == "earliest_added"
        assert choice.reason["summary"] == (
            "Film 3 is a match: both voted it up; of 3 matches, Film 3 and Film 2 tie on the"
            " most votes (+5); Film 3 was added first."
        )

    def test_alone_tonight_a_match_is_a_film_you_voted_up(self) -> None:
        summary = consensus([film(1, up=1), film(2, 4)], 1, RULES).reason["summary"]
        assert summary == "Film 1 is a match: the one attendee voted it up."

    def test_with_no_match_enough_support_wins(self) -> None:
        field = [film(1, 8, up=1), film(2, 1, up=2), film(3, 3, up=2)]
        choice = consensus(field, 3, RULES)
        assert choice.item_id == one_id(3)
        assert (choice.reason["tier"], choice.reason["matches"]) == ("share", ids(2, 3))
        assert choice.reason["summary"] == (
            "No film was voted up by everyone; Film 3 was voted up by 2 of 3, at least half,"
            " and of 2 such films, Film 3 has the most votes (+3)."
        )

    def test_the_share_tier_uses_the_rooms_share(self) -> None:
        field = [film(1, up=3), film(2, 5, up=2)]
        choice = consensus(field, 4, DrawRules(consensus_share=0.7))
        assert (choice.item_id, choice.reason["tier"]) == (one_id(1), "share")
        assert choice.reason["summary"] == (
            "No film was voted up by everyone; Film 1 was voted up by 3 of 4, at least 70%."
        )

    def test_with_too_little_support_it_falls_back_to_highest_votes(self) -> None:
        field = [film(1, 4, up=1), film(2, 6, up=1), film(3, -1, up=2)]
        choice = consensus(field, 3, DrawRules(consensus_share=0.7))
        assert choice.item_id == one_id(2)
        assert (choice.reason["tier"], choice.reason["matches"]) == ("fallback", [])
        assert choice.reason["top_score"] == 6
        assert choice.reason["summary"] == (
            "No film had enough support (up votes from at least 70% of the 3 in tonight),"
            " so the pick used highest votes: Film 2 has the most votes (+6)."
        )

    def test_input_order_does_not_change_the_result(self) -> None:
        field = [film(n, n % 4, up=n % 3, minute=n % 2) for n in range(1, 10)]
        expected = consensus(field, 3, RULES)
        for seed in range(20):
            assert consensus(shuffled(field, seed), 3, RULES) == expected

    def test_empty_list_raises_no_candidates(self) -> None:
        with pytest.raises(NoCandidates):
            consensus([], 3, RULES)


class TestSelect:
    FIELD = [film(1, 0, by="ann"), film(2, 5, up=2, by="bob"), film(3, 1, up=1, by="cy")]
    BOOKS = [ledger("ann", 1, 1), ledger("cy", 1, 4)]

    def test_dispatches_each_mode(self) -> None:
        rules = DrawRules(strength=3, boost=True, consensus_share=0.6)
        run = {"seed": 9, "rules": rules, "attendees": 3, "ledger": self.BOOKS}
        field, books = self.FIELD, self.BOOKS
        assert select("weighted_random", field, **run) == weighted_random(field, 9, rules, 3, books)
        assert select("highest_votes", field, **run) == highest_votes(field)
        assert select("round_robin", field, **run) == round_robin(field, books)
        assert select("consensus", field, **run) == consensus(field, 3, rules)

    def test_names_reach_the_round_robin_summary(self) -> None:
        choice = select("round_robin", self.FIELD, seed=1, names={"ann": "Ann"})
        assert choice.reason["summary"].startswith("It is Ann's turn")

    def test_only_weighted_random_records_the_seed(self) -> None:
        seeds = {mode: select(mode, self.FIELD, seed=77).seed for mode in MODES}
        assert seeds == {
            "weighted_random": 77,
            "highest_votes": None,
            "round_robin": None,
            "consensus": None,
        }

    def test_unknown_mode_raises_unknown_mode(self) -> None:
        with pytest.raises(UnknownMode):
            select("coin_flip", [film(1)], seed=1)

    @pytest.mark.parametrize("mode", MODES)
    def test_empty_list_raises_no_candidates(self, mode: str) -> None:
        with pytest.raises(NoCandidates):
            select(mode, [], seed=1)

    @pytest.mark.parametrize("mode", MODES)
    @pytest.mark.parametrize("boost", [False, True])
    def test_reason_survives_a_json_round_trip(self, mode: str, boost: bool) -> None:
        rules = DrawRules(boost=boost)
        reason = select(
            mode, self.FIELD, seed=5, rules=rules, attendees=3, ledger=self.BOOKS
        ).reason
        assert round_trip(reason) == reason
        assert {"rule", "summary", "candidates"} <= set(reason)
        for entry in reason["candidates"]:
            assert {"item_id", "title", "added_by", "vote_score", "up", "down"} <= set(entry)


# Eligibility: what tonight can pick


def texts(candidate: Candidate, **constraints) -> list[str]:
    return [r["text"] for r in exclusion_reasons(candidate, Constraints(**constraints))]


def codes(candidate: Candidate, **constraints) -> list[str]:
    return [r["code"] for r in exclusion_reasons(candidate, Constraints(**constraints))]


class TestEligibility:
    def test_with_no_constraints_every_queued_film_is_eligible(self) -> None:
        field = [film(2), film(1), film(3, runtime_minutes=400, media_type="tv")]
        result = eligibility(field, Constraints())
        assert result.eligible == [film(1), film(2), film(3, runtime_minutes=400, media_type="tv")]
        assert result.excluded == []

    def test_a_film_being_watched_is_left_out(self) -> None:
        assert texts(film(1, status="watching")) == ["being watched"]

    def test_a_film_turned_down_tonight_is_left_out(self) -> None:
        assert texts(film(1, turned_down=True)) == ["turned down tonight"]

    @pytest.mark.parametrize(
        ("vetoed_by", "text"),
        [
            (("Bob",), "vetoed by Bob"),
            (("Bob", "Ann"), "vetoed by Bob and Ann"),
            (("Bob", "Ann", "Cy"), "vetoed by Bob, Ann and Cy"),
            (("Bob", "Bob"), "vetoed by Bob"),
            (("",), "vetoed"),
            (("", ""), "vetoed"),
            (("Bob", ""), "vetoed by Bob and 1 other"),
        ],
    )
    def test_a_veto_names_who_vetoed_unless_the_room_hides_it(self, vetoed_by, text) -> None:
        assert texts(film(1, vetoed_by=vetoed_by)) == [text]

    def test_a_film_seen_by_half_of_tonight_is_left_out(self) -> None:
        assert texts(film(1, seen_by=("Ann", "Bob")), attendees=3) == ["seen by 2 of 3"]
        assert texts(film(1, seen_by=("Ann",)), attendees=2) == ["seen by 1 of 2"]
        assert texts(film(1, seen_by=("Ann",)), attendees=3) == []
        assert texts(film(1), attendees=3, seen_share=0) == []

    def test_the_seen_share_is_the_rooms(self) -> None:
        assert texts(film(1, seen_by=("Ann",)), attendees=3, seen_share=0.3) == ["seen by 1 of 3"]
        assert texts(film(1, seen_by=("Ann", "Bob")), attendees=3, seen_share=0.9) == []

    def test_the_wrong_kind_is_left_out(self) -> None:
        show, movie = film(1, media_type="tv"), film(2)
        assert texts(show, media="movie") == ["a show, and tonight is films only"]
        assert texts(movie, media="tv") == ["a film, and tonight is shows only"]
        assert texts(show, media="tv") == texts(movie, media="movie") == []
        assert texts(show, media="both") == texts(movie, media="both") == []

    def test_too_long_to_finish_by_the_time_given(self) -> None:
        heat = film(1, runtime_minutes=148)
        assert texts(heat, max_runtime=120, finish_by_label="23:30") == [
            "too long to finish by 23:30 (148 min)"
        ]
        assert texts(heat, max_runtime=120) == ["longer than 120 min (148 min)"]
        assert texts(heat, max_runtime=148) == []
        assert texts(film(2, runtime_minutes=40, media_type="tv"), max_runtime=45) == []

    def test_an_unknown_runtime_cannot_be_judged_so_it_stays_in(self) -> None:
        assert texts(film(1), max_runtime=30, finish_by_label="20:00") == []

    def test_with_no_time_left_nothing_fits(self) -> None:
        for runtime in [90, None]:
            candidate = film(1, runtime_minutes=runtime)
            assert texts(candidate, max_runtime=0, finish_by_label="23:30") == [
                "no time left before 23:30"
            ]
            assert texts(candidate, max_runtime=-5) == ["no time left"]

    def test_an_excluded_genre_is_named_as_the_film_spells_it(self) -> None:
        scary = film(1, genres=("Horror", "Comedy", "Thriller"))
        assert texts(scary, genres_exclude=("horror",)) == ["genre Horror excluded"]
        assert texts(scary, genres_exclude=("THRILLER", "horror")) == [
            "genres Horror and Thriller excluded"
        ]
        assert texts(scary, genres_exclude=("Drama",)) == []

    def test_a_film_in_none_of_the_chosen_genres_is_left_out(self) -> None:
        assert texts(film(1, genres=("Action",)), genres_include=("Comedy", "Drama")) == [
            "not Comedy or Drama"
        ]
        assert texts(film(1, genres=("Action",)), genres_include=("Comedy",)) == ["not Comedy"]
        assert texts(film(1), genres_include=("Comedy", "Drama", "Romance")) == [
            "not Comedy, Drama or Romance"
        ]
        assert texts(film(1, genres=("Action", "drama")), genres_include=("Comedy", "Drama")) == []

    def test_a_film_not_on_tonights_services_is_left_out(self) -> None:
        netflix = film(1, streams_on=("Netflix",), providers_known=True)
        elsewhere = film(2, streams_on=("Max",), providers_known=True)
        nowhere = film(3, providers_known=True)
        have = ("Netflix", "Disney Plus")
        assert texts(netflix, services=have) == []
        assert texts(film(1, streams_on=("NETFLIX",), providers_known=True), services=have) == []
        expected = ["not on Netflix or Disney Plus (the services you have)"]
        assert texts(elsewhere, services=have) == texts(nowhere, services=have) == expected
        assert texts(film(4), services=have) == ["where it streams is not known"]
        assert texts(netflix, services=()) == ["nobody in tonight has named a streaming service"]
        assert texts(film(4), services=None) == texts(elsewhere) == []

    def test_a_film_failing_every_constraint_lists_every_reason_in_order(self) -> None:
        hopeless = film(
            1,
            status="watching",
            turned_down=True,
            vetoed_by=("Bob",),
            seen_by=("Ann", "Bob"),
            media_type="tv",
            runtime_minutes=200,
            genres=("Horror",),
            streams_on=("Max",),
            providers_known=True,
        )
        tonight = {
            "attendees": 3,
            "max_runtime": 100,
            "finish_by_label": "22:00",
            "media": "movie",
            "genres_include": ("Comedy",),
            "genres_exclude": ("Horror",),
            "services": ("Netflix",),
        }
        assert codes(hopeless, **tonight) == list(REASON_CODES)
        assert texts(hopeless, **tonight) == [
            "being watched",
            "turned down tonight",
            "vetoed by Bob",
            "seen by 2 of 3",
            "a show, and tonight is films only",
            "too long to finish by 22:00 (200 min)",
            "genre Horror excluded",
            "not Comedy",
            "not on Netflix (the services you have)",
        ]

    def test_splits_the_queue_in_canonical_order(self) -> None:
        field = [
            film(4, vetoed_by=("Bob",), by="bob"),
            film(3),
            film(2, runtime_minutes=150),
            film(1, minute=9),
        ]
        result = eligibility(shuffled(field, 1), Constraints(max_runtime=120))
        assert [c.item_id for c in result.eligible] == ids(3, 1)
        assert result.excluded == [
            {
                "item_id": one_id(2),
                "title": "Film 2",
                "added_by": "ann",
                "reasons": [
                    {
                        "code": "too_long",
                        "text": "longer than 120 min (150 min)",
                        "phrase": "excluded.too_long",
                        "args": {"limit": 120, "runtime": 150},
                    }
                ],
            },
            {
                "item_id": one_id(4),
                "title": "Film 4",
                "added_by": "bob",
                "reasons": [
                    {
                        "code": "vetoed",
                        "text": "vetoed by Bob",
                        "phrase": "excluded.vetoed_by",
                        "args": {"names": {"list": ["Bob"], "join": "and"}},
                    }
                ],
            },
        ]
        assert round_trip(result.excluded) == result.excluded

    def test_the_eligible_films_are_what_the_algorithms_pick_from(self) -> None:
        field = [film(1, 9, vetoed_by=("Ann",)), film(2, 3), film(3, 1)]
        result = eligibility(field, Constraints())
        assert highest_votes(result.eligible).item_id == one_id(2)


class TestNothingEligible:
    def test_counts_each_reason_most_frequent_first(self) -> None:
        field = [
            film(1, seen_by=("A", "B")),
            film(2, seen_by=("A", "B"), runtime_minutes=200),
            film(3, seen_by=("A", "B"), vetoed_by=("C",)),
            film(4, runtime_minutes=300),
        ]
        result = eligibility(field, Constraints(attendees=3, max_runtime=120))
        assert result.eligible == []
        assert reason_counts(result.excluded) == {"seen": 3, "too_long": 2, "vetoed": 1}
        assert nothing_eligible_message(result.excluded) == (
            "Nothing can be picked: 3 seen, 2 too long, 1 vetoed."
        )

    def test_equal_counts_follow_the_order_reasons_are_listed_in(self) -> None:
        field = [
            film(1, media_type="tv", providers_known=True),
            film(2, status="watching", genres=("Horror",)),
        ]
        tonight = Constraints(media="movie", genres_exclude=("horror",), services=("Netflix",))
        excluded = eligibility(field, tonight).excluded
        assert nothing_eligible_message(excluded) == (
            "Nothing can be picked: 2 not streamable, 1 being watched, 1 of the wrong kind,"
            " 1 in an excluded genre."
        )

    def test_an_empty_queue_says_so(self) -> None:
        assert nothing_eligible_message([]) == "Nothing can be picked: nothing is queued."


def test_lists_in_texts_read_as_english() -> None:
    def said(values: list[str], join: str = "or") -> str:
        return english({"phrase": "excluded.not_genres", "args": {"genres": listed(values, join)}})

    assert said([]) == "not "
    assert said(["A"]) == "not A"
    assert said(["A", "B"]) == "not A or B"
    assert said(["A", "B", "C"]) == "not A, B or C"
    assert said(["Bob", "Ann"], "and") == "not Bob and Ann"
    assert said(["Bob", "Ann", "Cy"], "comma") == "not Bob, Ann, Cy"
