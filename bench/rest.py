"""REST vote benchmark: the speed-ups against Django's stock path, in one run.

For each variant it starts WatchQueue under daphne on 127.0.0.1 and a free port, with a fresh
embedded database in a temporary data folder of its own, creates a room of CONNECTIONS members
and one item over the API, and then has CONNECTIONS keep-alive connections, each voting as its
own member, cast votes as fast as the server answers: `POST /api/votes`, alternating up and down
so that every vote changes the counts and makes an event. After a warm-up it measures for
SECONDS and prints votes/s and the p50 and p99 latency of a vote. The server stops with the run.

The load comes from wrk with a Lua script when wrk is installed (Debian's `wrk` package), from a
Python loop otherwise. Variants, set through the environment the server's settings read:

    speedups       SPEEDUPS=true: every speed-up (watchqueue_site/speedups/)
    stock          SPEEDUPS=false: Django's stock path

With --rounds N the variants run one after another N times, so that a machine busy with other
work slows them alike, and each variant's median round is reported too.

    python bench/rest.py                                    # every variant, 20 s each
    python bench/rest.py --variants speedups,stock --seconds 30 --rounds 3

The README's Performance section has the figures, and the machine and conditions they are from.
"""

import argparse
import asyncio
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.live_server import daphne, migrate, server_env  # noqa: E402

VARIANTS = {
    "speedups": {"SPEEDUPS": "true"},
    "stock": {"SPEEDUPS": "false"},
}


@dataclass
class Room:
    item_id: str
    tokens: list[str]  # one member's token per connection


@dataclass
class Figures:
    votes_per_second: float
    p50_ms: float
    p99_ms: float
    votes: int
    errors: int


def make_room(base: str, members: int) -> Room:
    """A room with `members` members and one item, made over the API as a client would."""
    created = requests.post(
        f"{base}/api/rooms",
        json={"name": "Bench", "members": [{"user_id": "m0", "name": "Member 0"}]},
        timeout=10,
    )
    created.raise_for_status()
    room, tokens = created.json()["room"], [created.json()["token"]]
    for number in range(1, members):
        joined = requests.post(
            f"{base}/api/rooms/{room['code']}/join",
            json={"user_id": f"m{number}", "name": f"Member {number}"},
            timeout=10,
        )
        joined.raise_for_status()
        tokens.append(joined.json()["token"])
    added = requests.post(
        f"{base}/api/queue",
        json={"room_id": room["id"], "title": "Heat"},
        headers={"Authorization": f"Bearer {tokens[0]}"},
        timeout=10,
    )
    added.raise_for_status()
    return Room(item_id=added.json()["id"], tokens=tokens)


WRK_SCRIPT = """
local tokens = {%(tokens)s}
local item = "%(item)s"
local made = 0

function setup(thread)
  made = made + 1
  thread:set("token", tokens[made])
end

function init(args)
  local headers = {["Authorization"] = "Bearer " .. token,
                   ["Content-Type"] = "application/json"}
  votes = {}
  for i, value in ipairs({"up", "down"}) do
    local body = '{"item_id":"' .. item .. '","vote":"' .. value .. '"}'
    votes[i] = wrk.format("POST", "/api/votes", headers, body)
  end
  sent = 0
end

function request()
  sent = sent + 1
  return votes[(sent - 1) %% 2 + 1]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'FIGURES {"votes":%%d,"us":%%d,"p50_us":%%d,"p99_us":%%d,"errors":%%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.status + e.timeout))
end
"""


def load_with_wrk(base: str, room: Room, seconds: float) -> Figures:
    """One wrk thread per connection, so that each connection is one member voting in turn."""
    tokens = ", ".join(f'"{token}"' for token in room.tokens)
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(WRK_SCRIPT % {"tokens": tokens, "item": room.item_id})
        script.flush()
        connections = str(len(room.tokens))
        command = ["wrk", "-t", connections, "-c", connections, "-d", f"{seconds:g}s"]
        out = subprocess.run(
            [*command, "--timeout", "10s", "-s", script.name, base],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    line = next(line for line in out.splitlines() if line.startswith("FIGURES "))
    figures = json.loads(line.removeprefix("FIGURES "))
    return Figures(
        votes_per_second=figures["votes"] / (figures["us"] / 1e6),
        p50_ms=figures["p50_us"] / 1000,
        p99_ms=figures["p99_us"] / 1000,
        votes=figures["votes"],
        errors=figures["errors"],
    )


async def _vote_loop(
    host: str, port: int, token: str, item_id: str, until: float, latencies: list[float]
) -> int:
    """One keep-alive connection voting as one member until `until`; answers its errors."""
    reader, writer = await asyncio.open_connection(host, port)
    errors, sent = 0, 0
    try:
        while time.perf_counter() < until:
            body = json.dumps({"item_id": item_id, "vote": ("up", "down")[sent % 2]}).encode()
            sent += 1
            head = (
                f"POST /api/votes HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
            )
            started = time.perf_counter()
            writer.write(head.encode() + body)
            answer = await reader.readuntil(b"\r\n\r\n")
            length = next(
                int(line.split(b":")[1])
                for line in answer.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            )
            await reader.readexactly(length)
            latencies.append((time.perf_counter() - started) * 1000)
            errors += answer.split(b" ", 2)[1] != b"200"
    finally:
        writer.close()
    return errors


def load_with_python(base: str, room: Room, seconds: float) -> Figures:
    host, port = base.removeprefix("http://").split(":")
    latencies: list[float] = []

    async def run() -> int:
        until = time.perf_counter() + seconds
        loops = [
            _vote_loop(host, int(port), token, room.item_id, until, latencies)
            for token in room.tokens
        ]
        return sum(await asyncio.gather(*loops))

    started = time.perf_counter()
    errors = asyncio.run(run())
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies) or [0.0]
    return Figures(
        votes_per_second=len(latencies) / elapsed,
        p50_ms=ordered[len(ordered) // 2],
        p99_ms=ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))],
        votes=len(latencies),
        errors=errors,
    )


def measure(variant: str, args: argparse.Namespace) -> Figures:
    """One run of `variant` against a fresh server and database."""
    load = load_with_wrk if shutil.which("wrk") and not args.python else load_with_python
    with tempfile.TemporaryDirectory() as tmp:
        env = server_env(Path(tmp), **VARIANTS[variant])
        migrate(env)
        with daphne(env) as base:
            room = make_room(base, args.connections)
            load(base, room, args.warmup)
            return load(base, room, args.seconds)


def show(variant: str, figures: Figures) -> str:
    return (
        f"{variant:13} {figures.votes_per_second:8.1f} votes/s   p50 {figures.p50_ms:7.1f} ms"
        f"   p99 {figures.p99_ms:7.1f} ms   ({figures.votes} votes, {figures.errors} errors)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--variants", default=",".join(VARIANTS), help="comma-separated")
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--python", action="store_true", help="the Python loop even with wrk")
    args = parser.parse_args()
    variants = args.variants.split(",")
    unknown = set(variants) - set(VARIANTS)
    if unknown:
        parser.error(f"unknown variants {sorted(unknown)}; known: {', '.join(VARIANTS)}")
    load = "wrk" if shutil.which("wrk") and not args.python else "a Python loop"
    print(
        f"{args.connections} connections voting through {load} for {args.seconds:g} s per run"
        f" (after {args.warmup:g} s of warm-up); {os.cpu_count()} cores,"
        f" load average {os.getloadavg()[0]:.2f}, Python {platform.python_version()}",
        flush=True,
    )
    runs: dict[str, list[Figures]] = {variant: [] for variant in variants}
    for number in range(args.rounds):
        if args.rounds > 1:
            print(f"\nround {number + 1}", flush=True)
        for variant in variants:
            figures = measure(variant, args)
            runs[variant].append(figures)
            print(show(variant, figures), flush=True)
    if args.rounds > 1:
        print("\nmedian round (by votes/s)")
        for variant, figures in runs.items():
            by_rate = sorted(figures, key=lambda f: f.votes_per_second)
            print(show(variant, by_rate[len(by_rate) // 2]))
        print("\nmedians of each figure")
        for variant, figures in runs.items():
            print(
                f"{variant:13} {statistics.median(f.votes_per_second for f in figures):8.1f}"
                f" votes/s   p50 {statistics.median(f.p50_ms for f in figures):7.1f} ms"
                f"   p99 {statistics.median(f.p99_ms for f in figures):7.1f} ms"
            )


if __name__ == "__main__":
    main()
