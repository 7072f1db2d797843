"""The room's TV: a read-only screen token had for the join code, and the snapshot and presence
reads every client (a TV included) starts from."""

import pytest

from realtime import presence
from rooms.models import Member
from rooms.ratelimit import TOO_MANY_FAILURES
from rooms.services import room_delete
from rooms.tokens import Screen, reader_from_token
from selection.services import selection_make
from tests.events import recorded
from tests.factories import client_for, make_room, screen_token_for, seq_now
from voting.services import round_start, vote_cast


@pytest.fixture
def room(db):
    return make_room("alice", "bob")


def open_screen(code: str):
    return client_for(None).post(f"/api/rooms/{code}/screen")


# A screen


def test_the_join_code_opens_a_screen_whatever_its_case_and_spacing(room):
    code = room.room.code
    response = open_screen(f"{code[:3].lower()} {code[3:]}")
    assert response.status_code == 200
    body = response.json()
    assert body["room"]["id"] == room.room.pk
    assert reader_from_token(body["token"]) == Screen(
        room_id=room.room.pk, screen_id=body["screen"]["id"]
    )


def test_a_screen_is_not_a_member_and_records_nothing(room):
    with recorded(room.room) as events:
        open_screen(room.room.code)
    assert Member.objects.filter(room=room.room).count() == 2
    assert events == []


def test_an_unknown_code_is_a_404_and_counts_as_a_failed_attempt(db, settings):
    settings.JOIN_FAILURE_RATE = (2, 86400)
    assert open_screen("ZZZZZZ").status_code == 404
    assert open_screen("ZZZZZZ").status_code == 404
    limited = open_screen("ZZZZZZ")
    assert limited.status_code == 429
    assert limited.json() == {"error": "rate_limited", "detail": TOO_MANY_FAILURES}


def test_a_screen_token_dies_with_its_room(room):
    token = screen_token_for(room.room)
    room_delete(room=room.room, by=None)
    assert reader_from_token(token) is None


def test_a_screen_token_is_no_member_token(room):
    token = screen_token_for(room.room)
    response = client_for(token).post(
        "/api/votes", {"item_id": room.add_item("Heat").pk, "vote": "up"}, format="json"
    )
    assert response.status_code == 403
    joined = client_for(token).post(
        f"/api/rooms/{room.room.code}/join", {"name": "TV"}, format="json"
    )
    assert joined.json()["member"]["user_id"] == "tv"


# The snapshot


def test_the_snapshot_holds_everything_a_client_shows_at_the_rooms_event_number(room):
    alice, bob = room.members["alice"], room.members["bob"]
    heat, alien = room.add_item("Heat"), room.add_item("Alien", by="bob")
    vote_cast(item_id=alien.pk, by=alice, value="up")
    vote_cast(item_id=heat.pk, by=bob, value="down")
    selection = selection_make(room=room.room, by=alice, mode="highest_votes")
    voting_round = round_start(room=room.room, by=bob)
    presence.presence_enter(bob)

    body = room.client("alice").get(f"/api/rooms/{room.room.pk}/snapshot").json()

    assert body["seq"] == seq_now(room.room)
    assert body["room"]["name"] == "Friday Night Movies"
    assert [item["title"] for item in body["queue"]] == ["Alien", "Heat"]
    assert sorted((v["item_id"], v["user_id"], v["vote"]) for v in body["votes"]) == sorted(
        [(alien.pk, "alice", "up"), (heat.pk, "bob", "down")]
    )
    assert (body["selection"]["id"], body["selection"]["item_title"]) == (selection.pk, "Alien")
    assert (body["round"]["id"], body["round"]["status"]) == (voting_round.pk, "open")
    assert [user["user_id"] for user in body["presence"]] == ["bob"]
    assert body["you"]["user_id"] == "alice"
    assert body["server_time"]


def test_a_screens_snapshot_has_no_you(room):
    body = client_for(screen_token_for(room.room)).get(f"/api/rooms/{room.room.pk}/snapshot").json()
    assert body["you"] is None
    assert (body["queue"], body["votes"], body["round"], body["selection"]) == ([], [], None, None)


def test_the_snapshot_leaves_out_what_was_watched(room):
    heat = room.add_item("Heat")
    vote_cast(item_id=heat.pk, by=room.members["bob"], value="up")
    room.client("alice").post(f"/api/queue/{heat.pk}/watched")
    body = room.client("bob").get(f"/api/rooms/{room.room.pk}/snapshot").json()
    assert (body["queue"], body["votes"]) == ([], [])


def test_presence_lists_who_has_a_live_connection(room):
    presence.presence_enter(room.members["bob"])
    body = room.client("alice").get(f"/api/rooms/{room.room.pk}/presence").json()
    assert body == {"users": [{"user_id": "bob", "name": "Bob", "avatar": ""}]}
