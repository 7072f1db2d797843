"""Revocation end to end: removing a member, signing out other devices, revoking a screen and
closing the room end the channels concerned at once, in every server process, after the event
that says why."""

import asyncio
import json
import time

import requests
import websockets

from realtime.revocation import CLOSE_REVOKED, CLOSE_ROOM_CLOSED
from tests.live_clients import SSEReader, drain, live_room, ws_url
from tests.live_server import daphne


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def closed_within(ws, seconds: float) -> tuple[list[dict], int | None, float]:
    """What the socket receives until it is closed: the messages, the close code and when."""
    received: list[dict] = []
    deadline = time.monotonic() + seconds
    try:
        while (left := deadline - time.monotonic()) > 0:
            message = json.loads(await asyncio.wait_for(ws.recv(), left))
            if message["type"] == "ping":
                await ws.send(json.dumps({"type": "pong"}))
            else:
                received.append(message)
    except websockets.ConnectionClosed as closed:
        return received, closed.rcvd.code if closed.rcvd else None, time.monotonic()
    except TimeoutError:
        pass
    return received, None, time.monotonic()


def stop(reader: SSEReader) -> None:
    if reader.is_alive():
        reader.close()


def ended_within(reader: SSEReader, seconds: float) -> float | None:
    """When the SSE stream ended (its reader thread finished), or None if still open."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not reader.is_alive():
            return time.monotonic()
        time.sleep(0.02)
    return None


def test_a_removed_members_websocket_and_sse_close_within_a_second_across_processes(env, live):
    """bob's channels are on one server process; alice removes him through the other."""
    with daphne(env) as second:
        room, tokens = live_room(live)

        async def scenario():
            ws = await websockets.connect(ws_url(live, room["id"], "bob", tokens["bob"]))
            sse = SSEReader(f"{live}/api/events/room/{room['id']}?token={tokens['bob']}")
            sse.start()
            await drain(ws, 0.5)
            removed = requests.delete(
                f"{second}/api/rooms/{room['id']}/members/bob",
                headers=bearer(tokens["alice"]),
                timeout=5,
            )
            at = time.monotonic()
            assert removed.status_code == 204
            received, code, ws_closed = await closed_within(ws, 3)
            sse_ended = ended_within(sse, 3)
            stop(sse)
            return received, code, ws_closed - at, sse_ended and sse_ended - at, sse.frames

        received, code, ws_after, sse_after, frames = asyncio.run(scenario())

    assert code == CLOSE_REVOKED
    assert ws_after < 1.0
    assert sse_after is not None
    assert sse_after < 1.0
    assert received[-1]["type"] == "member_update"
    assert (received[-1]["action"], received[-1]["member"]["user_id"]) == ("removed", "bob")
    assert frames[-1]["event"] == "member_update"
    # A new connection with the dead token is refused.
    refused = requests.get(
        f"{live}/api/events/room/{room['id']}", headers=bearer(tokens["bob"]), timeout=5
    )
    assert refused.status_code == 401


def test_the_other_members_channels_stay_open_when_one_is_removed(live):
    room, tokens = live_room(live)

    async def scenario():
        carol = await websockets.connect(ws_url(live, room["id"], "carol", tokens["carol"]))
        await drain(carol, 0.3)
        requests.delete(
            f"{live}/api/rooms/{room['id']}/members/bob", headers=bearer(tokens["alice"]), timeout=5
        )
        received, code, _ = await closed_within(carol, 1.0)
        await carol.close()
        return received, code

    received, code = asyncio.run(scenario())
    assert code is None
    assert [m["action"] for m in received if m["type"] == "member_update"] == ["removed"]


def test_signing_out_other_devices_closes_their_channels_and_kills_the_old_token(live):
    room, tokens = live_room(live)

    async def scenario():
        phone = await websockets.connect(ws_url(live, room["id"], "bob", tokens["bob"]))
        laptop = SSEReader(f"{live}/api/events/room/{room['id']}?token={tokens['bob']}")
        laptop.start()
        await drain(phone, 0.3)
        response = requests.post(
            f"{live}/api/rooms/{room['id']}/members/bob/token",
            headers=bearer(tokens["bob"]),
            timeout=5,
        )
        received, code, _ = await closed_within(phone, 2)
        ended = ended_within(laptop, 2)
        stop(laptop)
        return response, received, code, ended

    response, received, code, ended = asyncio.run(scenario())
    assert response.status_code == 200
    assert code == CLOSE_REVOKED
    assert ended is not None
    assert received[-1] == {
        "type": "member_signed_out",
        "room_id": room["id"],
        "seq": received[-1]["seq"],
        "user_id": "bob",
        "token_generation": 1,
    }
    url = f"{live}/api/rooms/{room['id']}"
    assert requests.get(url, headers=bearer(tokens["bob"]), timeout=5).status_code == 401
    fresh = response.json()["token"]
    assert requests.get(url, headers=bearer(fresh), timeout=5).status_code == 200


def test_revoking_a_screen_ends_the_tvs_stream_and_leaves_others_open(live):
    room, tokens = live_room(live)
    tv = requests.post(f"{live}/api/rooms/{room['code']}/screen", json={"label": "TV"}, timeout=5)
    kitchen = requests.post(f"{live}/api/rooms/{room['code']}/screen", timeout=5).json()
    tv_stream = SSEReader(f"{live}/api/events/room/{room['id']}?token={tv.json()['token']}")
    kitchen_stream = SSEReader(f"{live}/api/events/room/{room['id']}?token={kitchen['token']}")
    tv_stream.start()
    kitchen_stream.start()
    time.sleep(0.3)
    listed = requests.get(
        f"{live}/api/rooms/{room['id']}/screens", headers=bearer(tokens["alice"]), timeout=5
    ).json()
    assert [s["label"] for s in listed] == ["TV", ""]

    revoked = requests.delete(
        f"{live}/api/rooms/{room['id']}/screens/{tv.json()['screen']['id']}",
        headers=bearer(tokens["alice"]),
        timeout=5,
    )
    assert revoked.status_code == 204
    assert ended_within(tv_stream, 1.0) is not None
    assert ended_within(kitchen_stream, 0.5) is None
    stop(kitchen_stream)
    stop(tv_stream)
    assert tv_stream.frames[-1]["event"] == "screen_revoked"


def test_closing_the_room_closes_its_websockets_with_their_own_code(live):
    room, tokens = live_room(live)

    async def scenario():
        ws = await websockets.connect(ws_url(live, room["id"], "bob", tokens["bob"]))
        await drain(ws, 0.3)
        requests.patch(
            f"{live}/api/rooms/{room['id']}",
            json={"status": "closed"},
            headers=bearer(tokens["alice"]),
            timeout=5,
        )
        return await closed_within(ws, 2)

    received, code, _ = asyncio.run(scenario())
    assert code == CLOSE_ROOM_CLOSED
    assert received[-1]["type"] == "room_update"
    assert received[-1]["room"]["status"] == "closed"
