"""Votes and timed voting rounds, through the REST API and the services, with real threads."""

import random
from collections import Counter
from datetime import timedelta

import pytest
from django.db.models import Count
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from history.services import history_mark_watched
from queues.models import QueueItem
from queues.services import item_get
from rooms.models import Member, Room
from selection.models import Selection
from tests.factories import client_for, events_since, make_room, seq_now
from tests.factories import race as shared_race
from voting import services
from voting.models import Vote, VotingRound
from watchqueue_site.errors import NotFound
from watchqueue_site.models import RoomEvent

FRIENDS = [f"friend{n}" for n in range(10)]


def written() -> tuple[int, int, int, int]:
    return (
        Vote.objects.count(),
        RoomEvent.objects.count(),
        VotingRound.objects.count(),
        Selection.objects.count(),
    )


def pick(body: dict, *keys: str) -> tuple:
    return tuple(body[key] for key in keys)


def refusal(response) -> tuple[int, str, str]:
    return response.status_code, response.json()["error"], response.json()["detail"]


def counts(item: QueueItem) -> tuple[int, int, int]:
    item.refresh_from_db()
    return item.upvotes, item.downvotes, item.vote_score


def vote(client, item: QueueItem, value: str, **extra):
    return client.post("/api/votes", {"item_id": item.pk, "vote": value, **extra}, format="json")


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
    seq = seq_now(setup.room)
    response = vote(setup.client("bob"), item, "up", user_id="bob")
    assert response.status_code == 200
    body = response.json()
    assert pick(body["vote"], "item_id", "user_id", "vote") == (item.pk, "bob", "up")
    assert pick(body["item"], "id", "upvotes", "downvotes", "vote_score") == (item.pk, 1, 0, 1)
    assert counts(item) == (1, 0, 1)
    events = events_since(setup.room, seq)
    counted = {"item_id": item.pk, "upvotes": 1, "downvotes": 0, "vote_score": 1}
    assert [(e.type, e.payload) for e in events] == [
        ("vote_update", {"user_id": "bob", "vote": "up", **counted})
    ]


@pytest.mark.django_db
def test_changing_a_vote_from_up_to_down_moves_the_counts(trio):
    setup, _ = trio
    item = setup.add_item("Inception")
    vote(setup.client("alice"), item, "up")
    vote(setup.client("bob"), item, "up")
    assert counts(item) == (2, 0, 2)
    seq = seq_now(setup.room)
    response = vote(setup.client("bob"), item, "down", user_id="bob")
    assert response.status_code == 200
    assert pick(response.json()["item"], "upvotes", "downvotes", "vote_score") == (1, 1, 0)
    assert counts(item) == (1, 1, 0)
    assert Vote.objects.filter(item=item).count() == 2
    [event] = events_since(setup.room, seq)
    assert pick(event.payload, "user_id", "vote", "vote_score") == ("bob", "down", 0)


@pytest.mark.django_db
def test_voting_the_same_way_twice_changes_nothing(trio):
    setup, _ = trio
    item = setup.add_item("Inception")
    vote(setup.client("bob"), item, "up")
    stored = Vote.objects.get()
    before = written()
    response = vote(setup.client("bob"), item, "up")
    assert response.status_code == 200
    assert response.json()["item"]["upvotes"] == 1
    assert written() == before
    assert Vote.objects.get().updated_at == stored.updated_at
    assert counts(item) == (1, 0, 1)


@pytest.mark.django_db
def test_a_room_without_revotes_refuses_a_changed_vote_and_writes_nothing():
    setup = make_room("alice", "bob", allow_revotes=False)
    item = setup.add_item("Inception")
    assert vote(setup.client("bob"), item, "up").status_code == 200
    before = written()
    response = vote(setup.client("bob"), item, "down")
    assert refusal(response) == (409, "revotes_disabled", services.REVOTES_DISABLED)
    assert written() == before
    assert Vote.objects.get().value == "up"
    assert counts(item) == (1, 0, 1)


@pytest.mark.django_db
def test_nobody_votes_as_someone_else_or_in_another_room(trio):
    setup, other = trio
    item = setup.add_item("Inception")
    before = written()
    as_alice = vote(setup.client("bob"), item, "up", user_id="alice")
    assert (as_alice.status_code, as_alice.json()["detail"]) == (403, services.VOTE_AS_SELF_ONLY)
    assert vote(other.client("mallory"), item, "up").status_code == 403
    assert vote(client_for(None), item, "up").status_code == 401
    assert written() == before


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
    seq = seq_now(setup.room)
    bob = setup.client("bob")
    assert bob.delete(f"/api/votes/{item.pk}/alice").status_code == 403
    assert bob.delete(f"/api/votes/{item.pk}/bob").status_code == 204
    assert counts(item) == (0, 1, -1)
    assert list(Vote.objects.values_list("user_id", flat=True)) == ["alice"]
    [event] = events_since(setup.room, seq)
    assert event.type == "vote_update"
    assert event.payload == {
        "user_id": "bob",
        "vote": None,
        "item_id": item.pk,
        "upvotes": 0,
        "downvotes": 1,
        "vote_score": -1,
    }
    before = written()
    again = bob.delete(f"/api/votes/{item.pk}/bob")
    assert (again.status_code, again.json()["detail"]) == (404, services.VOTE_NOT_FOUND)
    assert written() == before


@pytest.mark.django_db
def test_a_watched_item_takes_no_more_votes(trio):
    setup, _ = trio
    item = setup.add_item("Inception")
    vote(setup.client("bob"), item, "up")
    history_mark_watched(item=item, by=setup.members["alice"])
    before = written()
    for response in (
        vote(setup.client("alice"), item, "up"),
        vote(setup.client("bob"), item, "down"),
        setup.client("bob").delete(f"/api/votes/{item.pk}/bob"),
    ):
        assert refusal(response) == (409, "item_watched", services.ITEM_NOT_VOTABLE)
    assert written() == before


@pytest.mark.django_db
def test_a_vote_other_than_up_or_down_is_a_400(trio):
    setup, _ = trio
    item = setup.add_item("Inception")
    before = written()
    response = vote(setup.client("bob"), item, "sideways")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid"
    assert "vote" in response.json()["fields"]
    assert written() == before


# Concurrency


@pytest.mark.django_db(transaction=True)
def test_ten_members_voting_changing_and_withdrawing_at_once_keep_every_count_true():
    setup = make_room(*FRIENDS)
    item_ids = [setup.add_item(title).pk for title in ("Alien", "Brazil", "Casablanca")]
    seq = seq_now(setup.room)

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

    changes = race(len(FRIENDS), churn)
    per_pair = Vote.objects.values("item_id", "member_id").annotate(n=Count("id"))
    assert all(row["n"] == 1 for row in per_pair)
    events = events_since(setup.room, seq)
    assert {e.type for e in events} == {"vote_update"}
    assert len(events) == sum(changes)
    for item_id in item_ids:
        tally = Counter(Vote.objects.filter(item_id=item_id).values_list("value", flat=True))
        item = QueueItem.objects.get(pk=item_id)
        expected = (tally["up"], tally["down"], tally["up"] - tally["down"])
        assert (item.upvotes, item.downvotes, item.vote_score) == expected
        last = [e.payload for e in events if e.payload["item_id"] == item_id][-1]
        assert (last["upvotes"], last["downvotes"], last["vote_score"]) == expected


@pytest.mark.django_db(transaction=True)
def test_one_member_sending_the_same_first_vote_six_times_at_once_leaves_one_vote():
    setup = make_room("alice", "bob")
    item = setup.add_item("Inception")
    seq = seq_now(setup.room)

    def cast(_: int) -> bool:
        member = Member.objects.get(pk=setup.members["bob"].pk)
        return services.vote_cast(item_id=item.pk, by=member, value="up")[2]

    changed = race(6, cast)
    assert sorted(changed) == [False] * 5 + [True]
    assert Vote.objects.filter(item=item).count() == 1
    assert counts(item) == (1, 0, 1)
    assert [e.type for e in events_since(setup.room, seq)] == ["vote_update"]


# Voting rounds


def round_url(room: Room, end: bool = False) -> str:
    return f"/api/rooms/{room.pk}/round" + ("/end" if end else "")


def start(client, room: Room, **body):
    return client.post(round_url(room), body, format="json")


def length(body: dict) -> timedelta:
    return parse_datetime(body["ends_at"]) - parse_datetime(body["started_at"])


@pytest.mark.django_db
def test_a_round_lasts_the_rooms_voting_duration_unless_the_starter_says_otherwise():
    setup = make_room("alice", "bob", voting_duration_seconds=90)
    seq = seq_now(setup.room)
    response = start(setup.client("bob"), setup.room)
    assert response.status_code == 201
    body = response.json()
    assert pick(body, "status", "started_by") == ("open", "bob")
    assert length(body) == timedelta(seconds=90)
    assert [e.type for e in events_since(setup.room, seq)] == ["voting_round_start"]
    setup.client("alice").post(round_url(setup.room, end=True))
    custom = start(setup.client("bob"), setup.room, duration_seconds=120)
    assert (custom.status_code, length(custom.json())) == (201, timedelta(seconds=120))


@pytest.mark.django_db
@pytest.mark.parametrize("duration", [9, 3601, 0, "60", None])
def test_a_round_duration_outside_ten_seconds_to_an_hour_is_a_400(trio, duration):
    setup, _ = trio
    before = written()
    response = start(setup.client("bob"), setup.room, duration_seconds=duration)
    assert response.status_code == 400
    assert "duration_seconds" in response.json()["fields"]
    assert written() == before


@pytest.mark.django_db
def test_a_second_round_while_one_is_open_is_refused_and_the_open_one_is_readable(trio):
    setup, _ = trio
    first = start(setup.client("alice"), setup.room, duration_seconds=60).json()
    before = written()
    response = start(setup.client("bob"), setup.room)
    assert refusal(response) == (409, "round_running", services.ROUND_RUNNING)
    assert response.json()["round"]["id"] == first["id"]
    assert written() == before
    current = setup.client("bob").get(round_url(setup.room)).json()
    assert pick(current, "id", "status") == (first["id"], "open")
    assert 0 < current["seconds_left"] <= 60


@pytest.mark.django_db
def test_the_host_ends_a_round_and_the_rooms_mode_picks_once():
    setup = make_room("alice", "bob", selection_mode="highest_votes")
    setup.add_item("Low")
    high = setup.add_item("High")
    services.vote_cast(item_id=high.pk, by=setup.members["bob"], value="up")
    started = start(setup.client("bob"), setup.room).json()
    seq = seq_now(setup.room)
    response = setup.client("alice").post(round_url(setup.room, end=True))
    assert response.status_code == 200
    selection = Selection.objects.get(round_id=started["id"])
    assert (selection.mode, selection.item_id) == ("highest_votes", high.pk)
    assert pick(response.json(), "status", "selection_id") == ("closed", selection.pk)
    assert Selection.objects.count() == 1
    events = events_since(setup.room, seq)
    assert [e.type for e in events] == ["selection", "voting_round_end"]
    assert events[1].payload["selection"]["id"] == selection.pk
    assert events[1].payload["round"]["status"] == "closed"


@pytest.mark.django_db
def test_a_member_cannot_end_a_round_someone_else_started(trio):
    setup, other = trio
    setup.add_item("Inception")
    start(setup.client("alice"), setup.room)
    before = written()
    refused = setup.client("bob").post(round_url(setup.room, end=True))
    assert refusal(refused) == (403, "forbidden", services.ROUND_END_NOT_ALLOWED)
    assert other.client("mallory").post(round_url(setup.room, end=True)).status_code == 403
    assert written() == before
    assert VotingRound.objects.get().status == "open"


@pytest.mark.django_db
def test_the_starter_ends_their_round_over_an_empty_queue_without_a_pick(trio):
    setup, _ = trio
    start(setup.client("bob"), setup.room)
    seq = seq_now(setup.room)
    response = setup.client("bob").post(round_url(setup.room, end=True))
    assert response.status_code == 200
    body = response.json()
    outcome = ("closed", services.EMPTY_QUEUE_OUTCOME, None)
    assert pick(body, "status", "outcome", "selection_id") == outcome
    [event] = events_since(setup.room, seq)
    assert (event.type, event.payload["selection"]) == ("voting_round_end", None)
    assert not Selection.objects.exists()
    again = setup.client("bob").post(round_url(setup.room, end=True))
    assert (again.status_code, again.json()["error"]) == (409, "no_round")


@pytest.mark.django_db(transaction=True)
def test_a_round_past_its_deadline_closes_exactly_once_however_many_notice_it():
    setup = make_room("alice", "bob")
    setup.add_item("Alien")
    setup.add_item("Brazil")
    voting_round = services.round_start(room=setup.room, by=setup.members["alice"])
    VotingRound.objects.filter(pk=voting_round.pk).update(
        ends_at=timezone.now() - timedelta(seconds=5)
    )
    seq = seq_now(setup.room)

    def notice(i: int):
        if i % 2:
            response = client_for(setup.tokens["bob"]).get(round_url(setup.room))
            return response.status_code, response.json()
        return services.rounds_close_due(Room.objects.get(pk=setup.room.pk))

    answers = race(8, notice)
    selection = Selection.objects.get(round_id=voting_round.pk)
    closed_by_service = [a for a in answers if isinstance(a, int)]
    assert sum(closed_by_service) <= 1
    for code, body in (a for a in answers if isinstance(a, tuple)):
        assert code == 200
        closed = (voting_round.pk, "closed", selection.pk)
        assert pick(body, "id", "status", "selection_id") == closed
    voting_round.refresh_from_db()
    assert (voting_round.status, voting_round.closed_at is not None) == ("closed", True)
    events = events_since(setup.room, seq)
    assert [e.type for e in events] == ["selection", "voting_round_end"]
    assert events[1].payload["selection"]["id"] == selection.pk
