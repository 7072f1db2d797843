"""Queue items filled in from TMDB: by id or by an unambiguous title, on demand and in the
background, failures recorded and retried, duplicates found by TMDB merged, never doubled.
Against a local server that speaks TMDB's JSON."""

import asyncio
import json
import logging
import time

import pytest
import requests
import websockets
from django.test import override_settings

from history.services import history_mark_watched
from queues.models import Enrichment, ItemStatus, QueueItem
from queues.services import queue_item_set_status
from selection.services import selection_make
from tests.events import recorded
from tests.factories import RoomSetup, client_for, make_room
from tests.fake_tmdb import Answer, FakeTMDB
from tests.live_clients import drain, live_room, ws_url
from tests.live_server import daphne, migrate, server_env
from tmdb import client as tmdb_client
from tmdb import enrichment
from tmdb.client import TMDBClient
from voting.models import Vote
from voting.services import vote_cast

KEY = "v3-SECRET-KEY-0123456789"


@pytest.fixture
def fake():
    with FakeTMDB(key=KEY) as server:
        yield server


@pytest.fixture
def tmdb_on(fake):
    tmdb_client._clients.clear()
    with override_settings(TMDB_API_KEY=KEY, TMDB_API_URL=fake.url):
        yield fake
    tmdb_client._clients.clear()


def _client(fake: FakeTMDB) -> TMDBClient:
    return TMDBClient(
        key=KEY, base_url=fake.url, language="en-US", region="US", timeout=2.0, backoff=0.01
    )


def _enrich(item: QueueItem, fake: FakeTMDB) -> QueueItem | None:
    """What an on-demand enrichment does, run here in the test's own thread and transaction."""
    item = enrichment.enrichment_start(item.pk)
    outcome = enrichment.enrichment_fetch(item, _client(fake))
    asked = {"requested_at": item.enrichment_at}
    if outcome.details is not None:
        return enrichment.enrichment_apply(item.pk, outcome.details, **asked)
    return enrichment.enrichment_fail(item.pk, outcome.status, outcome.error, **asked)


def _start(item: QueueItem) -> tuple[QueueItem, dict]:
    """Ask for an on-demand enrichment; the item marked pending, and when it was asked for."""
    started = enrichment.enrichment_start(item.pk)
    return started, {"requested_at": started.enrichment_at}


def _read(room: RoomSetup, item_id: str) -> dict:
    """The item as a member reads it from the API."""
    return room.client("bob").get(f"/api/queue/{item_id}").json()


def _queue_update(action: str, item: dict, **extra: object) -> dict:
    return {"type": "queue_update", "action": action, "item": item, **extra}


@pytest.fixture
def room(db):
    return make_room("alice", "bob", "carol")


# By id and by title


def test_an_item_with_a_tmdb_id_gets_its_poster_runtime_genres_and_providers(room, fake):
    item = room.add_item("Heat", tmdb_id=949)
    with recorded(room.room) as starting:
        started, asked = _start(item)
    pending_item = _read(room, item.pk)
    outcome = enrichment.enrichment_fetch(started, _client(fake))
    with recorded(room.room) as applying:
        enriched = enrichment.enrichment_apply(item.pk, outcome.details, **asked)
    assert (enriched.enrichment, enriched.enrichment_error) == (Enrichment.ENRICHED, "")
    assert (enriched.year, enriched.runtime_minutes) == (1995, 170)
    assert enriched.poster_url == "https://image.tmdb.org/t/p/w500/heat-poster.jpg"
    assert enriched.genres == ["Action", "Crime"]
    assert enriched.providers["stream"] == ["Netflix"]
    [pending] = starting
    assert (pending["action"], pending["item"]["enrichment"]) == ("enrichment", "pending")
    assert pending == _queue_update("enrichment", pending_item)
    [event] = applying
    assert (event["type"], event["action"]) == ("queue_update", "enriched")
    assert event["item"]["poster_url"] == enriched.poster_url
    assert event == _queue_update("enriched", _read(room, item.pk))


def test_a_title_that_names_one_film_finds_it_whatever_its_case(room, fake):
    enriched = _enrich(room.add_item("  inception "), fake)
    assert (enriched.tmdb_id, enriched.media_type, enriched.year) == (27205, "movie", 2010)
    assert enriched.title == "inception"


def test_a_title_of_a_show_finds_the_show_though_the_item_was_added_as_a_film(room, fake):
    enriched = _enrich(room.add_item("Game of Thrones"), fake)
    assert (enriched.media_type, enriched.tmdb_id, enriched.runtime_minutes) == ("tv", 1399, 80)


def test_a_title_with_two_films_is_left_unmatched_and_says_why(room, fake):
    item = _enrich(room.add_item("Solaris"), fake)
    assert item.enrichment == Enrichment.UNMATCHED
    assert item.enrichment_error == enrichment.AMBIGUOUS.format(count=2)
    assert item.tmdb_id is None


def test_the_year_tells_two_films_of_one_title_apart(room, fake):
    item = _enrich(room.add_item("Solaris", year=2002), fake)
    assert (item.tmdb_id, item.runtime_minutes) == (2103, 99)


def test_a_title_tmdb_does_not_know_is_unmatched_and_stays_usable(room, fake):
    item = _enrich(room.add_item("Our Holiday Video"), fake)
    assert (item.enrichment, item.enrichment_error) == (Enrichment.UNMATCHED, enrichment.NO_MATCH)
    _, voted, _ = vote_cast(item_id=item.pk, by=room.members["bob"], value="up")
    assert voted.vote_score == 1


# Failures


def test_an_id_tmdb_does_not_have_is_a_recorded_failure(room, fake):
    item = _enrich(room.add_item("Lost film", tmdb_id=99999999), fake)
    assert (item.enrichment, item.enrichment_error) == (Enrichment.FAILED, enrichment.NOT_AT_ID)


def test_tmdb_being_down_is_recorded_and_a_retry_fills_the_item_in(room, fake):
    item = room.add_item("Heat", tmdb_id=949)
    fake.queue("/movie/949", *[Answer(500, b"oops")] * tmdb_client.ATTEMPTS)
    started, asked = _start(item)
    outcome = enrichment.enrichment_fetch(started, _client(fake))
    with recorded(room.room) as events:
        failed = enrichment.enrichment_fail(item.pk, outcome.status, outcome.error, **asked)
    assert (failed.enrichment, failed.enrichment_error) == (Enrichment.FAILED, "TMDB answered 500.")
    assert failed.poster_url == ""
    assert events == [_queue_update("enrichment", _read(room, item.pk))]
    assert events[0]["item"]["enrichment_error"] == "TMDB answered 500."
    retried = _enrich(failed, fake)
    assert (retried.enrichment, retried.runtime_minutes) == (Enrichment.ENRICHED, 170)


def test_a_refused_key_never_shows_the_key(room, fake, caplog):
    item = room.add_item("Heat", tmdb_id=949)
    with caplog.at_level(logging.DEBUG):
        outcome = enrichment.enrichment_fetch(
            item,
            TMDBClient(
                key="wrong-" + KEY, base_url=fake.url, language="en-US", region="US", timeout=2
            ),
        )
    assert (outcome.code, outcome.error) == ("tmdb_refused_key", enrichment.REFUSED_KEY)
    assert KEY not in outcome.error + caplog.text


def test_an_item_removed_while_tmdb_was_asked_is_left_alone(room, fake):
    item = room.add_item("Heat", tmdb_id=949)
    started, asked = _start(item)
    outcome = enrichment.enrichment_fetch(started, _client(fake))
    QueueItem.objects.filter(pk=item.pk).delete()
    with recorded(room.room) as events:
        assert enrichment.enrichment_apply(item.pk, outcome.details, **asked) is None
        assert enrichment.enrichment_fail(item.pk, "failed", "late", **asked) is None
        assert enrichment.enrichment_start(item.pk) is None
    assert not QueueItem.objects.filter(pk=item.pk).exists()
    assert events == []


# Duplicates that only TMDB can see


def test_a_queued_duplicate_found_by_tmdb_is_merged_with_its_votes(room, fake):
    original = room.add_item("El origen", by="carol", tmdb_id=27205)
    copy = room.add_item("Inception", by="bob")
    alice, bob = room.members["alice"], room.members["bob"]
    vote_cast(item_id=original.pk, by=alice, value="down")
    vote_cast(item_id=copy.pk, by=alice, value="up")
    vote_cast(item_id=copy.pk, by=bob, value="up")
    with recorded(room.room) as starting:
        started, asked = _start(copy)
    copy_as_it_was = _read(room, copy.pk)
    outcome = enrichment.enrichment_fetch(started, _client(fake))

    with recorded(room.room) as merging:
        result = enrichment.enrichment_apply(copy.pk, outcome.details, **asked)

    assert result.pk == original.pk
    assert not QueueItem.objects.filter(pk=copy.pk).exists()
    original.refresh_from_db()
    # Alice had voted on both: her vote on the original stands. Bob's moved over.
    votes = dict(Vote.objects.filter(item=original).values_list("user_id", "value"))
    assert votes == {"alice": "down", "bob": "up"}
    assert (original.upvotes, original.downvotes, original.vote_score) == (1, 1, 0)
    assert original.enrichment == Enrichment.ENRICHED
    events = [(e["type"], e.get("action"), e.get("user_id")) for e in starting + merging]
    assert events == [
        ("queue_update", "enrichment", None),  # the copy's enrichment starts
        ("queue_update", "enriched", None),  # the original fills in
        ("vote_update", None, "bob"),  # bob's vote moves over
        ("queue_update", "removed", None),  # the copy goes
    ]
    assert starting == [_queue_update("enrichment", copy_as_it_was)]
    removed = merging[-1]
    assert removed["merged_into"] == original.pk
    assert removed["reason"] == enrichment.MERGED_INTO.format(title="El origen")
    # The original fills in with alice's vote alone; bob's then moves over; the copy goes as it
    # was when the enrichment started.
    assert merging == [
        _queue_update("enriched", {**_read(room, original.pk), "upvotes": 0, "vote_score": -1}),
        {
            "type": "vote_update",
            "user_id": "bob",
            "vote": "up",
            "item_id": original.pk,
            "upvotes": 1,
            "downvotes": 1,
            "vote_score": 0,
        },
        _queue_update("removed", copy_as_it_was, merged_into=original.pk, reason=removed["reason"]),
    ]


def test_a_film_watched_before_tmdb_answered_gets_its_poster_in_the_history_too(room, fake):
    item = room.add_item("Heat", tmdb_id=949)
    entry = history_mark_watched(item=item, by=room.members["alice"])
    assert entry.poster_url == ""
    started, asked = _start(QueueItem.objects.get(pk=item.pk))
    outcome = enrichment.enrichment_fetch(started, _client(fake))
    with recorded(room.room) as events:
        enrichment.enrichment_apply(item.pk, outcome.details, **asked)
    entry.refresh_from_db()
    assert (entry.year, entry.poster_url) == (
        1995,
        "https://image.tmdb.org/t/p/w500/heat-poster.jpg",
    )
    told = [(e["type"], e.get("action")) for e in events]
    assert told[-1] == ("history_update", "updated")
    assert events == [
        _queue_update("enriched", _read(room, item.pk)),
        {
            "type": "history_update",
            "action": "updated",
            "entry": room.client("bob").get(f"/api/history/{entry.pk}").json(),
        },
    ]


def test_a_pick_of_the_merged_copy_stays_with_the_film(room, fake):
    original = room.add_item("El origen", tmdb_id=27205)
    copy = room.add_item("Inception")
    queue_item_set_status(item=original, by=None, status=ItemStatus.WATCHING)
    picked = selection_make(room=room.room, by=room.members["alice"], mode="highest_votes")
    assert picked.item_id == copy.pk
    _enrich(copy, fake)
    picked.refresh_from_db()
    assert picked.item_id == original.pk


def test_an_answer_for_an_older_request_does_not_overwrite_a_newer_one(room, tmdb_on):
    item = room.add_item("Alien")
    started = enrichment.enrichment_start(item.pk)
    outcome = enrichment.enrichment_fetch(started, _client(tmdb_on))
    # Renamed while TMDB was answering: a newer request is made, to be answered in its turn.
    room.client("alice").patch(f"/api/queue/{item.pk}", {"title": "Heat"}, format="json")
    asked = {"requested_at": started.enrichment_at}
    with recorded(room.room) as events:
        kept = enrichment.enrichment_fail(item.pk, outcome.status, outcome.error, **asked)
        # Had the older request found a film, that answer would be left alone too.
        assert enrichment.enrichment_apply(item.pk, {"tmdb_id": 348}, **asked) == kept
    assert (kept.title, kept.enrichment) == ("Heat", Enrichment.PENDING)
    assert events == []
    newer = enrichment.enrichment_fetch(kept, _client(tmdb_on))
    answered = enrichment.enrichment_apply(item.pk, newer.details, requested_at=kept.enrichment_at)
    assert (answered.tmdb_id, answered.enrichment) == (949, Enrichment.ENRICHED)


def test_a_duplicate_being_watched_is_marked_not_merged(room, fake):
    room.add_item("El origen", tmdb_id=27205)
    copy = room.add_item("Inception")
    queue_item_set_status(item=copy, by=None, status=ItemStatus.WATCHING)
    with recorded(room.room) as events:
        result = _enrich(QueueItem.objects.get(pk=copy.pk), fake)
    assert (result.pk, result.enrichment) == (copy.pk, Enrichment.DUPLICATE)
    assert [(e["action"], e["item"]["enrichment"]) for e in events] == [
        ("enrichment", "pending"),
        ("enrichment", "duplicate"),
    ]
    assert events[-1] == _queue_update("enrichment", _read(room, copy.pk))
    assert result.enrichment_error == enrichment.DUPLICATE_OF.format(title="El origen")
    assert result.tmdb_id is None
    assert QueueItem.objects.filter(room=room.room, status__in=["queued", "watching"]).count() == 2


# POST /api/queue/{id}/enrich


def test_enrich_answers_the_filled_in_item(room, tmdb_on):
    item = room.add_item("Heat", tmdb_id=949)
    response = room.client("bob").post(f"/api/queue/{item.pk}/enrich")
    assert response.status_code == 200
    body = response.json()
    assert (body["enrichment"], body["runtime_minutes"], body["genres"]) == (
        "enriched",
        170,
        ["Action", "Crime"],
    )


def test_enrich_when_tmdb_is_down_is_a_503_with_the_recorded_failure(room, tmdb_on):
    item = room.add_item("Heat", tmdb_id=949)
    tmdb_on.queue("/movie/949", *[Answer(503, b"")] * tmdb_client.ATTEMPTS)
    response = room.client("bob").post(f"/api/queue/{item.pk}/enrich")
    assert (response.status_code, response.json()["error"]) == (503, "tmdb_unavailable")
    assert response.json()["item"]["enrichment"] == "failed"
    assert response["Retry-After"] == "30"
    assert KEY not in response.content.decode()


def test_enrich_of_an_ambiguous_title_is_a_200_saying_so(room, tmdb_on):
    item = room.add_item("Solaris")
    response = room.client("alice").post(f"/api/queue/{item.pk}/enrich")
    assert (response.status_code, response.json()["enrichment"]) == (200, "unmatched")


@pytest.mark.parametrize(
    ("who", "item_of", "status", "error"),
    [
        (None, "room", 401, "not_authenticated"),
        ("junk", "room", 401, "invalid_token"),
        ("mallory", "room", 403, "forbidden"),
        ("bob", "nothing", 404, "not_found"),
    ],
)
def test_enrich_refuses_whoever_may_not(tmdb_on, trio, who, item_of, status, error):
    setup, other = trio
    item = setup.add_item("Heat", tmdb_id=949)
    path = f"/api/queue/{item.pk if item_of == 'room' else 'f' * 24}/enrich"
    tokens = {"bob": setup.tokens["bob"], "mallory": other.tokens["mallory"], "junk": "junk"}
    with recorded(setup.room) as events:
        response = client_for(tokens.get(who)).post(path)
    assert (response.status_code, response.json()["error"]) == (status, error)
    assert events == []
    assert tmdb_on.calls("/movie/949") == 0


def test_enrich_refuses_a_watched_item_and_a_closed_room(room, tmdb_on):
    watched = room.add_item("Heat", tmdb_id=949)
    room.client("alice").post(f"/api/queue/{watched.pk}/watched")
    assert room.client("bob").post(f"/api/queue/{watched.pk}/enrich").status_code == 409
    queued = room.add_item("Inception")
    room.client("alice").patch(f"/api/rooms/{room.room.pk}", {"status": "closed"}, format="json")
    response = room.client("bob").post(f"/api/queue/{queued.pk}/enrich")
    assert (response.status_code, response.json()["error"]) == (409, "room_closed")


def test_enrich_takes_only_post(room, tmdb_on):
    item = room.add_item("Heat")
    response = room.client("bob").get(f"/api/queue/{item.pk}/enrich")
    assert (response.status_code, response["Allow"]) == (405, "POST, OPTIONS")
    assert response.json()["error"] == "method_not_allowed"


def test_adding_while_tmdb_is_configured_marks_the_item_pending(room, tmdb_on):
    response = room.client("bob").post(
        "/api/queue", {"room_id": room.room.pk, "title": "Heat"}, format="json"
    )
    assert response.json()["enrichment"] == "pending"


def test_a_new_year_for_an_unmatched_item_asks_tmdb_again(room, tmdb_on):
    item = _enrich(room.add_item("Solaris"), tmdb_on)
    assert item.enrichment == Enrichment.UNMATCHED
    response = room.client("alice").patch(f"/api/queue/{item.pk}", {"year": 2002}, format="json")
    assert response.json()["enrichment"] == "pending"
    assert _enrich(QueueItem.objects.get(pk=item.pk), tmdb_on).tmdb_id == 2103


def test_a_new_tmdb_id_asks_again_and_a_new_title_of_a_known_film_does_not(room, tmdb_on):
    item = _enrich(room.add_item("Heat", tmdb_id=949), tmdb_on)
    retitled = room.client("alice").patch(
        f"/api/queue/{item.pk}", {"title": "Heat (1995)"}, format="json"
    )
    assert retitled.json()["enrichment"] == "enriched"
    moved = room.client("alice").patch(f"/api/queue/{item.pk}", {"tmdb_id": 27205}, format="json")
    assert moved.json()["enrichment"] == "pending"


def test_adding_without_tmdb_leaves_enrichment_blank(room):
    response = room.client("bob").post(
        "/api/queue", {"room_id": room.room.pk, "title": "Heat"}, format="json"
    )
    assert response.json()["enrichment"] == ""


# In the background, through a real server


@pytest.fixture(scope="module")
def live_tmdb(tmp_path_factory):
    with FakeTMDB(key=KEY) as server:
        env = server_env(
            tmp_path_factory.mktemp("enrich"), TMDB_API_KEY=KEY, TMDB_API_URL=server.url
        )
        migrate(env)
        with daphne(env) as base:
            yield base, server


def _updates(messages: list[dict]) -> list[tuple[str, str, str]]:
    return [
        (m["action"], m["item"]["title"], m["item"]["enrichment"])
        for m in messages
        if m["type"] == "queue_update"
    ]


def test_an_added_item_fills_in_for_everyone_when_tmdb_answers(live_tmdb):
    base, _ = live_tmdb
    room, tokens = live_room(base)
    headers = {"Authorization": f"Bearer {tokens['alice']}"}

    async def scenario():
        async with websockets.connect(ws_url(base, room["id"], "bob", tokens["bob"])) as bob:
            await drain(bob, 0.3)
            started = time.monotonic()
            added = requests.post(
                f"{base}/api/queue",
                json={"room_id": room["id"], "title": "inception"},
                headers=headers,
                timeout=5,
            )
            answered = time.monotonic() - started
            return added, answered, await drain(bob, 2.0)

    added, answered, messages = asyncio.run(scenario())
    assert added.status_code == 201
    assert added.json()["enrichment"] == "pending"
    assert answered < 1.0
    assert _updates(messages) == [
        ("added", "inception", "pending"),
        ("enriched", "inception", "enriched"),
    ]
    enriched = messages[-1]["item"]
    assert (enriched["tmdb_id"], enriched["runtime_minutes"]) == (27205, 148)
    assert json.loads(json.dumps(enriched)) == enriched


def test_a_background_failure_is_shown_and_enrich_retries_it(live_tmdb):
    base, server = live_tmdb
    room, tokens = live_room(base)
    headers = {"Authorization": f"Bearer {tokens['alice']}"}
    server.queue("/movie/949", *[Answer(500, b"")] * tmdb_client.ATTEMPTS)

    async def scenario():
        async with websockets.connect(ws_url(base, room["id"], "bob", tokens["bob"])) as bob:
            await drain(bob, 0.3)
            item = requests.post(
                f"{base}/api/queue",
                json={"room_id": room["id"], "title": "Heat", "tmdb_id": 949},
                headers=headers,
                timeout=5,
            ).json()
            failed = await drain(bob, 4.0)
            retried = requests.post(
                f"{base}/api/queue/{item['id']}/enrich", headers=headers, timeout=10
            )
            return failed, retried, await drain(bob, 1.0)

    failed, retried, after = asyncio.run(scenario())
    assert _updates(failed) == [("added", "Heat", "pending"), ("enrichment", "Heat", "failed")]
    assert failed[-1]["item"]["enrichment_error"] == "TMDB answered 500."
    assert (retried.status_code, retried.json()["enrichment"]) == (200, "enriched")
    assert _updates(after) == [("enrichment", "Heat", "pending"), ("enriched", "Heat", "enriched")]
