"""Clients of a live server for end-to-end tests: a room with its members' tokens, WebSocket URLs
and a reader of every message, and WebSocket and SSE streams read in the background."""

import asyncio
import json
import threading
import time
from collections.abc import Callable

import requests
import websockets


def live_room(base: str) -> tuple[dict, dict[str, str]]:
    """A room made over HTTP: alice hosts, bob and carol have joined; with their tokens."""
    created = requests.post(
        f"{base}/api/rooms",
        json={"name": "Live", "members": [{"user_id": "alice", "name": "Alice", "avatar": "🦊"}]},
        timeout=5,
    ).json()
    tokens = {"alice": created["token"]}
    for user_id in ("bob", "carol"):
        joined = requests.post(
            f"{base}/api/rooms/{created['room']['code']}/join",
            json={"user_id": user_id, "name": user_id.title()},
            timeout=5,
        ).json()
        tokens[user_id] = joined["token"]
    return created["room"], tokens


def ws_url(base: str, room_id: str, user_id: str, token: str, **query: str) -> str:
    extra = "".join(f"&{k}={v}" for k, v in query.items())
    return f"{base.replace('http', 'ws')}/ws/{room_id}/{user_id}?token={token}{extra}"


async def drain(ws, seconds: float) -> list[dict]:
    """Every message the socket receives for `seconds`, answering pings as a client should."""
    received: list[dict] = []
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        try:
            message = json.loads(await asyncio.wait_for(ws.recv(), left))
        except TimeoutError:
            break
        if message["type"] == "ping":
            await ws.send(json.dumps({"type": "pong"}))
            continue
        received.append(message)
    return received


class SSEReader(threading.Thread):
    """Reads an SSE stream in the background into (id, event, data) frames."""

    def __init__(self, url: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(daemon=True)
        self.response = requests.get(url, stream=True, timeout=30, headers=headers or {})
        self.frames: list[dict] = []

    def run(self) -> None:
        frame: dict = {}
        try:
            for line in self.response.iter_lines(decode_unicode=True):
                if line == "":
                    if "event" in frame:
                        self.frames.append(frame)
                    frame = {}
                elif not line.startswith(":") and ":" in line:
                    key, _, value = line.partition(":")
                    frame[key] = value.strip()
        except (requests.RequestException, AttributeError):
            pass

    def close(self) -> None:
        # Shut the socket first: a plain close waits for the blocked read, i.e. for the
        # server's next keep-alive, up to SSE_KEEPALIVE_SECONDS away.
        self.response.raw.shutdown()
        self.response.close()
        self.join(timeout=5)


class WSReader(threading.Thread):
    """Reads a room's WebSocket in the background into `messages`, answering pings as a client
    should; `send` writes to it from the test's thread."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.messages: list[dict] = []
        self._ws = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._connected = threading.Event()
        self._stopping = threading.Event()
        self._failed: BaseException | None = None

    def start(self) -> None:
        """Start reading; returns once the socket is open."""
        super().start()
        if not self._connected.wait(10):
            raise TimeoutError(f"no WebSocket connection to {self.url}")
        if self._failed is not None:
            raise self._failed

    def run(self) -> None:
        asyncio.run(self._read())

    async def _read(self) -> None:
        try:
            self._ws = await websockets.connect(self.url)
        except Exception as failed:
            self._failed = failed
            self._connected.set()
            return
        self._loop = asyncio.get_running_loop()
        self._connected.set()
        async with self._ws as ws:
            while not self._stopping.is_set():
                try:
                    message = json.loads(await asyncio.wait_for(ws.recv(), 0.1))
                except TimeoutError:
                    continue
                except websockets.ConnectionClosed:
                    return
                if message["type"] == "ping":
                    await ws.send(json.dumps({"type": "pong"}))
                    continue
                self.messages.append(message)

    def send(self, message: dict) -> None:
        sent = asyncio.run_coroutine_threadsafe(self._ws.send(json.dumps(message)), self._loop)
        sent.result(timeout=5)

    def close(self) -> None:
        self._stopping.set()
        self.join(timeout=5)


def wait_until(
    condition: Callable[[], bool], seconds: float = 10.0, what: str = "the condition"
) -> None:
    """Poll `condition` until it holds; fail, saying `what`, after `seconds`."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {seconds:g} s waiting for {what}")
        time.sleep(0.02)
