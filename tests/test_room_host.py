"""Handing a room over: `POST /api/rooms/{room_id}/host`. The host makes a present member who
has joined the host; the former host is then a member like the others, and may leave."""

import pytest

from queues.models import QueueItem
from rooms.auth import OTHER_ROOM, TOKEN_REQUIRED
from rooms.models import Member, Room
from rooms.services import (
    HAND_OVER_NOT_JOINED,
    HAND_OVER_TO_SELF,
    HOST_CANNOT_LEAVE,
    HOST_ONLY,
    MEMBER_NOT_FOUND,
    member_add,
    room_hand_over,
)
from tests.events import recorded
from tests.factories import client_for, make_room, race
from voting.models import Vote
from watchqueue_site.errors import Forbidden
from watchqueue_site.models import RoomEvent


def hand_over(setup, actor: str, user_id: str):
    return setup.client(actor).post(
        f"/api/rooms/{setup.room.pk}/host", {"user_id": user_id}, format="json"
    )


def hosts(setup) -> list[str]:
    return list(
        Member.objects.filter(room=setup.room, is_host=True).values_list("user_id", flat=True)
    )


def rows() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (Room, Member, QueueItem, Vote, RoomEvent))


@pytest.mark.django_db
def test_the_host_hands_the_room_to_a_member_and_everyone_is_told():
    setup = make_room("alice", "bob", "carol")

    with recorded(setup.room) as events:
        response = hand_over(setup, "alice", "bob")

    assert response.status_code == 200
    assert response.json()["host"] == "bob"
    assert hosts(setup) == ["bob"]
    members = {m["user_id"]: m for m in response.json()["members"]}
    assert [m["is_host"] for m in members.values()] == [False, True, False]
    assert events == [
        {
            "type": "member_update",
            "action": "host_changed",
            "member": members["bob"],
            "members": list(members.values()),
        }
    ]


@pytest.mark.django_db
def test_after_handing_over_the_former_host_can_leave_and_the_new_host_rules():
    setup = make_room("alice", "bob")
    url = f"/api/rooms/{setup.room.pk}"
    assert hand_over(setup, "alice", "bob").status_code == 200

    settings = setup.client("alice").patch(url, {"name": "Mine"}, format="json")
    left = setup.client("alice").delete(f"{url}/members/alice")

    assert (settings.status_code, settings.json()["detail"]) == (403, HOST_ONLY)
    assert left.status_code == 204
    assert setup.client("bob").patch(url, {"name": "Bob's"}, format="json").status_code == 200
    assert [m.user_id for m in Member.objects.filter(room=setup.room)] == ["bob"]


@pytest.mark.django_db
def test_a_host_who_has_not_handed_over_still_cannot_leave():
    setup = make_room("alice", "bob")
    before = rows()

    response = setup.client("alice").delete(f"/api/rooms/{setup.room.pk}/members/alice")

    assert response.json() == {"error": "host_cannot_leave", "detail": HOST_CANNOT_LEAVE}
    assert "hand it over" in HOST_CANNOT_LEAVE
    assert rows() == before


# Who may, to whom: the owner / member / outsider trio, then the refusals


@pytest.mark.django_db
def test_anonymous_requests_are_asked_for_a_token(trio):
    setup, _ = trio
    before = rows()

    response = client_for(None).post(
        f"/api/rooms/{setup.room.pk}/host", {"user_id": "bob"}, format="json"
    )

    assert (response.status_code, response.json()["detail"]) == (401, TOKEN_REQUIRED)
    assert rows() == before


@pytest.mark.django_db
def test_a_member_who_is_not_the_host_cannot_hand_the_room_over(trio):
    setup, _ = trio
    before = rows()

    response = hand_over(setup, "bob", "bob")

    assert response.json() == {"error": "forbidden", "detail": HOST_ONLY}
    assert hosts(setup) == ["alice"]
    assert rows() == before


@pytest.mark.django_db
def test_the_host_of_another_room_cannot_hand_this_one_over(trio):
    setup, other = trio
    before = rows()

    response = other.client("mallory").post(
        f"/api/rooms/{setup.room.pk}/host", {"user_id": "mallory"}, format="json"
    )

    assert response.json() == {"error": "forbidden", "detail": OTHER_ROOM}
    assert hosts(setup) == ["alice"]
    assert rows() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("user_id", "status", "body"),
    [
        ("alice", 409, {"error": "already_host", "detail": HAND_OVER_TO_SELF}),
        (
            "carol",
            409,
            {"error": "not_joined", "detail": HAND_OVER_NOT_JOINED.format(name="Carol")},
        ),
        ("zed", 404, {"error": "not_found", "detail": MEMBER_NOT_FOUND}),
    ],
    ids=["to_herself", "to_a_listed_place_nobody_claimed", "to_no_one"],
)
def test_the_room_goes_only_to_someone_who_is_in_it(user_id, status, body):
    setup = make_room("alice", "bob")
    member_add(room=setup.room, by=setup.members["alice"], name="Carol", user_id="carol")
    before = rows()

    response = hand_over(setup, "alice", user_id)

    assert (response.status_code, response.json()) == (status, body)
    assert hosts(setup) == ["alice"]
    assert rows() == before


@pytest.mark.django_db
def test_a_member_who_left_cannot_be_handed_the_room():
    setup = make_room("alice", "bob")
    assert setup.client("bob").delete(f"/api/rooms/{setup.room.pk}/members/bob").status_code == 204
    before = rows()

    response = hand_over(setup, "alice", "bob")

    assert (response.status_code, response.json()["detail"]) == (404, MEMBER_NOT_FOUND)
    assert rows() == before


@pytest.mark.django_db
@pytest.mark.parametrize("body", [{}, {"user_id": 7}, {"user_id": "bob", "extra": 1}, []])
def test_a_malformed_body_is_a_400_that_changes_nothing(body):
    setup = make_room("alice", "bob")
    before = rows()

    response = setup.client("alice").post(f"/api/rooms/{setup.room.pk}/host", body, format="json")

    assert response.status_code == 400
    assert rows() == before


@pytest.mark.django_db(transaction=True)
def test_two_hand_overs_sent_at_once_leave_exactly_one_host():
    setup = make_room("alice", "bob", "carol")

    def give(i: int) -> str:
        room = Room.objects.get(pk=setup.room.pk)
        alice = Member.objects.get(pk=setup.members["alice"].pk)
        return room_hand_over(room=room, by=alice, user_id=("bob", "carol")[i]).user_id

    results = race(2, give)

    winners = [value for kind, value in results if kind == "ok"]
    losers = [value for kind, value in results if kind == "error"]
    assert len(winners) == 1
    assert [type(error) for error in losers] == [Forbidden]
    assert hosts(setup) == winners
