"""The room consumer in-process, through Channels' communicator, on the app's protocol routes
(without `server_started`, which would start the jobs' tick in each test's event loop)."""

import asyncio
import json

import pytest
from asgiref.testing import ApplicationCommunicator
from channels.testing import WebsocketCommunicator

from realtime.consumers import CLOSE_FORBIDDEN, CLOSE_UNAUTHORIZED
from realtime.feed import feed, parse_seq
from selection.services import selection_make
from tests.factories import make_room
from tonight.services import evening_new
from voting.models import Vote
from watchqueue_site.asgi import protocols


def _communicator(room_id: str, user_id: str, token: str | None) -> WebsocketCommunicator:
    query = f"?token={token}" if token else ""
    return WebsocketCommunicator(protocols, f"/ws/{room_id}/{user_id}{query}")


async def _until(communicator: WebsocketCommunicator, type: str) -> dict:
    while True:
        message = json.loads(await communicator.receive_from(timeout=3))
        if message["type"] == type:
            return message


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("user_id", "token", "code"),
    [
        ("alice", None, CLOSE_UNAUTHORIZED),
        ("alice", "junk", CLOSE_UNAUTHORIZED),
        ("bob", "alice", CLOSE_FORBIDDEN),
    ],
)
def test_the_handshake_needs_the_members_own_token(user_id, token, code):
    setup = make_room("alice", "bob")
    token = setup.tokens.get(token, token)

    async def scenario():
        communicator = _communicator(setup.room.pk, user_id, token)
        connected, close_code = await communicator.connect()
        return connected, close_code

    assert asyncio.run(scenario()) == (False, code)


@pytest.mark.django_db(transaction=True)
def test_a_vote_message_casts_the_vote_and_comes_back_as_an_event():
    setup = make_room("alice", "bob")
    item = setup.add_item("Heat")

    async def scenario():
        communicator = _communicator(setup.room.pk, "bob", setup.tokens["bob"])
        connected, _ = await communicator.connect()
        assert connected
        await communicator.send_to(
            text_data=json.dumps({"type": "vote", "item_id": item.pk, "vote": "down"})
        )
        update = await _until(communicator, "vote_update")
        await communicator.disconnect()
        await feed.stop()
        return update

    update = asyncio.run(scenario())
    assert (update["user_id"], update["vote"], update["vote_score"]) == ("bob", "down", -1)
    assert Vote.objects.get().value == "down"


@pytest.mark.django_db(transaction=True)
def test_get_presence_lists_who_is_connected():
    setup = make_room("alice", "bob")

    async def scenario():
        alice = _communicator(setup.room.pk, "alice", setup.tokens["alice"])
        await alice.connect()
        await alice.send_to(text_data=json.dumps({"type": "get_presence"}))
        message = await _until(alice, "presence")
        await alice.disconnect()
        await feed.stop()
        return message

    assert [u["user_id"] for u in asyncio.run(scenario())["users"]] == ["alice"]


@pytest.mark.django_db(transaction=True)
def test_a_thousand_sse_clients_coming_and_going_leave_no_task_or_subscription_behind():
    setup = make_room("alice")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": f"/api/events/room/{setup.room.pk}",
        "query_string": f"token={setup.tokens['alice']}".encode(),
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }

    async def cycle():
        client = ApplicationCommunicator(protocols, scope)
        await client.send_input({"type": "http.request", "body": b"", "more_body": False})
        start = await client.receive_output(timeout=5)
        first = await client.receive_output(timeout=5)
        await client.send_input({"type": "http.disconnect"})
        await client.wait(timeout=5)
        return start["status"], first["body"]

    async def scenario():
        assert await cycle() == (200, b"retry: 3000\n\n")  # the first starts the feed's poll
        before = asyncio.all_tasks()
        answers = {await cycle() for _ in range(1000)}
        await asyncio.sleep(0)
        left = asyncio.all_tasks() - before
        subscribers = feed.subscriber_count()
        await feed.stop()
        return answers, left, subscribers

    answers, left, subscribers = asyncio.run(scenario())
    assert answers == {(200, b"retry: 3000\n\n")}
    assert left == set()
    assert subscribers == 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("since", ["%C2%B2", "%D9%A3", "-1", "%201", "1_0", "9" * 40])
def test_a_since_that_is_not_plain_digits_is_ignored_not_a_server_error(since):
    setup = make_room("alice", "bob")
    setup.add_item("Heat")

    async def scenario():
        communicator = WebsocketCommunicator(
            protocols,
            f"/ws/{setup.room.pk}/bob?token={setup.tokens['bob']}&since={since}",
        )
        connected, _ = await communicator.connect()
        first = json.loads(await communicator.receive_from(timeout=3))
        await communicator.disconnect()
        await feed.stop()
        return connected, first["type"]

    # Connected, with nothing replayed from a number it could not read: the presence list
    # (and the user_joined it records) is what comes first.
    assert asyncio.run(scenario()) in ((True, "user_joined"), (True, "presence"))


@pytest.mark.parametrize(
    ("raw", "seq"),
    [("0", 0), ("42", 42), ("²", None), ("٣", None), ("-1", None), (" 1", None), ("", None)],
)
def test_only_plain_ascii_digits_are_an_event_number(raw, seq):
    assert parse_seq(raw) == seq


@pytest.mark.django_db(transaction=True)
def test_a_pick_refused_by_the_rate_says_when_to_try_again(settings):
    settings.PICK_RATE = (1, 60)
    setup = make_room("alice", "bob")
    setup.add_item("Heat")
    # The room's one pick this minute; then the next evening, so that no pick stands.
    selection_make(room=setup.room, by=setup.host)
    evening_new(room=setup.room, by=setup.host)

    async def scenario():
        communicator = _communicator(setup.room.pk, "bob", setup.tokens["bob"])
        connected, _ = await communicator.connect()
        assert connected
        await communicator.send_to(text_data=json.dumps({"type": "selection", "ref": 2}))
        refused = await _until(communicator, "error")
        await communicator.disconnect()
        await feed.stop()
        return refused

    refused = asyncio.run(scenario())
    assert (refused["status"], refused["error"], refused["ref"]) == (429, "rate_limited", 2)
    assert 1 <= refused["retry_after"] <= 60
