"""Rooms through the REST API: creating, looking up and joining. Managing a room (settings,
deleting, members) is in test_room_members.py."""

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from queues.models import QueueItem
from rooms import services
from rooms.models import CODE_ALPHABET, CODE_LENGTH, Member, Room
from rooms.ratelimit import TOO_MANY_FAILURES
from rooms.services import (
    CODE_NOT_FOUND,
    ROOM_CLOSED,
    USER_ID_TAKEN,
    room_close,
    room_create,
)
from rooms.tokens import member_from_token
from tests.events import recorded, room_events
from tests.factories import client_for, make_room
from voting.models import Vote
from watchqueue_site.models import RoomEvent

SEED_PAYLOAD = {
    "name": "Friday Night Movies",
    "members": [
        {"user_id": "alice", "name": "Alice", "avatar": "🦊"},
        {"user_id": "bob", "name": "Bob", "avatar": "🐻"},
    ],
    "settings": {
        "voting_duration_seconds": 60,
        "selection_mode": "weighted_random",
        "allow_revotes": True,
    },
}


# The settings of tonight's pick, as a room gets them when its creator names none.
TONIGHT_DEFAULTS = {
    "seen_share_percent": 50,
    "vetoes_per_evening": 1,
    "vetoes_public": True,
    "consensus_share_percent": 50,
    "fair_boost": False,
}


def create(payload: dict) -> dict:
    response = APIClient().post("/api/rooms", payload, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def seed_room():
    """The seed's room made through the API: alice hosts, bob is listed but has not joined."""
    body = create(SEED_PAYLOAD)
    return Room.objects.get(pk=body["room"]["id"]), body["token"]


def join(code: str, address: str = "127.0.0.1", token: str | None = None, **body):
    body.setdefault("name", body.get("user_id", "Guest").title())
    return client_for(token).post(
        f"/api/rooms/{code}/join", body, format="json", REMOTE_ADDR=address
    )


def members_by_id(body: dict) -> dict[str, dict]:
    return {m["user_id"]: m for m in body["members"]}


def rows() -> tuple[int, ...]:
    """What a refused write must leave as it was."""
    return tuple(m.objects.count() for m in (Room, Member, QueueItem, Vote, RoomEvent))


def fields(data: dict, *names: str) -> tuple:
    return tuple(data[name] for name in names)


# Creating


@pytest.mark.django_db
def test_creating_the_seed_room_makes_alice_the_claimed_host_and_lists_bob():
    body = create(SEED_PAYLOAD)

    assert set(body) == {"room", "member", "token"}
    assert fields(body["member"], "user_id", "is_host", "claimed") == ("alice", True, True)
    room = body["room"]
    assert fields(room, "name", "host", "status") == ("Friday Night Movies", "alice", "open")
    assert room["settings"] == {**SEED_PAYLOAD["settings"], **TONIGHT_DEFAULTS}
    members = members_by_id(room)
    assert list(members) == ["alice", "bob"]
    assert fields(members["bob"], "avatar", "is_host", "claimed") == ("🐻", False, False)
    assert member_from_token(body["token"]).user_id == "alice"


@pytest.mark.django_db
def test_creating_a_room_records_no_event():
    body = create(SEED_PAYLOAD)

    room = Room.objects.get(pk=body["room"]["id"])
    assert (room.event_seq, body["room"]["event_seq"]) == (0, 0)
    assert room_events(room) == []


@pytest.mark.django_db
def test_a_room_created_without_settings_gets_the_defaults():
    body = create({"name": "Quiet night", "members": [{"user_id": "alice", "name": "Alice"}]})

    assert body["room"]["settings"] == {
        "voting_duration_seconds": 60,
        "selection_mode": "weighted_random",
        "allow_revotes": True,
        **TONIGHT_DEFAULTS,
    }


@pytest.mark.django_db
def test_join_codes_have_six_unambiguous_characters_and_never_repeat():
    codes = [make_room("alice", name=f"Room {n}").room.code for n in range(150)]

    assert len(set(codes)) == len(codes)
    for code in codes:
        assert len(code) == CODE_LENGTH == 6
        assert set(code) <= set(CODE_ALPHABET)
    assert not set("0O1IL") & set(CODE_ALPHABET)


@pytest.mark.django_db
def test_a_join_code_clash_draws_another_code(monkeypatch):
    taken = make_room("alice").room.code
    monkeypatch.setattr(services, "_new_code", iter([taken, "XYZ234"]).__next__)

    room, _, _ = room_create(name="Second", members=[{"user_id": "bob", "name": "Bob"}])

    assert room.code == "XYZ234"
    assert Room.objects.filter(code=taken).count() == 1


@pytest.mark.django_db
def test_a_member_without_user_id_gets_one_made_from_the_name():
    body = create(
        {"name": "R", "members": [{"name": "Alice Smith"}, {"name": "Sam"}, {"name": "Sam!"}]}
    )

    ids = list(members_by_id(body["room"]))
    assert body["member"]["user_id"] == ids[0] == "alice-smith"
    assert ids[1] == "sam"
    assert ids[2].startswith("sam-")


@pytest.mark.django_db
def test_a_name_made_id_never_takes_an_explicit_id_listed_later():
    body = create({"name": "R", "members": [{"name": "Bob"}, {"user_id": "bob", "name": "X"}]})

    ids = [m["user_id"] for m in body["room"]["members"]]
    assert ids[1] == "bob"
    assert ids[0] != "bob"
    assert ids[0].startswith("bob-")


@pytest.mark.django_db
def test_duplicate_user_ids_in_members_are_refused():
    payload = {**SEED_PAYLOAD, "members": [SEED_PAYLOAD["members"][0]] * 2}

    response = APIClient().post("/api/rooms", payload, format="json")

    assert response.status_code == 400
    assert response.json()["error"] == "invalid"
    assert "members" in response.json()["fields"]
    assert rows() == (0, 0, 0, 0, 0)


# Reading


@pytest.mark.django_db
def test_reading_a_room_by_id_needs_a_member_token():
    room, token = seed_room()

    anonymous = APIClient().get(f"/api/rooms/{room.pk}")
    member = client_for(token).get(f"/api/rooms/{room.pk}")

    assert anonymous.status_code == 401
    assert anonymous.json()["error"] == "not_authenticated"
    assert member.status_code == 200
    assert member.json()["settings"]["selection_mode"] == "weighted_random"


@pytest.mark.django_db
def test_the_code_lookup_shows_who_is_in_the_room_but_no_settings_or_tokens():
    room, token = seed_room()

    response = APIClient().get(f"/api/rooms/code/{room.code}")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"id", "name", "code", "status", "members"}
    assert body["id"] == room.pk
    members = members_by_id(body)
    assert (members["alice"]["claimed"], members["bob"]["claimed"]) == (True, False)
    assert token not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("spelling", ["{}{}", "{}-{}", " {} {} "], ids=["plain", "dash", "spaces"])
def test_the_code_lookup_ignores_case_spaces_and_dashes(spelling):
    room, _ = seed_room()
    code = room.code.lower()

    response = APIClient().get(f"/api/rooms/code/{spelling.format(code[:3], code[3:])}")

    assert response.status_code == 200
    assert response.json()["id"] == room.pk


@pytest.mark.django_db
def test_creating_and_looking_up_ignore_a_stale_or_garbage_token():
    room, _ = seed_room()
    client = client_for("not-a-token")

    created = client.post("/api/rooms", SEED_PAYLOAD, format="json")
    looked_up = client.get(f"/api/rooms/code/{room.code}")

    assert created.status_code == 201
    assert looked_up.status_code == 200


# Joining


@pytest.mark.django_db
def test_joining_with_a_lower_case_code_adds_a_claimed_member():
    room, _ = seed_room()

    with recorded(room) as events:
        response = join(room.code.lower(), user_id="carol", name="Carol", avatar="🐼")

    assert response.status_code == 200
    body = response.json()
    assert (body["member"]["user_id"], body["member"]["claimed"]) == ("carol", True)
    assert member_from_token(body["token"]).user_id == "carol"
    assert Member.objects.get(room=room, user_id="carol").claimed
    assert list(members_by_id(body["room"])) == ["alice", "bob", "carol"]
    assert events == [
        {
            "type": "member_update",
            "action": "joined",
            "member": body["member"],
            "members": body["room"]["members"],
        }
    ]


@pytest.mark.django_db
def test_joining_as_a_listed_user_id_claims_that_place():
    room, _ = seed_room()

    with recorded(room) as events:
        response = join(room.code, user_id="bob", name="Bobby")

    assert response.status_code == 200
    body = response.json()
    assert body["member"]["claimed"] is True
    assert members_by_id(body["room"])["bob"]["name"] == "Bobby"
    assert Member.objects.filter(room=room).count() == 2
    assert Member.objects.get(room=room, user_id="bob").claimed
    assert events == [
        {
            "type": "member_update",
            "action": "joined",
            "member": body["member"],
            "members": body["room"]["members"],
        }
    ]


@pytest.mark.django_db
def test_joining_as_a_claimed_user_id_is_refused_and_writes_nothing():
    room, _ = seed_room()
    before = rows()

    response = join(room.code, user_id="alice", name="Not Alice")

    assert response.status_code == 409
    assert response.json() == {"error": "user_id_taken", "detail": USER_ID_TAKEN}
    assert rows() == before
    assert Member.objects.get(room=room, user_id="alice").name == "Alice"


@pytest.mark.django_db
def test_rejoining_with_ones_own_token_returns_the_same_member():
    room, token = seed_room()
    alice = Member.objects.get(room=room, user_id="alice")

    with recorded(room) as events:
        response = join(room.code, token=token, user_id="alice", name="Alice")

    assert response.status_code == 200
    body = response.json()
    assert fields(body["member"], "user_id", "is_host") == ("alice", True)
    assert member_from_token(body["token"]).pk == alice.pk
    assert member_from_token(token).pk == alice.pk
    assert Member.objects.filter(room=room).count() == 2
    assert events == [
        {
            "type": "member_update",
            "action": "rejoined",
            "member": body["member"],
            "members": body["room"]["members"],
        }
    ]


@pytest.mark.django_db
def test_joining_a_closed_room_is_refused():
    setup = make_room("alice")
    room_close(room=setup.room, by=setup.host)
    before = rows()

    response = join(setup.room.code, user_id="carol")

    assert response.status_code == 409
    assert response.json() == {"error": "room_closed", "detail": ROOM_CLOSED}
    assert rows() == before


@pytest.mark.django_db
def test_joining_with_an_unknown_code_is_not_found():
    make_room("alice")

    response = join("ZZZZZZ", user_id="carol")

    assert response.status_code == 404
    assert response.json() == {"error": "not_found", "detail": CODE_NOT_FOUND}
    assert not Member.objects.filter(user_id="carol").exists()


@pytest.mark.django_db
def test_joining_without_user_id_gets_a_fresh_one_that_claims_nobodys_place():
    room, _ = seed_room()

    as_alice = join(room.code, name="Alice!").json()["member"]["user_id"]
    as_bob = join(room.code, name="Bob!").json()["member"]["user_id"]

    assert as_alice.startswith("alice-")
    assert as_bob.startswith("bob-")
    assert not Member.objects.get(room=room, user_id="bob").claimed
    assert Member.objects.filter(room=room).count() == 4


@pytest.mark.django_db(transaction=True)
def test_two_people_claiming_one_listed_place_at_once_leave_one_winner():
    room, _ = seed_room()
    barrier = threading.Barrier(2)
    statuses = []

    def claim(name: str) -> None:
        try:
            barrier.wait(timeout=10)
            statuses.append(join(room.code, user_id="bob", name=name).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(n,)) for n in ("Bob one", "Bob two")]
    with recorded(room) as events:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)

    assert sorted(statuses) == [200, 409]
    bob = Member.objects.get(room=room, user_id="bob", claimed=True)
    assert Member.objects.filter(room=room).count() == 2
    [event] = events
    assert (event["type"], event["action"]) == ("member_update", "joined")
    assert (event["member"]["user_id"], event["member"]["name"]) == ("bob", bob.name)


# Rate limit on failed joins


@pytest.mark.django_db
def test_failed_joins_from_one_address_are_rate_limited_but_not_other_addresses(settings):
    settings.JOIN_FAILURE_RATE = (3, 86400)  # a day: no window ends mid-test
    room, _ = seed_room()
    for _ in range(3):
        assert join("WRONG2", "10.0.0.5", user_id="carol").status_code == 404

    limited = join(room.code, "10.0.0.5", user_id="carol")

    assert limited.status_code == 429
    assert limited.json() == {"error": "rate_limited", "detail": TOO_MANY_FAILURES}
    assert 1 <= int(limited["Retry-After"]) <= 86400
    assert not Member.objects.filter(user_id="carol").exists()
    assert join(room.code, "10.0.0.6", user_id="carol").status_code == 200


FAILURES = {
    "wrong_code_join": (lambda room: join("WRONG2", "10.0.0.5", user_id="carol"), 404),
    "taken_user_id": (lambda room: join(room.code, "10.0.0.5", user_id="alice"), 409),
    "wrong_code_lookup": (
        lambda room: APIClient().get("/api/rooms/code/WRONG2", REMOTE_ADDR="10.0.0.5"),
        404,
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize(("failure", "status"), FAILURES.values(), ids=FAILURES.keys())
def test_each_kind_of_failure_counts_towards_the_limit_of_joins_and_lookups(
    settings, failure, status
):
    settings.JOIN_FAILURE_RATE = (3, 86400)  # a day: no window ends mid-test
    room, _ = seed_room()
    for _ in range(3):
        assert failure(room).status_code == status

    lookup = APIClient().get(f"/api/rooms/code/{room.code}", REMOTE_ADDR="10.0.0.5")

    assert lookup.status_code == 429
    assert lookup.json()["error"] == "rate_limited"
    assert join(room.code, "10.0.0.5", user_id="carol").status_code == 429
