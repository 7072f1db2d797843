"""Managing a room through the REST API: settings, closing, deleting, listing and removing
members. Creating, looking up and joining rooms are in test_rooms.py."""

import pytest
from rest_framework.test import APIClient

from history.models import Rating, WatchEntry
from history.services import history_mark_watched, rating_set
from queues.models import QueueItem
from rooms.auth import INVALID_TOKEN
from rooms.models import Member, Room
from rooms.services import (
    HOST_CANNOT_LEAVE,
    REMOVE_OTHERS_HOST_ONLY,
    ROOM_CLOSED,
    USER_ID_DEPARTED,
    member_remove,
    room_close,
    room_create,
)
from rooms.tokens import member_from_token
from selection.models import Selection
from selection.services import selection_make
from tests.events import recorded
from tests.factories import client_for, make_room
from voting.models import Vote, VotingRound
from voting.services import round_start
from watchqueue_site.models import RoomEvent


def join(code: str, user_id: str, token: str | None = None):
    body = {"user_id": user_id, "name": user_id.title()}
    return client_for(token).post(f"/api/rooms/{code}/join", body, format="json")


def members_of(setup) -> list[dict]:
    """The room's members as its host reads them."""
    return setup.client(setup.host.user_id).get(f"/api/rooms/{setup.room.pk}").json()["members"]


def rows() -> tuple[int, ...]:
    """What a refused write must leave as it was."""
    return tuple(m.objects.count() for m in (Room, Member, QueueItem, Vote, RoomEvent))


# Settings, closing and deleting


@pytest.mark.django_db
def test_the_host_changes_the_name_and_some_settings_and_keeps_the_others():
    setup = make_room("alice", "bob")
    body = {"name": "Saturday", "settings": {"selection_mode": "highest_votes"}}

    with recorded(setup.room) as events:
        response = setup.client("alice").patch(f"/api/rooms/{setup.room.pk}", body, format="json")

    assert response.status_code == 200
    assert response.json()["name"] == "Saturday"
    assert response.json()["settings"] == {
        "voting_duration_seconds": 60,
        "selection_mode": "highest_votes",
        "allow_revotes": True,
        "seen_share_percent": 50,
        "vetoes_per_evening": 1,
        "vetoes_public": True,
        "consensus_share_percent": 50,
        "fair_boost": False,
    }
    setup.room.refresh_from_db()
    assert (setup.room.name, setup.room.selection_mode) == ("Saturday", "highest_votes")
    # The room as it was serialized just before its counter moved for this very event.
    room = {**response.json(), "event_seq": response.json()["event_seq"] - 1}
    assert events == [{"type": "room_update", "room": room}]
    assert events[0]["room"]["name"] == "Saturday"


@pytest.mark.django_db
def test_a_member_cannot_change_the_room_and_an_outsider_cannot_even_see_it(trio):
    setup, other = trio
    url = f"/api/rooms/{setup.room.pk}"
    before = rows()

    as_member = setup.client("bob").patch(url, {"name": "Mine now"}, format="json")
    as_outsider = other.client("mallory").patch(url, {"name": "Mine now"}, format="json")

    assert (as_member.status_code, as_member.json()["error"]) == (403, "forbidden")
    assert (as_outsider.status_code, as_outsider.json()["error"]) == (403, "forbidden")
    assert rows() == before
    setup.room.refresh_from_db()
    assert setup.room.name == "Friday Night Movies"


@pytest.mark.django_db
def test_closing_a_room_again_records_nothing():
    setup = make_room("alice", "bob")
    room_close(room=setup.room, by=setup.host)
    before = rows()

    with recorded(setup.room) as events:
        response = setup.client("alice").patch(
            f"/api/rooms/{setup.room.pk}", {"status": "closed"}, format="json"
        )

    assert (response.status_code, response.json()["status"]) == (200, "closed")
    assert events == []
    assert rows() == before


@pytest.mark.django_db
def test_a_closed_room_refuses_new_items():
    setup = make_room("alice", "bob")
    alice = setup.client("alice")

    closed = alice.patch(f"/api/rooms/{setup.room.pk}", {"status": "closed"}, format="json")
    before = rows()
    add = alice.post("/api/queue", {"room_id": setup.room.pk, "title": "Heat"}, format="json")

    assert (closed.status_code, closed.json()["status"]) == (200, "closed")
    assert add.status_code == 409
    assert add.json() == {"error": "room_closed", "detail": ROOM_CLOSED}
    assert rows() == before


@pytest.mark.django_db
def test_the_host_deletes_the_room_and_everything_in_it():
    setup = make_room("alice", "bob")
    alice = setup.members["alice"]
    item = setup.add_item("Heat")
    vote = setup.client("bob").post("/api/votes", {"item_id": item.pk, "vote": "up"}, format="json")
    assert vote.status_code == 200
    selection_make(room=setup.room, by=alice)
    entry = history_mark_watched(item=item, by=alice)
    rating_set(entry=entry, by=alice, user_id="alice", rating=5)
    round_start(room=setup.room, by=alice)
    setup.add_item("Alien")
    untouched = make_room("mallory", name="Another room")
    untouched.add_item("Heat")
    everything = (Room, Member, QueueItem, Vote, Selection, WatchEntry, Rating, VotingRound)

    with recorded(setup.room) as events:
        response = setup.client("alice").delete(f"/api/rooms/{setup.room.pk}")

    assert response.status_code == 204
    assert [m.objects.count() for m in everything] == [1, 1, 1, 0, 0, 0, 0, 0]
    assert Room.objects.get().pk == untouched.room.pk
    # Only the event that says so outlives the room (its room_id is the message's own).
    assert events == [{"type": "room_deleted"}]
    assert RoomEvent.objects.filter(room_id=setup.room.pk).last().type == "room_deleted"
    assert setup.client("alice").get(f"/api/rooms/{setup.room.pk}").status_code == 401


# Members


@pytest.mark.django_db
def test_a_listed_member_can_then_join_by_their_user_id():
    setup = make_room("alice")
    body = {"user_id": "carol", "name": "Carol", "avatar": "🐼"}

    with recorded(setup.room) as listing:
        listed = setup.client("alice").post(
            f"/api/rooms/{setup.room.pk}/members", body, format="json"
        )
    with recorded(setup.room) as joining:
        joined = join(setup.room.code, "carol")

    assert (listed.status_code, listed.json()["claimed"]) == (201, False)
    assert (joined.status_code, joined.json()["member"]["claimed"]) == (200, True)
    assert Member.objects.filter(room=setup.room, user_id="carol").count() == 1
    [alice] = joined.json()["room"]["members"][:1]
    assert listing == [
        {
            "type": "member_update",
            "action": "added",
            "member": listed.json(),
            "members": [alice, listed.json()],
        }
    ]
    assert joining == [
        {
            "type": "member_update",
            "action": "joined",
            "member": joined.json()["member"],
            "members": joined.json()["room"]["members"],
        }
    ]


@pytest.mark.django_db
def test_listing_a_user_id_already_in_the_room_is_refused_and_records_nothing():
    setup = make_room("alice", "bob")
    before = rows()

    response = setup.client("alice").post(
        f"/api/rooms/{setup.room.pk}/members", {"user_id": "bob", "name": "Bob"}, format="json"
    )

    assert (response.status_code, response.json()["error"]) == (409, "user_id_taken")
    assert rows() == before


@pytest.mark.django_db
def test_the_host_removes_bob_whose_token_dies_and_whose_votes_are_withdrawn():
    setup = make_room("alice", "bob")
    item = setup.add_item("Heat")
    for user_id in ("alice", "bob"):
        vote = {"item_id": item.pk, "vote": "up"}
        assert setup.client(user_id).post("/api/votes", vote, format="json").status_code == 200
    assert QueueItem.objects.get(pk=item.pk).upvotes == 2
    alice, bob = members_of(setup)

    with recorded(setup.room) as events:
        response = setup.client("alice").delete(f"/api/rooms/{setup.room.pk}/members/bob")

    assert response.status_code == 204
    stale = setup.client("bob").get(f"/api/rooms/{setup.room.pk}")
    assert stale.status_code == 401
    assert stale.json() == {"error": "invalid_token", "detail": INVALID_TOKEN}
    assert list(Vote.objects.values_list("user_id", flat=True)) == ["alice"]
    item.refresh_from_db()
    assert (item.upvotes, item.downvotes, item.vote_score) == (1, 0, 1)
    # His vote is withdrawn first, so the counts others see stay true; then he goes.
    assert events == [
        {
            "type": "vote_update",
            "user_id": "bob",
            "vote": None,
            "item_id": item.pk,
            "upvotes": 1,
            "downvotes": 0,
            "vote_score": 1,
        },
        {"type": "member_update", "action": "removed", "member": bob, "members": [alice]},
    ]


@pytest.mark.django_db
def test_bob_may_remove_himself():
    setup = make_room("alice", "bob")
    alice, bob = members_of(setup)

    with recorded(setup.room) as events:
        response = setup.client("bob").delete(f"/api/rooms/{setup.room.pk}/members/bob")

    assert response.status_code == 204
    assert list(Member.objects.values_list("user_id", flat=True)) == ["alice"]
    assert events == [
        {"type": "member_update", "action": "removed", "member": bob, "members": [alice]}
    ]


@pytest.mark.django_db
def test_a_moderator_removing_the_host_hands_the_room_to_the_longest_standing_member():
    setup = make_room("alice", "bob", "carol")
    alice, bob, carol = members_of(setup)

    with recorded(setup.room) as events:
        member_remove(room=setup.room, by=None, user_id="alice")

    assert Member.objects.get(is_host=True).user_id == "bob"
    assert events == [
        {
            "type": "member_update",
            "action": "removed",
            "member": alice,
            "members": [{**bob, "is_host": True}, carol],
        }
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("actor", "status", "error", "detail"),
    [
        ("bob", 403, "forbidden", REMOVE_OTHERS_HOST_ONLY),
        ("alice", 409, "host_cannot_leave", HOST_CANNOT_LEAVE),
    ],
    ids=["bob_cannot_remove_alice", "the_host_cannot_remove_herself"],
)
def test_nobody_removes_the_host(actor, status, error, detail):
    setup = make_room("alice", "bob")
    before = rows()

    response = setup.client(actor).delete(f"/api/rooms/{setup.room.pk}/members/alice")

    assert response.status_code == status
    assert response.json() == {"error": error, "detail": detail}
    assert rows() == before


@pytest.mark.django_db
def test_a_removed_members_user_id_is_given_to_no_one_and_their_old_token_stays_dead():
    """bob's browser still sends his old token when he joins again; it is ignored, not a 401.
    His user_id stays his: listing it again or joining as it is refused, and joining by name
    gives a new identity."""
    setup = make_room("alice", "bob")
    old_token = setup.tokens["bob"]
    url = f"/api/rooms/{setup.room.pk}"
    assert setup.client("alice").delete(f"{url}/members/bob").status_code == 204
    before = rows()

    relisted = setup.client("alice").post(
        f"{url}/members", {"user_id": "bob", "name": "Bob"}, format="json"
    )
    rejoined = join(setup.room.code, "bob", token=old_token)

    assert (relisted.status_code, relisted.json()) == (
        409,
        {"error": "user_id_taken", "detail": USER_ID_DEPARTED},
    )
    assert (rejoined.status_code, rejoined.json()["detail"]) == (409, USER_ID_DEPARTED)
    assert rows() == before
    fresh = client_for(old_token).post(
        f"/api/rooms/{setup.room.code}/join", {"name": "Bob"}, format="json"
    )
    assert fresh.status_code == 200
    assert fresh.json()["member"]["user_id"].startswith("bob-")
    assert client_for(fresh.json()["token"]).get(url).status_code == 200
    assert client_for(old_token).get(url).status_code == 401
    assert member_from_token(old_token) is None


@pytest.mark.django_db
def test_claiming_a_listed_place_without_an_avatar_keeps_the_listed_one():
    room, _, _ = room_create(
        name="Friday",
        members=[
            {"user_id": "alice", "name": "Alice"},
            {"user_id": "bob", "name": "Bob", "avatar": "🐻"},
        ],
    )
    response = APIClient().post(
        f"/api/rooms/{room.code}/join", {"user_id": "bob", "name": "Bobby"}, format="json"
    )
    assert response.status_code == 200
    member = response.json()["member"]
    assert (member["name"], member["avatar"]) == ("Bobby", "🐻")
