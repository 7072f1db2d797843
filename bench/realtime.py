"""Real-time benchmark: votes in, events out, against a baseline measured in the same run.

Starts WatchQueue under daphne on the embedded database, makes ROOMS rooms of CLIENTS members,
connects every member (the last SSE of each room over Server-Sent Events, the others over
WebSocket), then casts votes at RATE per second for SECONDS, half over REST and half as
WebSocket messages (an SSE member always votes over REST). It prints:

- the vote rate sent, and delivery completeness (received / expected, lost, duplicated, and
  the `resync` messages that would tell a client it missed something);
- latency from a vote's request to its arrival at each client, and at the room's last client
  (p50, p95, p99, max);
- server memory per idle connection.

Then it runs the same clients, all over WebSocket and sending their votes as WebSocket
messages, against a minimal broadcast server written with the `websockets` library: the floor
of what Python does on this machine. The figures come out as ratios to it.

With --sweep, it runs WatchQueue alone at each of the given rates and reports the highest one
whose p99 to the room's last client stays under 250 ms.

    python bench/realtime.py                       # 100 rooms x 10 clients, 100 votes/s, 60 s
    python bench/realtime.py --seconds 10 --rate 50 --rooms 20
    python bench/realtime.py --sweep 100,150,200,250 --seconds 30
"""

import argparse
import asyncio
import json
import os
import random
import secrets
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import websockets

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.live_server import daphne, free_port, migrate, server_env  # noqa: E402

ITEMS_PER_ROOM = 5
HTTP_CONNECTIONS = 8
SWEEP_P99_MS = 250.0


@dataclass
class Room:
    room_id: str
    items: list[str]
    members: list[tuple[str, str]]  # (user_id, token)


@dataclass
class Vote:
    sent: float
    last: float = 0.0


@dataclass
class Stats:
    # Each member votes once per rooms x clients / rate seconds, so at most one vote per member
    # is in flight and (room, user_id) names the vote an event is about.
    current: dict[tuple[str, str], Vote] = field(default_factory=dict)
    expected: int = 0
    deliveries: list[float] = field(default_factory=list)
    room_last: list[float] = field(default_factory=list)
    seen: set[tuple[str, int, int]] = field(default_factory=set)
    duplicates: int = 0
    errors: int = 0
    resyncs: int = 0

    def sending(self, key: tuple[str, str], recipients: int) -> None:
        self._finish(key)
        self.current[key] = Vote(sent=time.perf_counter())
        self.expected += recipients

    def arrived(self, key: tuple[str, str]) -> None:
        vote = self.current.get(key)
        if vote is not None:
            now = time.perf_counter()
            self.deliveries.append((now - vote.sent) * 1000)
            vote.last = max(vote.last, now)

    def finish(self) -> None:
        for key in list(self.current):
            self._finish(key)

    def _finish(self, key: tuple[str, str]) -> None:
        vote = self.current.pop(key, None)
        if vote is not None and vote.last:
            self.room_last.append((vote.last - vote.sent) * 1000)


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values) or [0.0]

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    return {"p50": at(0.50), "p95": at(0.95), "p99": at(0.99), "max": ordered[-1]}


def show(figures: dict[str, float]) -> str:
    return "  ".join(f"{name} {value:7.1f} ms" for name, value in figures.items())


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def pid_of_server(port: int) -> int:
    """The process whose command line serves `port` (daphne or the baseline)."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                argv = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if str(port).encode() in argv and any(b"python" in part for part in argv[:1]):
                return int(entry.name)
    raise RuntimeError(f"no process serves port {port}")


def make_rooms(data_dir: Path, rooms: int, clients: int) -> list[Room]:
    """Rooms, members and items, made through the services on the server's database file."""
    os.environ["DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "watchqueue_site.settings")
    import django

    django.setup()
    from django.db import connections

    # Set up once per process: point it at this run's database (a sweep makes one per rate).
    connections.close_all()
    connections["default"].settings_dict["NAME"] = data_dir / "watchqueue.sqlite3"

    from queues.services import queue_item_add
    from rooms.services import room_create, room_join

    made = []
    for number in range(rooms):
        room, host, token = room_create(
            name=f"Bench {number}", members=[{"user_id": "m0", "name": "Member 0"}]
        )
        members = [("m0", token)]
        for index in range(1, clients):
            _, _, joined = room_join(
                code=room.code, name=f"Member {index}", user_id=f"m{index}", address="bench"
            )
            members.append((f"m{index}", joined))
        items = [
            queue_item_add(room=room, by=host, title=f"Film {number}-{i}").pk
            for i in range(ITEMS_PER_ROOM)
        ]
        made.append(Room(room.pk, items, members))
    connections.close_all()
    return made


class HTTPConnection:
    """A tiny keep-alive HTTP/1.1 client, so the load generator costs little."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body: dict, token: str) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        data = json.dumps(body).encode()
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {self.host}\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n"
        )
        self.writer.write(head.encode() + data)
        answer = await self.reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in answer.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        await self.reader.readexactly(length)
        return int(answer.split(b" ", 2)[1])


def received(stats: Stats, room_id: str, index: int, kind: str, message: dict) -> None:
    if kind == "vote_update":
        seen = (room_id, message["seq"], index)
        if seen in stats.seen:
            stats.duplicates += 1
        else:
            stats.seen.add(seen)
            stats.arrived((room_id, message["user_id"]))
    elif kind == "resync":
        stats.resyncs += 1
    elif kind == "error":
        stats.errors += 1


async def listen(
    url: str, room_id: str, index: int, stats: Stats, sockets: dict, gate: asyncio.Semaphore
) -> None:
    async with gate:  # a thousand handshakes at once would time out; open them in batches
        ws = await websockets.connect(url, max_queue=None, ping_interval=None, open_timeout=60)
    async with ws:
        sockets[(room_id, index)] = ws
        async for raw in ws:
            message = json.loads(raw)
            kind = message.get("type")
            if kind == "ping":
                await ws.send('{"type":"pong"}')
            else:
                received(stats, room_id, index, kind, message)


async def listen_sse(
    http: tuple[str, int],
    path: str,
    room_id: str,
    index: int,
    stats: Stats,
    sockets: dict,
    gate: asyncio.Semaphore,
) -> None:
    """An EventSource-like client: one GET, then `event:`/`data:` blocks from a chunked body."""
    async with gate:
        reader, writer = await asyncio.open_connection(*http)
        writer.write(f"GET {path} HTTP/1.1\r\nHost: {http[0]}\r\n\r\n".encode())
        head = await reader.readuntil(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.1 200"):
        raise RuntimeError(f"SSE refused: {head[:40]!r}")
    sockets[(room_id, index)] = writer
    pending = b""
    try:
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip(), 16)
            chunk = await reader.readexactly(size + 2)
            if size == 0:
                return
            pending += chunk[:-2]
            while b"\n\n" in pending:
                block, pending = pending.split(b"\n\n", 1)
                fields = dict(
                    line.split(": ", 1) for line in block.decode().split("\n") if ": " in line
                )
                if "data" in fields:
                    received(
                        stats, room_id, index, fields.get("event", ""), json.loads(fields["data"])
                    )
    except (asyncio.IncompleteReadError, ConnectionError):
        return


async def hang_up(connection) -> None:
    if isinstance(connection, asyncio.StreamWriter):  # an SSE client
        connection.close()
        await connection.wait_closed()
    else:
        await connection.close()


async def rest_vote(free: asyncio.Queue, item: str, value: str, token: str, stats: Stats) -> None:
    connection = await free.get()
    try:
        if await connection.post("/api/votes", {"item_id": item, "vote": value}, token) != 200:
            stats.errors += 1
    finally:
        free.put_nowait(connection)


async def run_load(
    ws_base: str,
    http: tuple[str, int] | None,
    rooms: list[Room],
    rate: float,
    seconds: float,
    server_pid: int,
    sse: int = 0,
) -> dict:
    """Connect every member, vote for `seconds`, and measure. The last `sse` members of each
    room listen over SSE (only with `http`, WatchQueue's address)."""
    stats = Stats()
    sockets: dict = {}
    idle_before = rss_kib(server_pid)
    gate = asyncio.Semaphore(50)
    on_sse = {i for i in range(len(rooms[0].members)) if http and i >= len(rooms[0].members) - sse}
    listeners = [
        asyncio.ensure_future(
            listen_sse(
                http,
                f"/api/events/room/{room.room_id}?token={token}",
                room.room_id,
                i,
                stats,
                sockets,
                gate,
            )
            if i in on_sse
            else listen(
                f"{ws_base}/ws/{room.room_id}/{user}?token={token}",
                room.room_id,
                i,
                stats,
                sockets,
                gate,
            )
        )
        for room in rooms
        for i, (user, token) in enumerate(room.members)
    ]
    while len(sockets) < len(listeners):
        failed = [task for task in listeners if task.done()]
        if failed:
            raise RuntimeError(f"a client could not connect: {failed[0].exception()!r}")
        await asyncio.sleep(0.05)
    await asyncio.sleep(2.0)
    idle_after = rss_kib(server_pid)

    free: asyncio.Queue = asyncio.Queue()
    for _ in range(HTTP_CONNECTIONS if http else 0):
        free.put_nowait(HTTPConnection(*http))
    rng = random.Random(7)
    turns = [(room, index) for index in range(len(rooms[0].members)) for room in rooms]
    votes = int(rate * seconds)
    requests = []
    started = time.perf_counter()
    for number in range(votes):
        room, index = turns[number % len(turns)]
        user_id, token = room.members[index]
        round_ = number // len(turns)
        item = room.items[round_ % len(room.items)]
        # Alternate so that every vote changes something and makes an event.
        value = "up" if (round_ // len(room.items)) % 2 == 0 else "down"
        stats.sending((room.room_id, user_id), len(room.members))
        if http and (index in on_sse or rng.random() < 0.5):
            requests.append(asyncio.ensure_future(rest_vote(free, item, value, token, stats)))
        else:
            message = json.dumps({"type": "vote", "item_id": item, "vote": value})
            await sockets[(room.room_id, index)].send(message)
        delay = started + (number + 1) / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
    elapsed = time.perf_counter() - started
    await asyncio.gather(*requests)
    await asyncio.sleep(5.0)
    stats.finish()
    await asyncio.gather(*(hang_up(c) for c in sockets.values()), return_exceptions=True)
    await asyncio.gather(*listeners, return_exceptions=True)
    received = len(stats.seen)
    return {
        "rate": votes / elapsed,
        "received": received,
        "expected": stats.expected,
        "duplicates": stats.duplicates,
        "errors": stats.errors,
        "resyncs": stats.resyncs,
        "rest_votes": sum(1 for _ in requests),
        "votes": votes,
        "each": percentiles(stats.deliveries),
        "last": percentiles(stats.room_last),
        "kib_per_connection": (idle_after - idle_before) / len(listeners),
    }


def report(name: str, figures: dict) -> None:
    lost = figures["expected"] - figures["received"]
    share = 100 * figures["received"] / max(1, figures["expected"])
    print(f"\n== {name}")
    print(
        f"votes/s sent:               {figures['rate']:.1f}"
        f" ({figures['rest_votes']} of {figures['votes']} over REST)"
    )
    print(
        f"delivered:                  {figures['received']}/{figures['expected']} ({share:.2f}%),"
        f" lost {lost}, duplicated {figures['duplicates']}, errors {figures['errors']},"
        f" resyncs {figures['resyncs']}"
    )
    print(f"latency to each client:     {show(figures['each'])}")
    print(f"latency to the room's last: {show(figures['last'])}")
    print(f"memory per idle connection: {figures['kib_per_connection']:.1f} KiB")


BASELINE_SERVER = r"""
import asyncio, json, sys
import websockets

rooms, seqs = {}, {}

async def handler(ws):
    _, _, room, user = ws.request.path.split("?")[0].split("/")
    rooms.setdefault(room, set()).add(ws)
    try:
        async for raw in ws:
            message = json.loads(raw)
            seqs[room] = seqs.get(room, 0) + 1
            event = {"type": "vote_update", "room_id": room, "seq": seqs[room], "user_id": user,
                     "item_id": message["item_id"], "vote": message["vote"]}
            websockets.broadcast(rooms[room], json.dumps(event))
    finally:
        rooms[room].discard(ws)

async def main():
    async with websockets.serve(handler, "127.0.0.1", int(sys.argv[1]), ping_interval=None):
        await asyncio.Future()

asyncio.run(main())
"""


def run_baseline(rooms: list[Room], rate: float, seconds: float) -> dict:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-c", BASELINE_SERVER, str(port)])
    try:
        time.sleep(1.0)
        url = f"ws://127.0.0.1:{port}"
        return asyncio.run(run_load(url, None, rooms, rate, seconds, process.pid))
    finally:
        process.terminate()
        process.wait()


def measure_watchqueue(args: argparse.Namespace, rate: float) -> tuple[dict, list[Room]]:
    """One run against a fresh server and database."""
    with tempfile.TemporaryDirectory() as tmp:
        env = server_env(Path(tmp), SECRET_KEY=os.environ["SECRET_KEY"])
        migrate(env)
        rooms = make_rooms(Path(tmp), args.rooms, args.clients)
        with daphne(env) as base:
            host, port = base.removeprefix("http://").split(":")
            figures = asyncio.run(
                run_load(
                    base.replace("http", "ws"),
                    (host, int(port)),
                    rooms,
                    rate,
                    args.seconds,
                    pid_of_server(int(port)),
                    sse=args.sse,
                )
            )
    return figures, rooms


def sweep(args: argparse.Namespace) -> None:
    passing = None
    for rate in (float(r) for r in args.sweep.split(",")):
        figures, _ = measure_watchqueue(args, rate)
        report(f"WatchQueue at {rate:g} votes/s", figures)
        complete = figures["received"] == figures["expected"] and not figures["duplicates"]
        if complete and figures["last"]["p99"] < SWEEP_P99_MS:
            passing = rate
    print(
        f"\nhighest rate tried with every event delivered and p99 to the room's last client"
        f" under {SWEEP_P99_MS:g} ms: {f'{passing:g} votes/s' if passing else 'none'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rooms", type=int, default=100)
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--sse", type=int, default=1, help="members per room listening over SSE")
    parser.add_argument("--rate", type=float, default=100.0, help="votes per second")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--sweep", help="comma-separated vote rates to run WatchQueue alone at")
    args = parser.parse_args()
    # The bench signs the members' tokens itself, with the key every server it starts uses.
    os.environ["SECRET_KEY"] = secrets.token_urlsafe(50)
    print(
        f"{args.rooms} rooms x {args.clients} clients ({args.sse} per room over SSE, the others"
        f" over WebSocket), {args.sweep or f'{args.rate:g}'} votes/s for {args.seconds:g} s"
        f" (half REST, half WebSocket)",
        flush=True,
    )
    if args.sweep:
        sweep(args)
        return
    watchqueue, rooms = measure_watchqueue(args, args.rate)
    report("WatchQueue under daphne, embedded SQLite", watchqueue)
    if args.no_baseline:
        return
    baseline = run_baseline(rooms, args.rate, args.seconds)
    report("baseline: bare `websockets` broadcast server, every client over WebSocket", baseline)
    print("\nWatchQueue / baseline:")
    for name in ("each", "last"):
        ratios = "  ".join(
            f"{q} x{watchqueue[name][q] / max(baseline[name][q], 0.001):.0f}"
            for q in ("p50", "p99")
        )
        print(f"  latency to {name:4}: {ratios}")
    memory = watchqueue["kib_per_connection"] / max(baseline["kib_per_connection"], 0.001)
    print(f"  memory per connection: x{memory:.1f}")


if __name__ == "__main__":
    main()
