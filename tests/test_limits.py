"""Limits on creating and guessing: each a setting, each answered 429 with Retry-After (rates)
or 400/409 (caps) in JSON, and each refusal writes nothing."""

import pytest
from django.contrib.auth.models import User
from django.test import Client
from rest_framework.test import APIClient

from queues.models import QueueItem
from rooms.models import Member, Room, RoomScreen
from selection.models import Selection
from tests.events import recorded
from tests.factories import make_room
from voting.services import round_end_now, round_start
from watchqueue_site import ratelimit

ROOM = {"name": "Movie night", "members": [{"user_id": "ann", "name": "Ann"}]}


def create(address: str = "10.0.0.5", body: dict | None = None):
    return APIClient().post("/api/rooms", body or ROOM, format="json", REMOTE_ADDR=address)


def join(code: str, address: str, **body):
    body.setdefault("name", "Guest")
    return APIClient().post(f"/api/rooms/{code}/join", body, format="json", REMOTE_ADDR=address)


class Clock:
    """`time.time()` as the limiter sees it, moved by the test."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, now: float) -> None:
        self.now = now
        monkeypatch.setattr(ratelimit.time, "time", lambda: self.now)


# Guessing join codes


@pytest.mark.django_db
def test_40_wrong_codes_across_a_minute_boundary_are_stopped_at_the_limit(settings, monkeypatch):
    settings.JOIN_FAILURE_RATE = (20, 60)
    clock = Clock(monkeypatch, 1_800_000_059.0)  # a second before a minute's turn
    room = make_room("alice").room
    statuses = []
    for n in range(40):
        clock.now += 0.1  # 40 attempts in 4 s, across the boundary
        statuses.append(join("WRONG2", "10.0.0.5", user_id=f"guess{n}").status_code)

    assert statuses == [404] * 20 + [429] * 20
    refused = join(room.code, "10.0.0.5", user_id="carol")
    assert refused.status_code == 429
    # Allowed again once the first failure is a minute old, not at the minute's turn.
    assert int(refused["Retry-After"]) == 57
    clock.now += 57
    assert join(room.code, "10.0.0.5", user_id="carol").status_code == 200


@pytest.mark.django_db
def test_an_ipv6_neighbour_in_the_same_64_shares_the_budget_and_another_64_does_not(settings):
    settings.JOIN_FAILURE_RATE = (3, 3600)
    room = make_room("alice").room
    for n in range(3):
        assert join("WRONG2", f"2001:db8:0:7::{n + 1}").status_code == 404

    neighbour = join(room.code, "2001:db8:0:7:ffff:1:2:3", user_id="carol")
    other_network = join(room.code, "2001:db8:0:8::1", user_id="dave")

    assert neighbour.status_code == 429
    assert neighbour.json()["error"] == "rate_limited"
    assert other_network.status_code == 200
    assert not Member.objects.filter(user_id="carol").exists()


def test_addresses_are_keyed_by_ipv4_address_and_ipv6_64():
    assert ratelimit.address_key("192.0.2.7") == "192.0.2.7"
    assert ratelimit.address_key("2001:db8::1") == "2001:db8::/64"
    assert ratelimit.address_key("2001:DB8:0:0:ffff::9") == "2001:db8::/64"
    assert ratelimit.address_key("::ffff:192.0.2.7") == "192.0.2.7"
    assert ratelimit.address_key("unknown") == "unknown"


@pytest.mark.django_db
def test_the_join_page_and_the_screen_share_the_join_limit(settings):
    settings.JOIN_FAILURE_RATE = (2, 3600)
    room = make_room("alice").room
    screen = APIClient().post("/api/rooms/WRONG2/screen", REMOTE_ADDR="10.0.0.9")
    assert screen.status_code == 404
    assert join("WRONG2", "10.0.0.9").status_code == 404

    assert (
        APIClient().post(f"/api/rooms/{room.code}/screen", REMOTE_ADDR="10.0.0.9").status_code
        == 429
    )
    assert Client().get(f"/join/{room.code}", REMOTE_ADDR="10.0.0.9").status_code == 429


# Creating rooms


@pytest.mark.django_db
def test_room_creation_is_limited_per_address_with_retry_after(settings):
    settings.ROOM_CREATE_RATE = (3, 3600)
    assert [create().status_code for _ in range(3)] == [201, 201, 201]

    refused = create()

    assert refused.status_code == 429
    assert refused.json() == {
        "error": "rate_limited",
        "detail": "Too many rooms created from your address. Try again later.",
    }
    assert 3500 < int(refused["Retry-After"]) <= 3600
    assert Room.objects.count() == 3
    assert create("10.0.0.6").status_code == 201


@pytest.mark.django_db
def test_an_invalid_room_costs_nothing_from_the_creation_budget(settings):
    settings.ROOM_CREATE_RATE = (1, 3600)
    assert create(body={"name": ""}).status_code == 400
    assert create().status_code == 201


# Members per room: the same cap on every path


@pytest.mark.django_db
def test_a_room_cannot_be_created_with_more_members_than_the_cap(settings):
    settings.ROOM_MEMBERS_MAX = 3
    members = [{"user_id": f"m{n}", "name": f"M{n}"} for n in range(4)]

    refused = create(body={"name": "Crowd", "members": members})

    assert refused.status_code == 400
    assert refused.json()["fields"]["members"] == [
        "This room has its most members (3); nobody else can join or be listed."
    ]
    assert not Room.objects.exists()


@pytest.mark.django_db
def test_listing_a_member_past_the_cap_is_refused_with_409_and_records_nothing(settings):
    settings.ROOM_MEMBERS_MAX = 3
    setup = make_room("alice", "bob", "carol")

    with recorded(setup.room) as events:
        refused = setup.client("alice").post(
            f"/api/rooms/{setup.room.pk}/members", {"name": "Dave"}, format="json"
        )

    assert refused.status_code == 409
    assert refused.json()["error"] == "room_full"
    assert events == []
    assert Member.objects.filter(room=setup.room).count() == 3


@pytest.mark.django_db
def test_screens_past_the_cap_are_refused_until_the_host_revokes_one(settings):
    settings.ROOM_SCREENS_MAX = 2
    setup = make_room("alice", "bob")
    code = setup.room.code

    def open_screen():
        return APIClient().post(f"/api/rooms/{code}/screen", {"label": "TV"}, format="json")

    first, second = open_screen(), open_screen()
    assert (first.status_code, second.status_code) == (200, 200)
    refused = open_screen()
    assert refused.status_code == 409
    assert refused.json()["error"] == "screens_full"
    assert RoomScreen.objects.filter(room=setup.room).count() == 2

    screen_id = first.json()["screen"]["id"]
    revoked = setup.client("alice").delete(f"/api/rooms/{setup.room.pk}/screens/{screen_id}")
    assert revoked.status_code == 204
    assert open_screen().status_code == 200


@pytest.mark.django_db
def test_joining_past_the_cap_is_refused_but_a_listed_place_can_still_be_claimed(settings):
    settings.ROOM_MEMBERS_MAX = 2
    setup = make_room("alice")
    setup.client("alice").post(
        f"/api/rooms/{setup.room.pk}/members", {"user_id": "bob", "name": "Bob"}, format="json"
    )

    with recorded(setup.room) as events:
        refused = join(setup.room.code, "10.0.0.5", user_id="carol", name="Carol")

    assert refused.status_code == 409
    assert refused.json()["error"] == "room_full"
    assert events == []
    assert join(setup.room.code, "10.0.0.5", user_id="bob", name="Bob").status_code == 200


# Items per room


@pytest.mark.django_db
def test_adding_past_the_open_items_cap_is_refused_until_one_is_watched(settings):
    settings.ROOM_ITEMS_MAX = 2
    setup = make_room("alice", "bob")
    first = setup.add_item("Heat")
    setup.add_item("Alien")
    bob = setup.client("bob")

    with recorded(setup.room) as events:
        refused = bob.post("/api/queue", {"room_id": setup.room.pk, "title": "Ran"}, format="json")

    assert refused.status_code == 409
    assert refused.json() == {
        "error": "queue_full",
        "detail": "The room's queue has its most items (2); remove or watch some first.",
    }
    assert events == []
    assert QueueItem.objects.filter(room=setup.room).count() == 2
    assert setup.client("alice").post(f"/api/queue/{first.pk}/watched").status_code == 201
    added = bob.post("/api/queue", {"room_id": setup.room.pk, "title": "Ran"}, format="json")
    assert added.status_code == 201


# Picks per room


@pytest.mark.django_db
def test_picks_past_the_rate_are_refused_with_retry_after_and_record_nothing(settings):
    settings.PICK_RATE = (2, 60)
    setup = make_room("alice", "bob")
    setup.add_item("Heat")
    url = f"/api/queue/room/{setup.room.pk}/select"
    bob = setup.client("bob")

    def pick_and_start_the_next_evening() -> int:
        # One pick stands per evening; the host's next evening lets the room pick again.
        status = bob.post(url).status_code
        assert (
            setup.client("alice").post(f"/api/rooms/{setup.room.pk}/tonight/new").status_code == 201
        )
        return status

    assert [pick_and_start_the_next_evening() for _ in range(2)] == [201, 201]

    with recorded(setup.room) as events:
        refused = bob.post(url)

    assert refused.status_code == 429
    assert refused.json()["error"] == "rate_limited"
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert events == []
    assert Selection.objects.filter(room=setup.room).count() == 2


@pytest.mark.django_db
def test_a_round_always_ends_in_its_pick_and_that_pick_counts_towards_the_rate(settings):
    settings.PICK_RATE = (1, 60)
    setup = make_room("alice", "bob")
    setup.add_item("Heat")
    voting_round = round_start(room=setup.room, by=setup.host, duration_seconds=None)
    round_end_now(room=setup.room, by=setup.host)

    assert Selection.objects.filter(room=setup.room, round=voting_round).count() == 1
    assert setup.client("alice").post(f"/api/rooms/{setup.room.pk}/tonight/new").status_code == 201
    refused = setup.client("bob").post(f"/api/queue/room/{setup.room.pk}/select")
    assert refused.status_code == 429


# The admin login


@pytest.fixture
def moderator(db):
    return User.objects.create_superuser("moderator", "moderator@example.com", "right-password")


def admin_login(password: str, address: str = "10.0.0.5"):
    return Client().post(
        "/admin/login/?next=/admin/",
        {"username": "moderator", "password": password},
        REMOTE_ADDR=address,
    )


def test_the_admin_login_answers_429_after_the_failures_the_rate_allows(settings, moderator):
    settings.ADMIN_LOGIN_FAILURE_RATE = (3, 3600)
    assert [admin_login("wrong").status_code for _ in range(3)] == [200, 200, 200]

    refused = admin_login("right-password")

    assert refused.status_code == 429
    assert 3500 < int(refused["Retry-After"]) <= 3600
    assert b"Too many failed logins" in refused.content
    assert admin_login("right-password", "10.0.0.6").status_code == 302
