"""A server killed with SIGKILL under vote load, twice, loses and doubles nothing.

A real daphne serves votes from members over REST and over WebSockets; it is killed mid-load
and restarted on the same database, twice. Afterwards every item's counts equal a recount of
its votes, every room's events are numbered without a gap, and an SSE client resuming with
Last-Event-ID gets exactly the events after it.
"""

import asyncio
import json
import random
import signal
import threading
import time

import pytest
import requests
import websockets

from tests.live_clients import SSEReader, ws_url
from tests.live_server import django_shell, free_port, migrate, server_env, spawn_daphne, stop

pytestmark = pytest.mark.slow

VOTERS = ("bob", "carol", "dave", "erin")
TITLES = ("Heat", "Ronin", "Alien", "Arrival", "Paprika")

CHECK = """
import json
from queues.models import QueueItem
from rooms.models import Room
from voting.models import Vote
from watchqueue_site.models import RoomEvent

counts = []
for item in QueueItem.objects.all():
    up = Vote.objects.filter(item=item, value="up").count()
    down = Vote.objects.filter(item=item, value="down").count()
    counts.append([item.title, item.upvotes, item.downvotes, item.vote_score, up, down])
events = RoomEvent.objects.order_by("seq")
rooms = {
    room.pk: [room.event_seq, list(events.filter(room_id=room.pk).values_list("seq", flat=True))]
    for room in Room.objects.all()
}
print(json.dumps({"counts": counts, "rooms": rooms, "votes": Vote.objects.count()}))
"""


class Load:
    """Members voting until stopped: two over REST and two over WebSockets, each reconnecting
    whenever the server is gone."""

    def __init__(self, base: str, room: dict, tokens: dict[str, str], items: list[str]) -> None:
        self.base, self.room, self.tokens, self.items = base, room, tokens, items
        self.stopping = threading.Event()
        self.sent = 0
        self.threads = [
            threading.Thread(target=self._rest, args=("bob", 1), daemon=True),
            threading.Thread(target=self._rest, args=("carol", 2), daemon=True),
            threading.Thread(target=lambda: asyncio.run(self._ws("dave", 3)), daemon=True),
            threading.Thread(target=lambda: asyncio.run(self._ws("erin", 4)), daemon=True),
        ]

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def stop(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=15)

    def _rest(self, user_id: str, seed: int) -> None:
        rng = random.Random(seed)
        headers = {"Authorization": f"Bearer {self.tokens[user_id]}"}
        while not self.stopping.is_set():
            body = {"item_id": rng.choice(self.items), "vote": rng.choice(["up", "down"])}
            try:
                requests.post(f"{self.base}/api/votes", json=body, headers=headers, timeout=5)
                self.sent += 1
            except requests.RequestException:
                time.sleep(0.05)

    async def _ws(self, user_id: str, seed: int) -> None:
        rng = random.Random(seed)
        url = ws_url(self.base, self.room["id"], user_id, self.tokens[user_id])
        while not self.stopping.is_set():
            try:
                async with websockets.connect(url, open_timeout=5) as ws:
                    while not self.stopping.is_set():
                        message = {
                            "type": "vote",
                            "item_id": rng.choice(self.items),
                            "vote": rng.choice(["up", "down"]),
                        }
                        await ws.send(json.dumps(message))
                        self.sent += 1
                        await asyncio.sleep(0.01)
            except (OSError, websockets.WebSocketException, TimeoutError):
                await asyncio.sleep(0.05)


def _set_up(base: str) -> tuple[dict, dict[str, str], list[str]]:
    created = requests.post(
        f"{base}/api/rooms",
        json={"name": "Crash night", "members": [{"user_id": "alice", "name": "Alice"}]},
        timeout=5,
    ).json()
    room, tokens = created["room"], {"alice": created["token"]}
    for user_id in VOTERS:
        joined = requests.post(
            f"{base}/api/rooms/{room['code']}/join",
            json={"user_id": user_id, "name": user_id.title()},
            timeout=5,
        ).json()
        tokens[user_id] = joined["token"]
    headers = {"Authorization": f"Bearer {tokens['alice']}"}
    items = [
        requests.post(
            f"{base}/api/queue",
            json={"room_id": room["id"], "title": t},
            headers=headers,
            timeout=5,
        ).json()["id"]
        for t in TITLES
    ]
    return room, tokens, items


def test_two_kill_9s_under_vote_load_lose_and_double_nothing(tmp_path):
    env = server_env(tmp_path)
    migrate(env)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = spawn_daphne(env, port)
    try:
        room, tokens, items = _set_up(base)
        load = Load(base, room, tokens, items)
        load.start()
        for _ in range(2):
            time.sleep(1.5)
            server.send_signal(signal.SIGKILL)
            server.wait()
            server = spawn_daphne(env, port)
        time.sleep(1.5)
        load.stop()
        assert load.sent > 100, "the load never got going"

        checked = json.loads(django_shell(env, CHECK).strip().splitlines()[-1])
        for title, up, down, score, recount_up, recount_down in checked["counts"]:
            assert (up, down, score) == (recount_up, recount_down, recount_up - recount_down), title
        assert checked["votes"] > 0
        for event_seq, seqs in checked["rooms"].values():
            assert seqs == list(range(1, event_seq + 1))

        # Resuming an SSE stream: exactly the events after the one named.
        seq_now = checked["rooms"][room["id"]][0]
        resume_after = seq_now - 5
        sse = SSEReader(
            f"{base}/api/events/room/{room['id']}?token={tokens['alice']}",
            headers={"Last-Event-ID": str(resume_after)},
        )
        sse.start()
        time.sleep(1.0)
        sse.close()
        seqs = [int(frame["id"]) for frame in sse.frames]
        assert seqs[:5] == list(range(resume_after + 1, seq_now + 1))
        assert seqs == list(range(resume_after + 1, resume_after + 1 + len(seqs)))
    finally:
        stop(server)
