"""Limits before work, against a real daphne: bodies are refused before they are read, headers
and WebSocket messages are bounded, and nothing a refused request carried is written."""

import asyncio
import json
import socket
import time

import pytest
import websockets

from tests.live_clients import drain, live_room, ws_url
from tests.live_server import django_shell

LIMIT = 64 * 1024
COUNTS = (
    "from rooms.models import Room; from queues.models import QueueItem; "
    "from watchqueue_site.models import RoomEvent; "
    "print(Room.objects.count(), QueueItem.objects.count(), RoomEvent.objects.count())"
)


def _connect(base: str) -> socket.socket:
    host, port = base.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=5)
    return sock


def _read_answer(sock: socket.socket) -> tuple[int, dict[str, str], bytes, bool]:
    """(status, headers, body, whether the server closed the connection after it)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    length = int(headers.get("content-length", "0"))
    while len(body) < length and (chunk := sock.recv(65536)):
        body += chunk
    sock.settimeout(3)
    try:
        closed = sock.recv(1) == b""
    except (ConnectionResetError, TimeoutError):
        closed = False
    return status, headers, body, closed


def _chunked(payload: bytes, size: int = 8192) -> bytes:
    parts = [
        f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
        for piece in (payload[i : i + size] for i in range(0, len(payload), size))
    ]
    return b"".join(parts) + b"0\r\n\r\n"


def _counts(env) -> str:
    return django_shell(env, COUNTS).strip()


def test_a_declared_200_mb_body_is_answered_413_before_any_of_it_is_sent(live, env):
    before = _counts(env)
    sock = _connect(live)
    sock.sendall(
        b"POST /api/rooms HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 209715200\r\n\r\n"
    )
    started = time.monotonic()

    status, headers, body, closed = _read_answer(sock)

    assert status == 413
    assert time.monotonic() - started < 2
    assert headers["content-type"] == "application/json"
    assert json.loads(body) == {"error": "too_large", "detail": "The request body is too large."}
    assert closed
    assert _counts(env) == before


def test_a_100_continue_body_over_the_limit_is_refused_without_the_go_ahead(live):
    sock = _connect(live)
    sock.sendall(
        b"POST /api/rooms HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Expect: 100-continue\r\nContent-Length: 1000000\r\n\r\n"
    )

    status, _, body, closed = _read_answer(sock)

    assert status == 413
    assert json.loads(body)["error"] == "too_large"
    assert closed


def test_a_chunked_body_over_the_limit_is_cut_with_413(live, env):
    before = _counts(env)
    name = "x" * (LIMIT + 10_000)
    payload = json.dumps({"name": name, "members": [{"name": "Ann"}]}).encode()
    sock = _connect(live)
    sock.sendall(
        b"POST /api/rooms HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n" + _chunked(payload)
    )

    status, _, body, closed = _read_answer(sock)

    assert status == 413
    assert json.loads(body)["error"] == "too_large"
    assert closed
    assert _counts(env) == before


def test_a_chunked_body_within_the_limit_is_read_whole(live):
    payload = json.dumps({"name": "Chunked night", "members": [{"name": "Ann"}]}).encode()
    sock = _connect(live)
    sock.sendall(
        b"POST /api/rooms HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n" + _chunked(payload, size=7)
    )

    status, _, body, _ = _read_answer(sock)

    assert status == 201, body
    assert json.loads(body)["room"]["name"] == "Chunked night"


def test_headers_over_16_kib_in_all_are_refused_with_400_and_the_connection_closed(live, env):
    before = _counts(env)
    padding = b"".join(b"X-Padding-%d: %s\r\n" % (n, b"a" * 1000) for n in range(17))
    sock = _connect(live)
    sock.sendall(
        b"POST /api/rooms HTTP/1.1\r\nHost: x\r\n"
        + padding
        + b"Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
    )

    status, _, _, closed = _read_answer(sock)

    assert status == 400
    assert closed
    assert _counts(env) == before


def test_one_header_line_over_16_kib_closes_the_connection(live, env):
    before = _counts(env)
    sock = _connect(live)
    sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nX-Padding: " + b"a" * 17_000 + b"\r\n\r\n")

    sock.settimeout(3)
    assert sock.recv(65536) == b""
    assert _counts(env) == before


async def _until_closed(ws) -> None:
    while True:
        await ws.recv()


def test_a_websocket_message_over_the_limit_closes_the_socket_with_1009(live, env):
    room, tokens = live_room(live)
    before = _counts(env)
    message = json.dumps({"type": "queue_add", "title": "x" * (16 * 1024)})

    async def scenario():
        ws = await websockets.connect(ws_url(live, room["id"], "bob", tokens["bob"]))
        await drain(ws, 0.3)
        await ws.send(message)
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(_until_closed(ws), 5)
        return closed.value.rcvd.code if closed.value.rcvd else None

    assert asyncio.run(scenario()) == 1009
    # The presence of bob's socket is the only change it made.
    assert _counts(env).split()[:2] == before.split()[:2]
