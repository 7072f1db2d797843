"""Watch history through the REST API: marking watched, the room's history, ratings and notes."""

import threading

import pytest
from django.db import connection

from history.models import Rating, WatchEntry
from history.services import ENTRY_NOT_FOUND, RATE_AS_SELF_ONLY, RATING_NOT_FOUND
from queues.models import QueueItem
from queues.services import ALREADY_WATCHED
from rooms.auth import OTHER_ROOM
from rooms.models import Room
from tests.events import recorded, room_events
from tests.factories import client_for, make_room, refusal
from watchqueue_site.models import RoomEvent

UNKNOWN_ID = "0" * 24


def written() -> tuple[int, int, int]:
    return WatchEntry.objects.count(), Rating.objects.count(), RoomEvent.objects.count()


def mark_watched(client, item: QueueItem):
    return client.post(f"/api/queue/{item.pk}/watched")


def select(client, room: Room, mode: str):
    return client.post(f"/api/queue/room/{room.pk}/select?mode={mode}")


def rate(client, entry_id: str, user_id: str, **body):
    return client.put(f"/api/history/{entry_id}/ratings/{user_id}", body, format="json")


@pytest.fixture
def watched(trio):
    """Bob's "Arrival", watched (marked by alice): the setup and the entry's id."""
    setup, _ = trio
    item = setup.add_item("Arrival", by="bob")
    response = mark_watched(setup.client("alice"), item)
    assert response.status_code == 201
    return setup, response.json()["id"]


# Marking an item watched


@pytest.mark.django_db
def test_marking_watched_copies_the_item_and_remembers_the_latest_pick(trio):
    setup, _ = trio
    item = setup.add_item("Arrival", by="bob", year=2016)
    setup.add_item("Heat", by="alice")
    setup.client("alice").post("/api/votes", {"item_id": item.pk, "vote": "up"}, format="json")
    first = select(setup.client("alice"), setup.room, "highest_votes").json()
    # One pick stands per evening: the next evening picks it again.
    assert setup.client("alice").post(f"/api/rooms/{setup.room.pk}/tonight/new").status_code == 201
    latest = select(setup.client("bob"), setup.room, "highest_votes").json()
    assert first["item_id"] == latest["item_id"] == item.pk
    added_at = setup.client("alice").get(f"/api/queue/{item.pk}").json()["added_at"]

    response = mark_watched(setup.client("alice"), item)

    assert response.status_code == 201
    body = response.json()
    assert body["title"] == "Arrival"
    assert body["year"] == 2016
    assert body["item_id"] == item.pk
    assert body["added_by"] == "bob"
    assert body["added_at"] == added_at
    assert body["marked_by"] == "alice"
    assert body["watched_at"]
    assert body["selection"]["id"] == latest["id"] != first["id"]
    assert body["picked_by"] == "highest_votes"
    assert (body["ratings"], body["average_rating"], body["rating_count"]) == ({}, None, 0)
    assert setup.client("bob").get(f"/api/queue/{item.pk}").json()["status"] == "watched"


@pytest.mark.django_db
def test_an_item_nobody_picked_is_recorded_as_manual(trio):
    setup, _ = trio
    item = setup.add_item("Heat")
    body = mark_watched(setup.client("bob"), item).json()
    assert (body["selection"], body["picked_by"], body["marked_by"]) == (None, "manual", "bob")


@pytest.mark.django_db
def test_marking_records_a_status_event_and_a_history_event(trio):
    setup, _ = trio
    item = setup.add_item("Heat")
    with recorded(setup.room) as events:
        body = mark_watched(setup.client("alice"), item).json()
    # Watching it ends the evening: the room is told of the next one first.
    assert [(e["type"], e.get("action")) for e in events] == [
        ("evening_update", None),
        ("queue_update", "status"),
        ("history_update", "added"),
    ]
    assert (events[1]["item"]["id"], events[1]["item"]["status"]) == (item.pk, "watched")
    assert events[2]["entry"] == body
    watched_item = setup.client("bob").get(f"/api/queue/{item.pk}").json()
    tonight = setup.client("bob").get(f"/api/rooms/{setup.room.pk}/tonight").json()
    assert events == [
        {"type": "evening_update", "tonight": tonight},
        {"type": "queue_update", "action": "status", "item": watched_item},
        {"type": "history_update", "action": "added", "entry": body},
    ]


@pytest.mark.django_db
def test_marking_an_item_twice_is_a_conflict_that_writes_nothing(trio):
    setup, _ = trio
    item = setup.add_item("Heat")
    assert mark_watched(setup.client("alice"), item).status_code == 201
    before = written()
    with recorded(setup.room) as events:
        response = mark_watched(setup.client("bob"), item)
    assert refusal(response) == (409, "already_watched", ALREADY_WATCHED)
    assert written() == before
    assert events == []


@pytest.mark.django_db
def test_an_outsider_cannot_mark_an_item_watched(trio):
    setup, other = trio
    item = setup.add_item("Heat")
    before = written()
    response = mark_watched(other.client("mallory"), item)
    assert refusal(response) == (403, "forbidden", OTHER_ROOM)
    assert written() == before
    item.refresh_from_db()
    assert item.status == "queued"


# Reading the history


@pytest.mark.django_db
def test_the_history_lists_newest_first_and_pages_with_limit_and_offset(trio):
    setup, _ = trio
    for title in ["Alien", "Brazil", "Casablanca"]:
        assert mark_watched(setup.client("alice"), setup.add_item(title)).status_code == 201
    url = f"/api/history/room/{setup.room.pk}"

    def titles(query: str = "") -> list[str]:
        response = setup.client("bob").get(url + query)
        assert response.status_code == 200
        return [entry["title"] for entry in response.json()]

    assert titles() == ["Casablanca", "Brazil", "Alien"]
    assert titles("?limit=2") == ["Casablanca", "Brazil"]
    assert titles("?limit=2&offset=2") == ["Alien"]
    assert titles("?offset=3") == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "limit"),
        ("limit=abc", "limit"),
        ("limit=1000", "limit"),
        ("limit=-5", "limit"),
        ("offset=-1", "offset"),
        ("offset=x", "offset"),
        ("page=2", "page"),
    ],
)
@pytest.mark.django_db
def test_bad_paging_values_are_refused(trio, query, field):
    setup, _ = trio
    response = setup.client("bob").get(f"/api/history/room/{setup.room.pk}?{query}")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid"
    assert list(response.json()["fields"]) == [field]


@pytest.mark.django_db
def test_a_history_offset_beyond_any_database_integer_is_a_400(trio):
    setup, _ = trio
    response = setup.client("alice").get(
        f"/api/history/room/{setup.room.pk}?offset=100000000000000000000"
    )
    assert response.status_code == 400
    assert "offset" in response.json()["fields"]


@pytest.mark.django_db
def test_one_entry_is_readable_by_members_only(watched, trio):
    setup, entry_id = watched
    _, other = trio
    response = setup.client("bob").get(f"/api/history/{entry_id}")
    assert response.status_code == 200
    assert (response.json()["id"], response.json()["title"]) == (entry_id, "Arrival")
    assert refusal(other.client("mallory").get(f"/api/history/{entry_id}"))[0] == 403
    assert client_for(None).get(f"/api/history/{entry_id}").status_code == 401
    missing = setup.client("bob").get(f"/api/history/{UNKNOWN_ID}")
    assert refusal(missing) == (404, "not_found", ENTRY_NOT_FOUND)


# Ratings


@pytest.mark.django_db
def test_a_member_rates_an_entry_with_a_note(watched):
    setup, entry_id = watched
    response = rate(setup.client("bob"), entry_id, "bob", rating=4, note="The heptapods!")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == entry_id
    assert list(body["ratings"]) == ["bob"]
    assert body["ratings"]["bob"]["rating"] == 4
    assert body["ratings"]["bob"]["note"] == "The heptapods!"
    assert (body["average_rating"], body["rating_count"]) == (4, 1)
    listed = setup.client("alice").get(f"/api/history/room/{setup.room.pk}").json()
    assert listed[0]["ratings"]["bob"]["rating"] == 4


@pytest.mark.django_db
def test_a_member_changes_their_own_rating_in_place(watched):
    setup, entry_id = watched
    rate(setup.client("bob"), entry_id, "bob", rating=2, note="Slow")
    with recorded(setup.room) as events:
        body = rate(setup.client("bob"), entry_id, "bob", rating=5, note="Grew on me").json()
    assert body["ratings"]["bob"]["rating"] == 5
    assert body["ratings"]["bob"]["note"] == "Grew on me"
    assert body["rating_count"] == 1
    assert events == [{"type": "history_update", "action": "rated", "entry": body}]
    assert list(Rating.objects.filter(entry_id=entry_id).values_list("user_id", "rating")) == [
        ("bob", 5)
    ]


@pytest.mark.django_db
def test_two_members_ratings_are_averaged(watched):
    setup, entry_id = watched
    rate(setup.client("alice"), entry_id, "alice", rating=4)
    body = rate(setup.client("bob"), entry_id, "bob", rating=5).json()
    assert set(body["ratings"]) == {"alice", "bob"}
    assert (body["average_rating"], body["rating_count"]) == (4.5, 2)
    assert setup.client("alice").get(f"/api/history/{entry_id}").json()["average_rating"] == 4.5


@pytest.mark.parametrize("value", [0, 6, -1, 3.5, "5", True, None, [4]])
@pytest.mark.django_db
def test_a_rating_outside_one_to_five_or_not_an_integer_is_refused(watched, value):
    setup, entry_id = watched
    before = written()
    response = rate(setup.client("bob"), entry_id, "bob", rating=value)
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["rating"]
    assert written() == before


@pytest.mark.django_db
def test_a_rating_needs_a_value_and_a_note_of_at_most_1000_characters(watched):
    setup, entry_id = watched
    before = written()
    long_note = rate(setup.client("bob"), entry_id, "bob", rating=3, note="x" * 1001)
    assert (long_note.status_code, list(long_note.json()["fields"])) == (400, ["note"])
    no_rating = rate(setup.client("bob"), entry_id, "bob", note="Fine")
    assert (no_rating.status_code, list(no_rating.json()["fields"])) == (400, ["rating"])
    assert written() == before
    exactly = rate(setup.client("bob"), entry_id, "bob", rating=3, note="x" * 1000)
    assert exactly.status_code == 200


@pytest.mark.django_db
def test_nobody_rates_as_someone_else(watched, trio):
    setup, entry_id = watched
    _, other = trio
    rate(setup.client("alice"), entry_id, "alice", rating=2)
    before = written()
    as_alice = rate(setup.client("bob"), entry_id, "alice", rating=5)
    assert refusal(as_alice) == (403, "forbidden", RATE_AS_SELF_ONLY)
    outsider = rate(other.client("mallory"), entry_id, "mallory", rating=1)
    assert refusal(outsider) == (403, "forbidden", OTHER_ROOM)
    assert written() == before
    assert Rating.objects.get(entry_id=entry_id, user_id="alice").rating == 2


@pytest.mark.django_db
def test_a_member_withdraws_their_rating_once(watched):
    setup, entry_id = watched
    rate(setup.client("bob"), entry_id, "bob", rating=4)
    url = f"/api/history/{entry_id}/ratings/bob"
    assert setup.client("bob").delete(url).status_code == 204
    assert not Rating.objects.filter(entry_id=entry_id).exists()
    before = written()
    assert refusal(setup.client("bob").delete(url)) == (404, "not_found", RATING_NOT_FOUND)
    assert written() == before


@pytest.mark.django_db
def test_nobody_withdraws_someone_elses_rating(watched):
    setup, entry_id = watched
    rate(setup.client("bob"), entry_id, "bob", rating=4)
    before = written()
    response = setup.client("alice").delete(f"/api/history/{entry_id}/ratings/bob")
    assert refusal(response) == (403, "forbidden", RATE_AS_SELF_ONLY)
    assert written() == before


@pytest.mark.django_db
def test_rating_and_withdrawing_send_history_events_with_the_entry(watched):
    setup, entry_id = watched
    with recorded(setup.room) as rating:
        rated = rate(setup.client("bob"), entry_id, "bob", rating=4, note="Good").json()
    with recorded(setup.room) as withdrawing:
        setup.client("bob").delete(f"/api/history/{entry_id}/ratings/bob")
    events = rating + withdrawing
    assert [(e["type"], e["action"]) for e in events] == [
        ("history_update", "rated"),
        ("history_update", "unrated"),
    ]
    assert events[0]["entry"] == rated
    unrated = events[1]["entry"]
    assert unrated["id"] == entry_id
    assert (unrated["ratings"], unrated["rating_count"], unrated["average_rating"]) == ({}, 0, None)
    assert rating == [{"type": "history_update", "action": "rated", "entry": rated}]
    now = setup.client("alice").get(f"/api/history/{entry_id}").json()
    assert withdrawing == [{"type": "history_update", "action": "unrated", "entry": now}]


@pytest.mark.django_db(transaction=True)
def test_one_member_rating_from_six_threads_at_once_leaves_one_rating():
    setup = make_room("alice", "bob")
    item = setup.add_item("Arrival")
    entry_id = mark_watched(setup.client("alice"), item).json()["id"]
    token = setup.tokens["bob"]
    barrier = threading.Barrier(6)
    statuses: list = [None] * 6

    def run(i: int) -> None:
        try:
            client = client_for(token)
            barrier.wait(timeout=10)
            statuses[i] = rate(client, entry_id, "bob", rating=i % 5 + 1).status_code
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)

    assert statuses == [200] * 6
    ratings = list(Rating.objects.filter(entry_id=entry_id))
    assert [r.user_id for r in ratings] == ["bob"]
    events = [e for e in room_events(setup.room) if e["type"] == "history_update"]
    assert [e["action"] for e in events] == ["added"] + ["rated"] * 6
    # The last event to commit tells clients the rating that stayed.
    assert events[-1]["entry"]["ratings"]["bob"]["rating"] == ratings[0].rating


# Round robin takes turns by what the room watched


@pytest.mark.django_db
def test_round_robin_gives_the_next_turn_to_whoever_has_not_had_a_film_watched(trio):
    setup, _ = trio
    alices = setup.add_item("Alien", by="alice")
    bobs = setup.add_item("Brazil", by="bob")
    setup.add_item("Casablanca", by="alice")
    first = select(setup.client("bob"), setup.room, "round_robin").json()
    assert (first["reason"]["turn"], first["item_id"]) == ("alice", alices.pk)

    entry = mark_watched(setup.client("alice"), alices).json()
    assert entry["picked_by"] == "round_robin"

    response = select(setup.client("alice"), setup.room, "round_robin")
    assert response.status_code == 201
    body = response.json()
    assert (body["reason"]["turn"], body["item_id"], body["mode"]) == (
        "bob",
        bobs.pk,
        "round_robin",
    )
