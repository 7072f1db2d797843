"""Votes through the REST API and the services, with real threads. Timed voting rounds are in
test_voting_rounds.py."""

import random
from collections import Counter

import pytest
from django.db.models import Count

from history.services import history_mark_watched
from queues.models import QueueItem
from queues.services import item_get
from rooms.models import Member
from rooms.services import NO_LONGER_MEMBER, member_remove
from tests.events import recorded
from tests.factories import client_for, make_room, pick, refusal, votes_rounds_and_picks
from tests.factories import race as shared_race
from voting import services
from voting.models import Vote
from watchqueue_site.errors import NotFound, Unauthenticated

FRIENDS = [f"friend{n}" for n in range(10)]


def counts(item: QueueItem) -> tuple[int, int, int]:
    item.refresh_from_db()
    return item.upvotes, item.downvotes, item.vote_score


def vote(client, item: QueueItem, value: str, **extra):
    return client.post("/api/votes", {"item_id": item.pk, "vote": value, **extra}, format="json")


def vote_update(item: QueueItem, user_id: str, value: str | None, counts: tuple) -> dict:
    """The event a vote records: whose vote it is now, and the item's counts after it."""
    upvotes, downvotes, vote_score = counts
    return {
        "type": "vote_update",
        "user_id": user_id,
        "vote": value,
        "item_id": item.pk,
        "upvotes": upvotes,
        "downvotes": downvotes,
        "vote_score": vote_score,
    }


def race(n: int, work) -> list:
    """The shared race, every thread expected to succeed; their values."""
    results = shared_race(n, work)
    assert all(kind == "ok" for kind, _ in results), results
    return [value for _, value in results]


# Casting, changing, reading and withdrawing votes


@pytest.mark.django_db
def test_bob_votes_up_with_the_seeds_payload_and_sees_the_new_counts(trio):
    setup, _ = trio
    item = setup.add_item("Inception")
    with recorded(setup.room) as events:
        response = vote(setup.client("bob"), item, "up", user_id="bob")
    assert response.status_code == 200
    body = response.json()
    assert pick(body["vote"], "item_id", "user_id", "vote") == (item.pk, "bob", "up")
    assert pick(body["item"], "id", "upvotes", "downvotes", "vote_score") == (item.pk, 1, 0, 1)
    assert counts(item) == (1, 0, 1)
    counted = {"item_id": item.pk, "upvotes": 1, "downvotes": 0, "vote_score": 1}
    assert events == [{"type": "vote_update", "user_id": "bob", "vote": "up", **counted}]


@pytest.mark.django_db
def test_changing_a_vote_from_up_to_down_moves_the_counts(trio):
    setup, _ = trio
    item = setup.add_item("Inception")
    vote(setup.client("alice"), item, "up")
    vote(setup.client("bob"), item, "up")
    assert counts(item) == (2, 0, 2)
    with recorded(setup.room) as events:
        response = vote(setup.client("bob"), item, "down", user_id="bob")
    assert response.status_code == 200
    assert pick(response.json()["item"], "upvotes", "downvotes", "vote_score") == (1, 1, 0)
    assert counts(item) == (1, 1, 0)
    assert Vote.objects.filter(item=item).count() == 2
    event = events[0]
    assert pick(event, "user_id", "vote", "vote_score") == ("bob", "down", 0)
    # Both had voted it up: it was tonight's match, and is no longer.
    assert events == [
        vote_update(item, "bob", "down", (1, 1, 0)),
        {
            "type": "match",
            "item_id": item.pk,
            "title": "Inception",
            "matched": False,
            "attendees": 2,
            "matches": [],
        },
    ]


@pytest.mark.django_db
def test_voting_the_same_way_twice_changes_nothing(trio):
    setup, _ = trio
    item = setup.add_item("Inception")
    vote(setup.client("bob"), item, "up")
    stored = Vote.objects.get()
    before = votes_rounds_and_picks()
    with recorded(setup.room) as events:
        response = vote(setup.client("bob"), item, "up")
    assert response.status_code == 200
    assert response.json()["item"]["upvotes"] == 1
    assert events == []
    assert votes_rounds_and_picks() == before
    assert Vote.objects.get().updated_at == stored.updated_at
    assert counts(item) == (1, 0, 1)


@pytest.mark.django_db
def test_a_room_without_revotes_refuses_a_changed_vote_and_writes_nothing():
    setup = make_room("alice", "bob", allow_revotes=False)
    item = setup.add_item("Inception")
    assert vote(setup.client("bob"), item, "up").status_code == 200
    before = votes_rounds_and_picks()
    response = vote(setup.client("bob"), item, "down")
    assert refusal(response) == (409, "revotes_disabled", services.REVOTES_DISABLED)
    assert votes_rounds_and_picks() == before
    assert Vote.objects.get().value == "up"
    assert counts(item) == (1, 0, 1)


@pytest.mark.django_db
def test_nobody_votes_as_someone_else_or_in_another_room(trio):
    setup, other = trio
    item = setup.add_item("Inception")
    before = votes_rounds_and_picks()
    as_alice = vote(setup.client("bob"), item, "up", user_id="alice")
    assert (as_alice.status_code, as_alice.json()["detail"]) == (403, services.VOTE_AS_SELF_ONLY)
    assert vote(other.client("mallory"), item, "up").status_code == 403
    assert vote(client_for(None), item, "up").status_code == 401
    assert votes_rounds_and_picks() == before


@pytest.mark.django_db
def test_votes_are_readable_one_by_one_all_together_and_as_counts(trio):
    setup, _ = trio
    item = setup.add_item("Inception")
    vote(setup.client("alice"), item, "down")
    vote(setup.client("bob"), item, "up")
    client = setup.client("alice")
    bobs = client.get(f"/api/votes/{item.pk}/bob")
    assert bobs.status_code == 200
    assert pick(bobs.json(), "item_id", "user_id", "vote") == (item.pk, "bob", "up")
    all_votes = client.get(f"/api/votes/item/{item.pk}").json()
    assert [(v["user_id"], v["vote"]) for v in all_votes] == [("alice", "down"), ("bob", "up")]
    assert client.get(f"/api/votes/item/{item.pk}/counts").json() == {
        "item_id": item.pk,
        "upvotes": 1,
        "downvotes": 1,
        "vote_score": 0,
    }
    assert client.get(f"/api/votes/{item.pk}/nobody").status_code == 404


@pytest.mark.django_db
def test_withdrawing_a_vote_recounts_and_a_second_withdrawal_is_a_404(trio):
    setup, _ = trio
    item = setup.add_item("Inception")
    vote(setup.client("alice"), item, "down")
    vote(setup.client("bob"), item, "up")
    bob = setup.client("bob")
    with recorded(setup.room) as events:
        assert bob.delete(f"/api/votes/{item.pk}/alice").status_code == 403
        assert bob.delete(f"/api/votes/{item.pk}/bob").status_code == 204
    assert counts(item) == (0, 1, -1)
    assert list(Vote.objects.values_list("user_id", flat=True)) == ["alice"]
    [event] = events
    assert event["type"] == "vote_update"
    assert event == {
        "type": "vote_update",
        "user_id": "bob",
        "vote": None,
        "item_id": item.pk,
        "upvotes": 0,
        "downvotes": 1,
        "vote_score": -1,
    }
    before = votes_rounds_and_picks()
    again = bob.delete(f"/api/votes/{item.pk}/bob")
    assert (again.status_code, again.json()["detail"]) == (404, services.VOTE_NOT_FOUND)
    assert votes_rounds_and_picks() == before


@pytest.mark.django_db
def test_a_watched_item_takes_no_more_votes(trio):
    setup, _ = trio
    item = setup.add_item("Inception")
    vote(setup.client("bob"), item, "up")
    history_mark_watched(item=item, by=setup.members["alice"])
    before = votes_rounds_and_picks()
    for response in (
        vote(setup.client("alice"), item, "up"),
        vote(setup.client("bob"), item, "down"),
        setup.client("bob").delete(f"/api/votes/{item.pk}/bob"),
    ):
        assert refusal(response) == (409, "item_watched", services.ITEM_NOT_VOTABLE)
    assert votes_rounds_and_picks() == before


@pytest.mark.django_db
def test_a_vote_other_than_up_or_down_is_a_400(trio):
    setup, _ = trio
    item = setup.add_item("Inception")
    before = votes_rounds_and_picks()
    response = vote(setup.client("bob"), item, "sideways")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid"
    assert "vote" in response.json()["fields"]
    assert votes_rounds_and_picks() == before


@pytest.mark.django_db
def test_a_vote_from_a_member_removed_since_their_token_was_read_is_refused():
    setup = make_room("alice", "zoe")
    item = setup.add_item("Heat")
    zoe = setup.members["zoe"]
    member_remove(room=setup.room, by=zoe, user_id="zoe")
    with (
        recorded(setup.room) as events,
        pytest.raises(Unauthenticated, match=str(NO_LONGER_MEMBER)),
    ):
        services.vote_cast(item_id=item.pk, by=zoe, value="up")
    assert not Vote.objects.exists()
    assert events == []


# Concurrency


@pytest.mark.django_db(transaction=True)
def test_ten_members_voting_changing_and_withdrawing_at_once_keep_every_count_true():
    setup = make_room(*FRIENDS)
    item_ids = [setup.add_item(title).pk for title in ("Alien", "Brazil", "Casablanca")]

    def churn(i: int) -> int:
        rng = random.Random(4242 + i)
        member = Member.objects.get(pk=setup.members[FRIENDS[i]].pk)
        changes = 0
        for _ in range(24):
            item = item_get(rng.choice(item_ids))
            action = rng.choice(["up", "down", "up", "withdraw"])
            if action == "withdraw":
                try:
                    services.vote_remove(item_id=item.pk, by=member, user_id=member.user_id)
                    changes += 1
                except NotFound:
                    pass
            else:
                changes += services.vote_cast(item_id=item.pk, by=member, value=action)[2]
        return changes

    with recorded(setup.room) as events:
        changes = race(len(FRIENDS), churn)
    per_pair = Vote.objects.values("item_id", "member_id").annotate(n=Count("id"))
    assert all(row["n"] == 1 for row in per_pair)
    assert {e["type"] for e in events} == {"vote_update"}
    assert len(events) == sum(changes)
    for item_id in item_ids:
        tally = Counter(Vote.objects.filter(item_id=item_id).values_list("value", flat=True))
        item = QueueItem.objects.get(pk=item_id)
        expected = (tally["up"], tally["down"], tally["up"] - tally["down"])
        assert (item.upvotes, item.downvotes, item.vote_score) == expected
        last = [e for e in events if e["item_id"] == item_id][-1]
        assert (last["upvotes"], last["downvotes"], last["vote_score"]) == expected


@pytest.mark.django_db(transaction=True)
def test_one_member_sending_the_same_first_vote_six_times_at_once_leaves_one_vote():
    setup = make_room("alice", "bob")
    item = setup.add_item("Inception")

    def cast(_: int) -> bool:
        member = Member.objects.get(pk=setup.members["bob"].pk)
        return services.vote_cast(item_id=item.pk, by=member, value="up")[2]

    with recorded(setup.room) as events:
        changed = race(6, cast)
    assert sorted(changed) == [False] * 5 + [True]
    assert Vote.objects.filter(item=item).count() == 1
    assert counts(item) == (1, 0, 1)
    assert [e["type"] for e in events] == ["vote_update"]
    assert events == [vote_update(item, "bob", "up", (1, 0, 1))]
