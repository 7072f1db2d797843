"""Pick benchmark: how long tonight's pick takes on a big queue, with baselines from the same run.

Starts WatchQueue under daphne on 127.0.0.1 and a free port, with a fresh embedded database in a
temporary data folder, and makes, over the API, a room of MEMBERS members and ITEMS queued items
(a fifth of them shows): each member votes on a third of them, marks a tenth seen and names the
streaming services they have; runtimes, genres and where each item streams are then written in
as TMDB's enrichment would have filled them in. Nobody is connected, so every member is in
tonight. Then it times, PICKS times each:

- `POST /api/queue/room/{id}/select` with every constraint of tonight set (a finish-by time,
  a maximum runtime, genres to include and to exclude, films only, streamable only) and a
  veto from every member;
- the same request in the same room with no constraints and no vetoes (baseline);
- the same request in a room of BASELINE_ITEMS items, no constraints (baseline);
- `GET /api/queue/room/{id}/select/preview` in each of the three.

One pick stands at a time, so before each pick the host starts a new evening
(`POST /api/rooms/{id}/tonight/new`) and, in the constrained room, every member vetoes again;
only the pick's own request is timed. It prints p50, p95 and p99 in ms, the count, and whether
the p99 is under the 50 ms target.

    python bench/pick.py                             # 500 items, 10 members, 200 picks each
    python bench/pick.py --picks 500 --mode round_robin

The README's Performance section has the figures, and the machine and conditions they are from.
"""

import argparse
import json
import os
import platform
import random
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.live_server import daphne, django_shell, migrate, server_env  # noqa: E402

TARGET_P99_MS = 50.0
BASELINE_ITEMS = 40
GENRES = ["Drama", "Comedy", "Action", "Thriller", "Horror", "Romance", "Science Fiction"]
# The members have the first four; items streaming only on the last two are not streamable.
SERVICES = ["Netflix", "Disney Plus", "Amazon Prime Video", "Max", "Mubi", "Apple TV Plus"]
CONSTRAINTS = {
    "max_runtime_minutes": 150,
    "genres_include": ["Drama", "Comedy", "Action"],
    "genres_exclude": ["Horror"],
    "media": "movie",
    "streamable_only": True,
}
NO_CONSTRAINTS = {
    "finish_by": None,
    "max_runtime_minutes": None,
    "genres_include": [],
    "genres_exclude": [],
    "media": "both",
    "streamable_only": False,
}


@dataclass
class Room:
    room_id: str
    item_ids: list[str]
    members: list[requests.Session]  # the host first
    vetoes: list[str] = field(default_factory=list)  # one item per member, vetoed each evening

    @property
    def host(self) -> requests.Session:
        return self.members[0]


def _session(token: str) -> requests.Session:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    return session


def _ok(response: requests.Response) -> dict:
    if response.status_code >= 400:
        raise RuntimeError(f"{response.request.method} {response.url}: {response.text[:300]}")
    return response.json() if response.content else {}


def make_room(base: str, env: dict, members: int, items: int, rng: random.Random) -> Room:
    """The room, made over the API as clients would, with its items filled in."""
    created = _ok(
        requests.post(
            f"{base}/api/rooms",
            json={"name": "Bench night", "members": [{"user_id": "m0", "name": "Member 0"}]},
            timeout=10,
        )
    )
    room_id, code = created["room"]["id"], created["room"]["code"]
    sessions = [_session(created["token"])]
    for number in range(1, members):
        joined = _ok(
            requests.post(
                f"{base}/api/rooms/{code}/join",
                json={"user_id": f"m{number}", "name": f"Member {number}"},
                timeout=10,
            )
        )
        sessions.append(_session(joined["token"]))
    item_ids = []
    for number in range(items):
        media = "tv" if number % 5 == 4 else "movie"
        added = sessions[number % members].post(
            f"{base}/api/queue",
            json={"room_id": room_id, "title": f"Film number {number}", "media_type": media},
            timeout=10,
        )
        item_ids.append(_ok(added)["id"])
    for number, session in enumerate(sessions):
        user_id = f"m{number}"
        for item_id in rng.sample(item_ids, k=len(item_ids) // 3):
            vote = rng.choice(["up", "up", "down"])
            _ok(
                session.post(
                    f"{base}/api/votes", json={"item_id": item_id, "vote": vote}, timeout=10
                )
            )
        for item_id in rng.sample(item_ids, k=len(item_ids) // 10):
            _ok(session.put(f"{base}/api/queue/{item_id}/seen/{user_id}", timeout=10))
        services = rng.sample(SERVICES[:4], k=rng.randint(1, 2))
        _ok(
            session.put(
                f"{base}/api/rooms/{room_id}/members/{user_id}/services",
                json={"services": services},
                timeout=10,
            )
        )
    _fill_in(env, item_ids, rng)
    return Room(room_id=room_id, item_ids=item_ids, members=sessions)


def _fill_in(env: dict, item_ids: list[str], rng: random.Random) -> None:
    """Runtimes, genres and providers, as TMDB's enrichment writes them (one process, one
    transaction: the bench needs the data, not 500 calls to a stand-in for TMDB)."""
    details = {}
    for item_id in item_ids:
        known = rng.random() < 0.9
        stream = rng.sample(SERVICES, k=rng.randint(0, 2)) if known else []
        details[item_id] = {
            "runtime_minutes": rng.randint(80, 200),
            "genres": rng.sample(GENRES, k=rng.randint(1, 3)),
            "providers": (
                {"region": "US", "link": None, "stream": stream, "rent": [], "buy": []}
                if known
                else {}
            ),
        }
    django_shell(
        env,
        "import json\n"
        "from queues.models import QueueItem\n"
        "from watchqueue_site.db import atomic\n"
        f"details = json.loads({json.dumps(json.dumps(details))})\n"
        "items = list(QueueItem.objects.filter(pk__in=list(details)))\n"
        "for item in items:\n"
        "    for name, value in details[item.pk].items():\n"
        "        setattr(item, name, value)\n"
        "with atomic():\n"
        "    QueueItem.objects.bulk_update(items, ['runtime_minutes', 'genres', 'providers'])\n",
    )


def set_constraints(base: str, room: Room, constraints: dict) -> None:
    _ok(room.host.patch(f"{base}/api/rooms/{room.room_id}/tonight", json=constraints, timeout=10))


def new_evening(base: str, room: Room) -> None:
    """Start the next evening (the standing pick goes with the last one), and veto again."""
    _ok(room.host.post(f"{base}/api/rooms/{room.room_id}/tonight/new", timeout=10))
    for session, item_id in zip(room.members, room.vetoes, strict=False):
        _ok(session.post(f"{base}/api/queue/{item_id}/veto", timeout=10))


@dataclass
class Timings:
    ms: list[float] = field(default_factory=list)
    errors: int = 0
    size: int = 0  # bytes of the last answer


def time_picks(base: str, room: Room, picks: int, mode: str | None, warmup: int) -> Timings:
    url = f"{base}/api/queue/room/{room.room_id}/select" + (f"?mode={mode}" if mode else "")
    timings = Timings()
    for number in range(warmup + picks):
        new_evening(base, room)
        started = time.perf_counter()
        response = room.host.post(url, timeout=10)
        elapsed = (time.perf_counter() - started) * 1000
        if number < warmup:
            continue
        if response.status_code == 201:
            timings.ms.append(elapsed)
            timings.size = len(response.content)
        else:
            timings.errors += 1
    return timings


def time_previews(base: str, room: Room, count: int, mode: str | None) -> tuple[Timings, dict]:
    url = f"{base}/api/queue/room/{room.room_id}/select/preview" + (f"?mode={mode}" if mode else "")
    timings = Timings()
    preview = _ok(room.host.get(url, timeout=10))  # warm
    for _ in range(count):
        started = time.perf_counter()
        response = room.host.get(url, timeout=10)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code == 200:
            timings.ms.append(elapsed)
            timings.size = len(response.content)
        else:
            timings.errors += 1
    return timings, preview


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def show(label: str, timings: Timings) -> str:
    values = timings.ms or [float("nan")]
    p99 = percentile(values, 0.99)
    verdict = "under" if p99 < TARGET_P99_MS else "OVER"
    return (
        f"  {label:<20} p50 {percentile(values, 0.5):6.1f} ms   p95 {percentile(values, 0.95):6.1f}"
        f" ms   p99 {p99:6.1f} ms   n={len(timings.ms)}, {timings.errors} errors,"
        f" {timings.size / 1024:.0f} KiB each; p99 {verdict} {TARGET_P99_MS:g} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=10)
    parser.add_argument("--items", type=int, default=500)
    parser.add_argument("--picks", type=int, default=200)
    parser.add_argument("--previews", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--mode", default=None, help="a selection mode; the room's own if unset")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    print(
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f},"
        f" Python {platform.python_version()}; mode {args.mode or 'the room default'}",
        flush=True,
    )
    with tempfile.TemporaryDirectory() as data:
        # Picks are limited per room (PICK_RATE): the bench makes hundreds a minute. A queue
        # holds ROOM_ITEMS_MAX items, 200 unless set.
        env = server_env(
            Path(data), PICK_RATE="1000000/second", ROOM_ITEMS_MAX=str(max(args.items, 200))
        )
        migrate(env)
        with daphne(env) as base:
            started = time.perf_counter()
            big = make_room(base, env, args.members, args.items, rng)
            small = make_room(base, env, args.members, BASELINE_ITEMS, rng)
            print(
                f"Seeded in {time.perf_counter() - started:.0f} s: {args.members} members;"
                f" {args.items} and {BASELINE_ITEMS} items with votes, seen marks and services.",
                flush=True,
            )
            zone = timezone(timedelta(hours=1))
            finish_by = datetime.now(zone) + timedelta(hours=3)
            set_constraints(base, big, {**CONSTRAINTS, "finish_by": finish_by.isoformat()})
            big.vetoes = rng.sample(big.item_ids, k=len(big.members))

            variants = [
                (f"{args.items} items, every constraint, vetoes", big, None),
                (f"{args.items} items, no constraints (baseline)", big, NO_CONSTRAINTS),
                (f"{BASELINE_ITEMS} items, no constraints (baseline)", small, None),
            ]
            for label, room, constraints in variants:
                if constraints is not None:
                    set_constraints(base, room, constraints)
                    room.vetoes = []
                new_evening(base, room)
                previews, preview = time_previews(base, room, args.previews, args.mode)
                picks = time_picks(base, room, args.picks, args.mode, args.warmup)
                eligible, excluded = len(preview["candidates"]), len(preview["excluded"])
                print(f"\n{label}: {eligible} eligible, {excluded} left out", flush=True)
                print(show("POST select", picks), flush=True)
                print(show("GET select/preview", previews), flush=True)


if __name__ == "__main__":
    main()
