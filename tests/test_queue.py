"""The shared queue through the REST API: adding, duplicates, listing, editing, and its events."""

import pytest

from history.models import WatchEntry
from history.services import history_mark_watched
from queues import services
from queues.models import QueueItem
from rooms.models import Member, Room
from tests.events import Event, recorded
from tests.factories import client_for, make_room, race
from voting.models import Vote
from voting.services import vote_cast
from watchqueue_site.errors import Conflict
from watchqueue_site.models import RoomEvent

SPELLINGS = [
    "Inception",
    "inception",
    "  INCEPTION ",
    "Inception\t",
    "inCEPtion",
    "inception   ",
    "\tInception",
    "  inCEPtion ",
]


def kinds(events: list[Event]) -> list[tuple[str, str]]:
    return [(e["type"], e.get("action")) for e in events]


def written() -> tuple[int, int, int]:
    return QueueItem.objects.count(), RoomEvent.objects.count(), Vote.objects.count()


def add(client, room: Room, **body):
    return client.post("/api/queue", {"room_id": room.pk, **body}, format="json")


# Adding


@pytest.mark.django_db
def test_a_member_adds_the_seeds_inception_and_gets_it_back_queued(trio):
    setup, _ = trio
    with recorded(setup.room) as events:
        response = add(setup.client("alice"), setup.room, title="Inception", added_by="alice")
    assert response.status_code == 201
    body = response.json()
    assert body["title"] == "Inception"
    assert body["room_id"] == setup.room.pk
    assert (body["status"], body["added_by"], body["media_type"]) == ("queued", "alice", "movie")
    assert (body["upvotes"], body["downvotes"], body["vote_score"]) == (0, 0, 0)
    assert QueueItem.objects.get(pk=body["id"]).title_key == "inception"
    assert events == [{"type": "queue_update", "action": "added", "item": body}]


@pytest.mark.django_db
def test_added_by_defaults_to_the_tokens_member_and_tv_shows_take_a_tmdb_id(trio):
    setup, _ = trio
    response = add(
        setup.client("bob"), setup.room, title="Breaking Bad", media_type="tv", tmdb_id=1396
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["added_by"], body["media_type"], body["tmdb_id"]) == ("bob", "tv", 1396)


@pytest.mark.django_db
def test_a_member_cannot_add_as_someone_else_and_an_outsider_cannot_add_at_all(trio):
    setup, other = trio
    before = written()
    as_alice = add(setup.client("bob"), setup.room, title="Inception", added_by="alice")
    assert as_alice.status_code == 403
    assert as_alice.json()["detail"] == services.ADD_AS_SELF_ONLY
    assert add(other.client("mallory"), setup.room, title="Inception").status_code == 403
    assert add(client_for(None), setup.room, title="Inception").status_code == 401
    assert written() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("first", "again"),
    [("Inception", "  inCEPtion "), ("Inception", "Inception\t"), ("The Matrix", "the   MATRIX")],
)
def test_the_same_title_in_another_case_or_spacing_is_refused_naming_the_first(trio, first, again):
    setup, _ = trio
    existing = setup.add_item(first)
    before = written()
    response = add(setup.client("bob"), setup.room, title=again)
    assert response.status_code == 409
    body = response.json()
    assert (body["error"], body["detail"]) == ("duplicate_item", services.DUPLICATE_TITLE)
    assert body["existing_item"]["id"] == existing.pk
    assert written() == before


@pytest.mark.django_db
def test_the_same_tmdb_id_under_another_title_is_refused(trio):
    setup, _ = trio
    existing = setup.add_item("Inception", tmdb_id=27205)
    before = written()
    response = add(setup.client("bob"), setup.room, title="Origen", tmdb_id=27205)
    assert response.status_code == 409
    body = response.json()
    assert (body["error"], body["detail"]) == ("duplicate_item", services.DUPLICATE_TMDB_ID)
    assert body["existing_item"]["id"] == existing.pk
    assert written() == before


@pytest.mark.django_db
def test_a_movie_and_a_tv_show_with_the_same_tmdb_id_are_not_duplicates(trio):
    setup, _ = trio
    setup.add_item("Some Movie", tmdb_id=1399, media_type="movie")
    response = add(
        setup.client("bob"), setup.room, title="Some Show", tmdb_id=1399, media_type="tv"
    )
    assert response.status_code == 201


@pytest.mark.django_db
def test_a_title_queued_in_another_room_is_no_duplicate_here(trio):
    setup, other = trio
    other.add_item("Inception", tmdb_id=27205)
    response = add(setup.client("alice"), setup.room, title="Inception", tmdb_id=27205)
    assert response.status_code == 201


@pytest.mark.django_db
def test_a_watched_title_can_be_added_again_for_a_rewatch(trio):
    setup, _ = trio
    alice = setup.client("alice")
    first = add(alice, setup.room, title="Inception", tmdb_id=27205).json()
    assert alice.post(f"/api/queue/{first['id']}/watched").status_code == 201
    again = add(alice, setup.room, title="inception", tmdb_id=27205)
    assert again.status_code == 201
    assert again.json()["id"] != first["id"]
    statuses = sorted(QueueItem.objects.values_list("status", flat=True))
    assert statuses == ["queued", "watched"]


@pytest.mark.django_db(transaction=True)
def test_eight_people_adding_one_title_at_once_leave_exactly_one_item():
    setup = make_room("alice", "bob")

    def add_one(i: int) -> str:
        room = Room.objects.get(pk=setup.room.pk)
        member = Member.objects.get(pk=setup.members[("alice", "bob")[i % 2]].pk)
        return services.queue_item_add(room=room, by=member, title=SPELLINGS[i]).pk

    with recorded(setup.room) as events:
        results = race(8, add_one)
    winners = [value for kind, value in results if kind == "ok"]
    losers = [value for kind, value in results if kind == "error"]
    assert len(winners) == 1
    assert len(losers) == 7
    for error in losers:
        assert isinstance(error, Conflict), repr(error)
        assert (error.code, error.message) == ("duplicate_item", services.DUPLICATE_TITLE)
        assert error.extra["existing_item"]["id"] == winners[0]
    assert list(QueueItem.objects.values_list("pk", flat=True)) == winners
    assert kinds(events) == [("queue_update", "added")]
    assert events[0]["item"]["id"] == winners[0]


@pytest.mark.django_db(transaction=True)
def test_eight_adds_of_one_tmdb_id_under_different_titles_at_once_leave_one_item():
    setup = make_room("alice", "bob")

    def add_one(i: int):
        client = client_for(setup.tokens[("alice", "bob")[i % 2]])
        response = add(client, setup.room, title=f"Title number {i}", tmdb_id=27205)
        return response.status_code, response.json()

    with recorded(setup.room) as events:
        results = race(8, add_one)
    assert all(kind == "ok" for kind, _ in results), results
    answers = [value for _, value in results]
    created = [body for code, body in answers if code == 201]
    refused = [body for code, body in answers if code == 409]
    assert len(created) == 1
    assert len(refused) == 7
    assert all(body["existing_item"]["id"] == created[0]["id"] for body in refused)
    assert list(QueueItem.objects.values_list("pk", flat=True)) == [created[0]["id"]]
    assert events == [{"type": "queue_update", "action": "added", "item": created[0]}]


# Reading


@pytest.mark.django_db
def test_an_item_is_readable_by_members_only(trio):
    setup, other = trio
    item = setup.add_item("Inception")
    response = setup.client("bob").get(f"/api/queue/{item.pk}")
    assert response.status_code == 200
    assert (response.json()["id"], response.json()["title"]) == (item.pk, "Inception")
    assert other.client("mallory").get(f"/api/queue/{item.pk}").status_code == 403
    assert setup.client("bob").get(f"/api/queue/{'0' * 24}").status_code == 404


@pytest.mark.django_db
def test_the_room_queue_is_sorted_by_score_then_by_when_added(trio):
    setup, _ = trio
    alice, bob = setup.members["alice"], setup.members["bob"]
    _, b, c, d, _ = (setup.add_item(title) for title in ("A", "B", "C", "D", "E"))
    for member in (alice, bob):
        vote_cast(item_id=c.pk, by=member, value="up")
    vote_cast(item_id=b.pk, by=alice, value="up")
    vote_cast(item_id=d.pk, by=bob, value="down")
    client = setup.client("bob")
    url = f"/api/queue/room/{setup.room.pk}"
    by_score = [i["title"] for i in client.get(url).json()]
    assert by_score == ["C", "B", "A", "E", "D"]
    assert [i["title"] for i in client.get(url, {"sort": "score"}).json()] == by_score
    by_added = [i["title"] for i in client.get(url, {"sort": "added"}).json()]
    assert by_added == ["A", "B", "C", "D", "E"]


@pytest.mark.django_db
def test_watched_items_leave_the_queue_and_are_listed_with_status_watched(trio):
    setup, _ = trio
    seen = setup.add_item("Seen")
    setup.add_item("Unseen")
    history_mark_watched(item=seen, by=setup.members["alice"])
    client, url = setup.client("bob"), f"/api/queue/room/{setup.room.pk}"
    assert [i["title"] for i in client.get(url).json()] == ["Unseen"]
    watched = client.get(url, {"status": "watched"}).json()
    assert [(i["title"], i["status"]) for i in watched] == [("Seen", "watched")]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "value"), [("status", "done"), ("sort", "random")])
def test_an_unknown_status_or_sort_is_a_400(trio, name, value):
    setup, _ = trio
    response = setup.client("bob").get(f"/api/queue/room/{setup.room.pk}", {name: value})
    assert response.status_code == 400
    assert response.json()["error"] == "invalid"
    assert name in response.json()["fields"]


# Editing, status and removal


@pytest.mark.django_db
def test_whoever_added_an_item_fixes_its_title_and_year(trio):
    setup, _ = trio
    item = setup.add_item("Incepton", by="bob")
    with recorded(setup.room) as events:
        response = setup.client("bob").patch(
            f"/api/queue/{item.pk}", {"title": "Inception", "year": 2010}, format="json"
        )
    assert response.status_code == 200
    assert (response.json()["title"], response.json()["year"]) == ("Inception", 2010)
    item.refresh_from_db()
    assert (item.title, item.title_key, item.year) == ("Inception", "inception", 2010)
    assert events == [{"type": "queue_update", "action": "updated", "item": response.json()}]


@pytest.mark.django_db
def test_an_edit_that_names_no_field_and_a_status_an_item_already_has_record_nothing(trio):
    setup, _ = trio
    item = setup.add_item("Inception", by="bob")
    bob = setup.members["bob"]
    services.queue_item_start_watching(item=item, by=bob)
    before = written()
    with recorded(setup.room) as events:
        assert services.queue_item_update(item=item, by=bob) is item
        again = setup.client("bob").post(f"/api/queue/{item.pk}/watch")
    assert (again.status_code, again.json()["status"]) == (200, "watching")
    assert events == []
    assert written() == before


@pytest.mark.django_db
def test_editing_a_title_into_a_duplicate_is_refused_naming_the_other(trio):
    setup, _ = trio
    inception = setup.add_item("Inception")
    interstellar = setup.add_item("Interstellar")
    before = written()
    response = setup.client("alice").patch(
        f"/api/queue/{interstellar.pk}", {"title": " INCEPTION"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["error"] == "duplicate_item"
    assert response.json()["existing_item"]["id"] == inception.pk
    interstellar.refresh_from_db()
    assert (interstellar.title, interstellar.title_key) == ("Interstellar", "interstellar")
    assert written() == before


@pytest.mark.django_db
def test_watching_one_item_puts_the_one_being_watched_back_in_the_queue(trio):
    setup, _ = trio
    first, second = setup.add_item("First"), setup.add_item("Second")
    client = setup.client("bob")
    with recorded(setup.room) as events:
        response = client.post(f"/api/queue/{first.pk}/watch")
    assert (response.status_code, response.json()["status"]) == (200, "watching")
    assert events == [{"type": "queue_update", "action": "status", "item": response.json()}]
    with recorded(setup.room) as events:
        response = client.patch(f"/api/queue/{second.pk}", {"status": "watching"}, format="json")
    assert (response.status_code, response.json()["status"]) == (200, "watching")
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("queued", "watching")
    assert kinds(events) == [("queue_update", "status")] * 2
    moved = [(e["item"]["id"], e["item"]["status"]) for e in events]
    assert moved == [(first.pk, "queued"), (second.pk, "watching")]
    assert events[0]["item"] == client.get(f"/api/queue/{first.pk}").json()
    assert events[1]["item"] == response.json()


@pytest.mark.django_db
def test_patching_status_watched_records_a_history_entry(trio):
    setup, _ = trio
    item = setup.add_item("Inception")
    with recorded(setup.room) as events:
        response = setup.client("bob").patch(
            f"/api/queue/{item.pk}", {"status": "watched"}, format="json"
        )
    assert (response.status_code, response.json()["status"]) == (200, "watched")
    entry = WatchEntry.objects.get(item=item)
    assert (entry.title, entry.marked_by, entry.added_by) == ("Inception", "bob", "alice")
    # Watching it ends the evening: the room is told of the next one first.
    assert [e["type"] for e in events] == ["evening_update", "queue_update", "history_update"]
    assert kinds(events[1:]) == [("queue_update", "status"), ("history_update", "added")]
    assert events[1]["item"]["status"] == "watched"
    assert events == [
        {
            "type": "evening_update",
            "tonight": setup.client("bob").get(f"/api/rooms/{setup.room.pk}/tonight").json(),
        },
        {"type": "queue_update", "action": "status", "item": response.json()},
        {
            "type": "history_update",
            "action": "added",
            "entry": setup.client("bob").get(f"/api/history/{entry.pk}").json(),
        },
    ]


@pytest.mark.django_db
def test_a_watched_item_cannot_be_edited_or_put_back(trio):
    setup, _ = trio
    item = setup.add_item("Inception")
    history_mark_watched(item=item, by=setup.members["alice"])
    before = written()
    client = setup.client("alice")
    for body in ({"title": "Tenet"}, {"status": "watching"}, {"status": "watched"}):
        response = client.patch(f"/api/queue/{item.pk}", body, format="json")
        assert response.status_code == 409
        assert (response.json()["error"], response.json()["detail"]) == (
            "already_watched",
            services.ALREADY_WATCHED,
        )
    item.refresh_from_db()
    assert (item.title, item.status) == ("Inception", "watched")
    assert written() == before


@pytest.mark.django_db
def test_a_watched_item_stays_in_history_members_cannot_remove_it(trio):
    setup, _ = trio
    item = setup.add_item("Inception")
    history_mark_watched(item=item, by=setup.members["alice"])
    before = written()
    response = setup.client("alice").delete(f"/api/queue/{item.pk}")
    assert response.status_code == 409
    assert response.json()["error"] == "already_watched"
    assert written() == before
    assert WatchEntry.objects.get().item_id == item.pk


@pytest.mark.django_db
def test_nothing_can_be_removed_from_a_closed_room(trio):
    setup, _ = trio
    item = setup.add_item("Inception")
    assert (
        setup.client("alice")
        .patch(f"/api/rooms/{setup.room.pk}", {"status": "closed"}, format="json")
        .status_code
        == 200
    )
    before = written()
    response = setup.client("alice").delete(f"/api/queue/{item.pk}")
    assert response.status_code == 409
    assert response.json()["error"] == "room_closed"
    assert written() == before


@pytest.mark.django_db
def test_removing_an_item_takes_its_votes_with_it(trio):
    setup, _ = trio
    item = setup.add_item("Inception", by="bob")
    kept = setup.add_item("Kept")
    for member in setup.members.values():
        vote_cast(item_id=item.pk, by=member, value="up")
    vote_cast(item_id=kept.pk, by=setup.members["bob"], value="up")
    payload = setup.client("bob").get(f"/api/queue/{item.pk}").json()
    with recorded(setup.room) as events:
        assert setup.client("bob").delete(f"/api/queue/{item.pk}").status_code == 204
    assert not QueueItem.objects.filter(pk=item.pk).exists()
    assert list(Vote.objects.values_list("item_id", flat=True)) == [kept.pk]
    # The item goes as it was, with the counts of the votes that go with it; no vote_update.
    assert events == [{"type": "queue_update", "action": "removed", "item": payload}]
    assert setup.client("bob").get(f"/api/queue/{item.pk}").status_code == 404


@pytest.mark.django_db
def test_enriching_without_a_tmdb_key_says_how_to_configure_it(trio, settings):
    settings.TMDB_API_KEY = ""
    setup, _ = trio
    item = setup.add_item("Inception")
    before = written()
    response = setup.client("bob").post(f"/api/queue/{item.pk}/enrich")
    assert response.status_code == 503
    assert response.json()["error"] == "tmdb_not_configured"
    assert "set TMDB_API_KEY" in response.json()["detail"]
    assert written() == before


@pytest.mark.django_db
def test_a_run_of_writes_records_one_numbered_event_each(trio):
    setup, _ = trio
    client = setup.client("alice")
    with recorded(setup.room) as events:
        item = add(client, setup.room, title="Inception").json()
        client.patch(f"/api/queue/{item['id']}", {"year": 2010}, format="json")
        client.post(f"/api/queue/{item['id']}/watch")
        client.patch(f"/api/queue/{item['id']}", {"status": "queued"}, format="json")
        client.delete(f"/api/queue/{item['id']}")
    assert kinds(events) == [
        ("queue_update", "added"),
        ("queue_update", "updated"),
        ("queue_update", "status"),
        ("queue_update", "status"),
        ("queue_update", "removed"),
    ]
    assert [e["item"]["status"] for e in events] == [
        "queued",
        "queued",
        "watching",
        "queued",
        "queued",
    ]
    assert events[1]["item"]["year"] == 2010
    assert {e["item"]["id"] for e in events} == {item["id"]}
