"""Real time end to end: a real daphne process, real WebSocket and SSE clients as different
members, changes made over REST, over a WebSocket message and from another process (the
moderator's service path), and every client receiving each event once, in order."""

import asyncio
import json
import time

import pytest
import requests
import websockets

from tests.live_clients import SSEReader, drain, live_room, ws_url
from tests.live_server import daphne, django_shell, migrate, server_env

PRESENCE = {"user_joined", "user_left"}


def _numbered(messages: list[dict]) -> list[tuple[int, str]]:
    """The numbered events about changes (presence events, numbered too, left out)."""
    return [
        (m["seq"], m["type"])
        for m in messages
        if m.get("seq") is not None and m["type"] not in PRESENCE
    ]


def test_every_change_reaches_every_client_once_and_in_order(live, env):
    room, tokens = live_room(live)
    alice_h = {"Authorization": f"Bearer {tokens['alice']}"}

    async def scenario():
        alice = await websockets.connect(ws_url(live, room["id"], "alice", tokens["alice"]))
        bob = await websockets.connect(ws_url(live, room["id"], "bob", tokens["bob"]))
        sse = SSEReader(f"{live}/api/events/room/{room['id']}?token={tokens['carol']}")
        sse.start()
        await drain(alice, 0.5)
        await drain(bob, 0.2)

        # Over REST.
        item = requests.post(
            f"{live}/api/queue", json={"room_id": room["id"], "title": "Heat"}, headers=alice_h
        ).json()
        # Over a WebSocket message, through the same service.
        await bob.send(json.dumps({"type": "vote", "item_id": item["id"], "vote": "up"}))
        await asyncio.sleep(0.3)
        # From another process, as the moderation site or a management command would.
        django_shell(
            env,
            "from queues.services import item_get, queue_item_update;"
            f"queue_item_update(item=item_get('{item['id']}'), by=None, year=1995)",
        )
        alice_got = await drain(alice, 2.0)
        bob_got = await drain(bob, 0.5)
        await alice.close()
        await bob.close()
        sse.close()
        return item, alice_got, bob_got, sse.frames

    item, alice_got, bob_got, frames = asyncio.run(scenario())
    expected = [("queue_update", "added"), ("vote_update", None), ("queue_update", "updated")]
    for got in (alice_got, bob_got):
        numbered = _numbered(got)
        assert [t for _, t in numbered] == [t for t, _ in expected]
        assert [s for s, _ in numbered] == list(range(numbered[0][0], numbered[0][0] + 3))
        events = [m for m in got if m.get("seq") and m["type"] not in PRESENCE]
        assert events[1]["item_id"] == item["id"]
        assert (events[1]["upvotes"], events[1]["vote_score"], events[1]["user_id"]) == (
            1,
            1,
            "bob",
        )
        assert events[2]["item"]["year"] == 1995
        assert events[2]["item"]["upvotes"] == 1
    # The SSE client may see alice's or bob's arrival too, depending on when it subscribed.
    sse_events = [f for f in frames if "id" in f and f["event"] not in PRESENCE]
    assert [f["event"] for f in sse_events] == [t for t, _ in expected]
    assert [int(f["id"]) for f in sse_events] == [s for s, _ in _numbered(alice_got)]
    assert json.loads(sse_events[2]["data"])["item"]["year"] == 1995


def test_presence_counts_members_not_tabs(live):
    room, tokens = live_room(live)

    async def scenario():
        watcher = await websockets.connect(ws_url(live, room["id"], "alice", tokens["alice"]))
        await drain(watcher, 0.3)
        tab1 = await websockets.connect(ws_url(live, room["id"], "bob", tokens["bob"]))
        tab2 = await websockets.connect(ws_url(live, room["id"], "bob", tokens["bob"]))
        opened = await drain(watcher, 0.5)
        await tab1.close()
        one_closed = await drain(watcher, 0.5)
        await tab2.close()
        both_closed = await drain(watcher, 0.5)
        await watcher.close()
        return opened, one_closed, both_closed

    opened, one_closed, both_closed = asyncio.run(scenario())
    assert [m["user"]["user_id"] for m in opened if m["type"] == "user_joined"] == ["bob"]
    assert [u["user_id"] for u in opened[-1]["users"]] == ["alice", "bob"]
    assert [m for m in one_closed if m["type"] == "user_left"] == []
    assert [m["user"]["user_id"] for m in both_closed if m["type"] == "user_left"] == ["bob"]
    assert [u["user_id"] for u in both_closed[-1]["users"]] == ["alice"]


def test_presence_is_the_same_in_every_server_process(env):
    with daphne(env) as first, daphne(env) as second:
        room, tokens = live_room(first)

        async def scenario():
            alice = await websockets.connect(ws_url(first, room["id"], "alice", tokens["alice"]))
            await drain(alice, 0.3)
            bob = await websockets.connect(ws_url(second, room["id"], "bob", tokens["bob"]))
            greeted = await drain(bob, 0.3)
            joined = await drain(alice, 1.5)  # from the other process, through the poll
            await bob.close()
            left = await drain(alice, 1.5)
            await alice.close()
            return greeted, joined, left

        greeted, joined, left = asyncio.run(scenario())
    (listed,) = [m for m in greeted if m["type"] == "presence"]
    assert [u["user_id"] for u in listed["users"]] == ["alice", "bob"]
    assert [
        (m["type"], m["user"]["user_id"], [u["user_id"] for u in m["users"]]) for m in joined
    ] == [("user_joined", "bob", ["alice", "bob"])]
    assert [(m["type"], [u["user_id"] for u in m["users"]]) for m in left] == [
        ("user_left", ["alice"])
    ]


def test_a_client_that_stops_answering_pings_is_closed(tmp_path):
    env = server_env(tmp_path, WS_HEARTBEAT_INTERVAL="1")
    migrate(env)
    with daphne(env) as base:
        room, tokens = live_room(base)
        url = ws_url(base, room["id"], "alice", tokens["alice"])
        answering, silent = asyncio.run(_heartbeat_scenario(url))
    assert answering is None  # a client that answers stays connected
    closed, seconds = silent
    assert closed.rcvd.code == 4408
    assert 2 <= seconds < 8


async def _heartbeat_scenario(url: str):
    polite = await websockets.connect(url)
    await drain(polite, 3.5)  # answers every ping
    answering = polite.close_code
    await polite.close()

    async def silent():
        ws = await websockets.connect(url)
        started = time.monotonic()
        try:
            while True:  # read without ever answering a ping
                await asyncio.wait_for(ws.recv(), 10)
        except websockets.ConnectionClosed as closed:
            return closed, time.monotonic() - started

    return answering, await silent()


@pytest.mark.parametrize(
    "token_of",
    [
        "bob",  # someone else's token
        "nobody",  # a token that is not one
        "other-room",  # a member of another room
    ],
)
def test_a_wrong_token_is_refused_at_the_handshake(live, token_of):
    room, tokens = live_room(live)
    _, other_tokens = live_room(live)
    token = {"nobody": "not-a-token", "other-room": other_tokens["alice"]}.get(
        token_of, tokens.get(token_of)
    )

    async def scenario():
        await websockets.connect(ws_url(live, room["id"], "alice", token))

    with pytest.raises(websockets.InvalidStatus) as refused:
        asyncio.run(scenario())
    assert refused.value.response.status_code == 403


def test_an_origin_outside_the_allowed_hosts_is_refused(tmp_path):
    env = server_env(tmp_path, ALLOWED_HOSTS="127.0.0.1,localhost")
    migrate(env)
    with daphne(env) as base:
        room, tokens = live_room(base)
        url = ws_url(base, room["id"], "alice", tokens["alice"])

        async def connect(origin):
            ws = await websockets.connect(url, origin=origin)
            await ws.close()

        asyncio.run(connect(f"{base}"))  # the app's own page
        with pytest.raises(websockets.InvalidStatus):
            asyncio.run(connect("http://elsewhere.example"))


def test_a_malformed_or_unknown_message_gets_an_error_and_the_socket_stays_open(live):
    room, tokens = live_room(live)

    async def scenario():
        ws = await websockets.connect(ws_url(live, room["id"], "alice", tokens["alice"]))
        await drain(ws, 0.3)
        replies = []
        for raw in (
            "not json",
            "[1, 2]",
            json.dumps({"type": "fly"}),
            json.dumps({"type": "vote", "item_id": "nope", "vote": "up", "ref": 7}),
            json.dumps({"type": "queue_add", "title": ""}),
        ):
            await ws.send(raw)
            replies += [m for m in await drain(ws, 0.4) if m["type"] == "error"]
        await ws.send(json.dumps({"type": "queue_add", "title": "Still here"}))
        after = await drain(ws, 0.5)
        await ws.close()
        return replies, after

    replies, after = asyncio.run(scenario())
    assert [r["error"] for r in replies] == [
        "malformed_message",
        "malformed_message",
        "unknown_type",
        "invalid",
        "invalid",
    ]
    assert replies[3]["ref"] == 7
    assert replies[3]["fields"] == {"item_id": ["Must be a 24-character hexadecimal id."]}
    assert [m["item"]["title"] for m in after if m["type"] == "queue_update"] == ["Still here"]


@pytest.mark.parametrize("how", ["Last-Event-ID", "last_event_id"])
def test_an_sse_stream_resumes_from_last_event_id_with_exactly_what_was_missed(live, how):
    """Browsers send the header when they reconnect; the site's page, starting from a snapshot,
    sends the query parameter."""
    room, tokens = live_room(live)
    alice_h = {"Authorization": f"Bearer {tokens['alice']}"}
    for title in ("Heat", "Ronin", "Alien"):
        requests.post(
            f"{live}/api/queue",
            json={"room_id": room["id"], "title": title},
            headers=alice_h,
            timeout=5,
        )
    events = requests.get(f"{live}/api/rooms/{room['id']}", headers=alice_h, timeout=5).json()
    last = events["event_seq"]
    url = f"{live}/api/events/queue/{room['id']}?token={tokens['bob']}"
    if how == "Last-Event-ID":
        sse = SSEReader(url, headers={"Last-Event-ID": str(last - 2)})
    else:
        sse = SSEReader(f"{url}&last_event_id={last - 2}")
    sse.start()
    time.sleep(1.0)
    sse.close()
    assert [(int(f["id"]), json.loads(f["data"])["item"]["title"]) for f in sse.frames] == [
        (last - 1, "Ronin"),
        (last, "Alien"),
    ]


def test_sse_needs_a_token_of_that_room_and_says_why_in_json_as_the_api_does(live):
    room, tokens = live_room(live)
    other, other_tokens = live_room(live)
    screen = requests.post(f"{live}/api/rooms/{other['code']}/screen", timeout=5)
    other_screen = screen.json()["token"]
    url = f"{live}/api/events/room/{room['id']}"
    refusals = {
        "no token": (url, {}, 401, "not_authenticated"),
        "junk token": (f"{url}?token=junk", {}, 401, "invalid_token"),
        "junk cookie": (url, {"Cookie": f"wq_{room['id']}=junk"}, 401, "invalid_token"),
        "bad header": (url, {"Authorization": "Basic YWxpY2U6"}, 401, "invalid_token"),
        "other room": (f"{url}?token={other_tokens['alice']}", {}, 403, "forbidden"),
        "other screen": (f"{url}?token={other_screen}", {}, 403, "forbidden"),
        "other cookie": (
            url,
            {"Cookie": f"wq_{room['id']}={other_tokens['alice']}"},
            403,
            "forbidden",
        ),
        "unknown room": (
            f"{live}/api/events/room/{'0' * 24}?token={tokens['bob']}",
            {},
            404,
            "not_found",
        ),
    }
    for why, (target, headers, status, error) in refusals.items():
        headers = {"Accept": "text/event-stream", **headers}
        response = requests.get(target, headers=headers, timeout=5)
        assert response.status_code == status, why
        assert response.headers["Content-Type"] == "application/json", why
        assert response.json()["error"] == error, why
        assert response.json()["detail"], why
        if status == 401:
            assert response.headers["WWW-Authenticate"] == 'Bearer realm="api"', why


def test_clients_that_go_away_leave_no_subscription_behind(live):
    room, tokens = live_room(live)
    url = f"{live}/api/events/room/{room['id']}?token={tokens['bob']}"
    for _ in range(1000):
        with requests.get(url, stream=True, timeout=5) as response:
            assert next(response.iter_lines()) == b"retry: 3000"

    async def websockets_come_and_go():
        for _ in range(50):
            ws = await websockets.connect(ws_url(live, room["id"], "alice", tokens["alice"]))
            await ws.close()

    asyncio.run(websockets_come_and_go())
    deadline = time.monotonic() + 5
    while (count := _subscribers(live)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert count == 0


def _subscribers(base: str) -> int:
    return requests.get(f"{base}/health", timeout=5).json()["realtime_subscribers"]


def test_a_round_ends_with_its_pick_at_the_deadline_without_anyone_asking(live, env):
    room, tokens = live_room(live)
    alice_h = {"Authorization": f"Bearer {tokens['alice']}"}
    requests.post(
        f"{live}/api/queue",
        json={"room_id": room["id"], "title": "Heat"},
        headers=alice_h,
        timeout=5,
    )
    started = requests.post(
        f"{live}/api/rooms/{room['id']}/round", json={}, headers=alice_h, timeout=5
    ).json()

    async def scenario():
        ws = await websockets.connect(ws_url(live, room["id"], "bob", tokens["bob"]))
        await drain(ws, 0.3)
        # Move the deadline into the past, as time passing would.
        django_shell(
            env,
            "from voting.models import VotingRound;"
            f"VotingRound.objects.filter(pk='{started['id']}').update(ends_at='2000-01-01T00:00Z')",
        )
        got = await drain(ws, 2.5)
        await ws.close()
        return got

    ended = [m for m in asyncio.run(scenario()) if m["type"] == "voting_round_end"]
    assert len(ended) == 1
    assert ended[0]["round"]["id"] == started["id"]
    assert ended[0]["selection"]["item_title"] == "Heat"


def test_the_sites_own_page_connects_with_its_cookie_and_another_sites_page_cannot(live):
    room, tokens = live_room(live)
    url = f"{live.replace('http', 'ws')}/ws/{room['id']}/bob"
    cookie = {"Cookie": f"wq_{room['id']}={tokens['bob']}"}

    async def connect(origin: str) -> list[dict]:
        async with websockets.connect(url, origin=origin, additional_headers=cookie) as ws:
            return await drain(ws, 0.3)

    assert [m["type"] for m in asyncio.run(connect(live))][-1] == "presence"
    with pytest.raises(websockets.InvalidStatus) as refused:
        asyncio.run(connect("http://evil.example"))
    assert refused.value.response.status_code == 403


def test_an_sse_stream_takes_the_rooms_cookie_and_a_screens_token(live):
    room, tokens = live_room(live)
    screen = requests.post(f"{live}/api/rooms/{room['code']}/screen", timeout=5).json()["token"]
    url = f"{live}/api/events/room/{room['id']}"
    for token in (tokens["carol"], screen):
        # What a page's EventSource sends: the cookie, and Accept: text/event-stream.
        headers = {"Cookie": f"wq_{room['id']}={token}", "Accept": "text/event-stream"}
        reader = SSEReader(url, headers=headers)
        assert reader.response.headers["Content-Type"] == "text/event-stream; charset=utf-8"
        assert reader.response.headers["Cache-Control"] == "no-cache"
        reader.start()
        time.sleep(0.3)
        requests.post(
            f"{live}/api/queue",
            json={"room_id": room["id"], "title": f"Seen by {token[:6]}"},
            headers={"Authorization": f"Bearer {tokens['alice']}"},
            timeout=5,
        )
        time.sleep(0.5)
        reader.close()
        assert [f["event"] for f in reader.frames] == ["queue_update"]


def test_two_server_processes_give_every_client_every_change_once_whoever_made_it(env, live):
    """Two daphne processes on one database, as behind a load balancer: each process's own
    changes reach its clients at once, the other's through the change stream on MongoDB or the
    poll on SQLite; each client gets each change once, in order."""
    with daphne(env) as second:
        room, tokens = live_room(live)
        headers = {"Authorization": f"Bearer {tokens['alice']}"}

        async def scenario():
            on_first = await websockets.connect(ws_url(live, room["id"], "bob", tokens["bob"]))
            on_second = await websockets.connect(
                ws_url(second, room["id"], "carol", tokens["carol"])
            )
            await drain(on_first, 0.5)
            await drain(on_second, 0.5)
            for index, server in enumerate([live, second, live, second, second, live]):
                requests.post(
                    f"{server}/api/queue",
                    json={"room_id": room["id"], "title": f"Film {index}"},
                    headers=headers,
                    timeout=5,
                )
            got = [await drain(ws, 2.0) for ws in (on_first, on_second)]
            for ws in (on_first, on_second):
                await ws.close()
            return got

        first_got, second_got = asyncio.run(scenario())
    for received in (first_got, second_got):
        added = [(m["seq"], m["item"]["title"]) for m in received if m["type"] == "queue_update"]
        assert [title for _, title in added] == [f"Film {i}" for i in range(6)]
        assert [seq for seq, _ in added] == sorted({seq for seq, _ in added})
