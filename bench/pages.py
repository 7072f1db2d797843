"""Page benchmark: what a phone downloads and waits for, with baselines from the same run.

Starts WatchQueue under daphne on a fresh embedded database (with a local stand-in for TMDB that
draws the posters), makes a room of MEMBERS members with ITEMS films and a vote from every
member on most of them, and measures:

- the state a client loads: `GET /api/rooms/{id}/snapshot`, against the baseline of the reads
  it replaces (the room, its queue, its round, and each item's votes), as latency and bytes;
- opening the room in headless Chromium at a phone's size: the time until the page is live with
  every card drawn, and the bytes it fetched by kind; first in a fresh browser, then again once
  its service worker holds the app's shell;
- a vote made by someone else, from its REST request to the moment the page shows the new
  count, against the baseline of the same event reaching a bare WebSocket client.

    python bench/pages.py                  # 10 members, 40 films, 30 votes watched
    python bench/pages.py --items 100 --votes 50
    python bench/pages.py --language de    # a phone set to German
"""

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests
import websockets

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser import CHROMIUM, CHROMIUM_ARGS, PHONE  # noqa: E402
from tests.fake_tmdb import FakeTMDB  # noqa: E402
from tests.live_server import daphne, migrate, server_env  # noqa: E402

KEY = "bench-key"
TITLES = ["Heat", "Inception", "Solaris", "Game of Thrones", "In the Heat of the Night"]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def summary(values_ms: list[float]) -> str:
    return (
        f"p50 {statistics.median(values_ms):6.1f} ms   p95 {percentile(values_ms, 0.95):6.1f} ms"
        f"   max {max(values_ms):6.1f} ms"
    )


def make_room(base: str, members: int, items: int, seed: int) -> tuple[dict, dict, list[str]]:
    rng = random.Random(seed)
    session = requests.Session()
    created = session.post(
        f"{base}/api/rooms",
        json={"name": "Bench night", "members": [{"user_id": "m0", "name": "Member 0"}]},
        timeout=10,
    ).json()
    room, tokens = created["room"], {"m0": created["token"]}
    for index in range(1, members):
        joined = session.post(
            f"{base}/api/rooms/{room['code']}/join",
            json={"user_id": f"m{index}", "name": f"Member {index}", "avatar": "🐻"},
            timeout=10,
        ).json()
        tokens[f"m{index}"] = joined["token"]
    item_ids = []
    for index in range(items):
        title = TITLES[index] if index < len(TITLES) else f"Film number {index}"
        item = session.post(
            f"{base}/api/queue",
            json={"room_id": room["id"], "title": title},
            headers={"Authorization": f"Bearer {tokens[f'm{index % members}']}"},
            timeout=10,
        ).json()
        item_ids.append(item["id"])
    for token in tokens.values():
        for item_id in rng.sample(item_ids, k=int(len(item_ids) * 0.8)):
            session.post(
                f"{base}/api/votes",
                json={"item_id": item_id, "vote": rng.choice(["up", "up", "down"])},
                headers={"Authorization": f"Bearer {token}"},
                timeout=10,
            )
    time.sleep(2.0)  # the background enrichment settles
    return room, tokens, item_ids


def state_loads(base: str, room: dict, token: str, item_ids: list[str], rounds: int) -> None:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"

    def snapshot() -> int:
        return len(session.get(f"{base}/api/rooms/{room['id']}/snapshot", timeout=10).content)

    def separate() -> int:
        size = len(session.get(f"{base}/api/rooms/{room['id']}", timeout=10).content)
        size += len(session.get(f"{base}/api/queue/room/{room['id']}", timeout=10).content)
        size += len(session.get(f"{base}/api/rooms/{room['id']}/round", timeout=10).content)
        for item_id in item_ids:
            size += len(session.get(f"{base}/api/votes/item/{item_id}", timeout=10).content)
        return size

    print(f"\nLoading the room's state ({len(item_ids)} items), {rounds} times each:")
    for name, load in (
        ("snapshot, 1 request", snapshot),
        (f"separate, {3 + len(item_ids)} requests", separate),
    ):
        load()  # warm
        times, size = [], 0
        for _ in range(rounds):
            started = time.perf_counter()
            size = load()
            times.append((time.perf_counter() - started) * 1000)
        print(f"  {name:<24} {summary(times)}   {size / 1024:6.1f} KiB")


def open_room(
    browser, base: str, room: dict, token: str, items: int, context=None, language: str = "en"
):
    """Open the room page; (ms until live with every card drawn, bytes by kind, from SW)."""
    context = context or browser.new_context(viewport=PHONE, base_url=base, locale=language)
    context.add_cookies([{"name": f"wq_{room['id']}", "value": token, "url": base}])
    page = context.new_page()
    fetched: dict[str, int] = {}
    from_worker = [0]

    def count(response) -> None:
        kind = response.request.resource_type
        try:
            size = len(response.body())
        except Exception:
            return
        # The worker answers the shell from its cache; pages it fetches from the network.
        if response.from_service_worker and kind != "document":
            from_worker[0] += size
        else:
            fetched[kind] = fetched.get(kind, 0) + size

    page.on("response", count)
    started = time.perf_counter()
    page.goto(f"/r/{room['id']}")
    page.wait_for_selector("#conn[data-state=live]")
    page.wait_for_function(
        "(n) => document.querySelectorAll('#queue .item').length === n", arg=items
    )
    elapsed = (time.perf_counter() - started) * 1000
    page.wait_for_load_state("networkidle")
    return context, page, elapsed, fetched, from_worker[0]


# Notes, per card, the wall-clock moment its content last changed on screen.
WATCH_CARDS = """() => {
  window.__changed = {};
  const seen = (changes) => {
    for (const change of changes) {
      const node = change.target.nodeType === 1 ? change.target : change.target.parentElement;
      const card = node && node.closest(".item");
      if (card) window.__changed[card.dataset.id] = performance.timeOrigin + performance.now();
    }
  };
  const options = { subtree: true, characterData: true, childList: true };
  new MutationObserver(seen).observe(document.getElementById("queue"), options);
}"""


def vote_to_screen(page, base: str, room: dict, tokens: dict, item_ids: list[str], votes: int):
    """From a REST vote by someone else to the new count on the page, and to a bare socket."""
    voter, token = "m1", tokens["m1"]
    on_page, on_socket = [], []
    received: dict[str, float] = {}
    stop = threading.Event()
    listening = threading.Event()

    async def listen() -> None:
        url = f"{base.replace('http', 'ws')}/ws/{room['id']}/m2?token={tokens['m2']}"
        async with websockets.connect(url) as ws:
            listening.set()
            while not stop.is_set():
                try:
                    message = json.loads(await asyncio.wait_for(ws.recv(), 0.5))
                except TimeoutError:
                    continue
                if message["type"] == "ping":
                    await ws.send(json.dumps({"type": "pong"}))
                if message["type"] == "vote_update" and message["user_id"] == voter:
                    received[message["item_id"]] = time.perf_counter()

    listener = threading.Thread(target=lambda: asyncio.run(listen()), daemon=True)
    listener.start()
    listening.wait(10)
    page.evaluate(WATCH_CARDS)
    session = requests.Session()
    snapshot = session.get(
        f"{base}/api/rooms/{room['id']}/snapshot",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    ).json()
    current = {v["item_id"]: v["vote"] for v in snapshot["votes"] if v["user_id"] == voter}
    for vote_index in range(votes):
        item_id = item_ids[vote_index % len(item_ids)]
        value = "down" if current.get(item_id) == "up" else "up"
        current[item_id] = value
        page.evaluate("() => { window.__changed = {}; }")
        received.pop(item_id, None)
        sent_wall = time.time() * 1000
        sent = time.perf_counter()
        session.post(
            f"{base}/api/votes",
            json={"item_id": item_id, "vote": value},
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        page.wait_for_function("(id) => window.__changed[id] !== undefined", arg=item_id)
        on_page.append(page.evaluate("(id) => window.__changed[id]", item_id) - sent_wall)
        deadline = time.monotonic() + 5
        while item_id not in received and time.monotonic() < deadline:
            time.sleep(0.002)
        if item_id in received:
            on_socket.append((received[item_id] - sent) * 1000)
        time.sleep(0.05)
    stop.set()
    listener.join(5)
    print(f"\nA vote by someone else, {votes} times, from its request to:")
    print(f"  the count on the page      {summary(on_page)}")
    print(f"  a bare WebSocket client    {summary(on_socket)}   (baseline)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=10)
    parser.add_argument("--items", type=int, default=40)
    parser.add_argument("--votes", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--language", default="en", help="the phone's language, such as de (its words weigh more)"
    )
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    with FakeTMDB(key=KEY, images=True) as tmdb, tempfile.TemporaryDirectory() as data:
        env = server_env(Path(data), TMDB_API_KEY=KEY, TMDB_API_URL=tmdb.url)
        migrate(env)
        with daphne(env) as base:
            room, tokens, item_ids = make_room(base, args.members, args.items, args.seed)
            print(f"A room of {args.members} members, {args.items} films, votes on 80% of them.")
            state_loads(base, room, tokens["m0"], item_ids, args.rounds)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                context, page, cold, fetched, _ = open_room(
                    browser, base, room, tokens["m0"], args.items, language=args.language
                )
                page.close()
                _, page, warm, warm_fetched, from_worker = open_room(
                    browser, base, room, tokens["m0"], args.items, context
                )
                print(
                    "\nOpening the room on a phone (360 x 740), until live with every card drawn:"
                )
                for label, ms, kinds in (
                    ("first visit", cold, fetched),
                    ("next visit", warm, warm_fetched),
                ):
                    total = sum(kinds.values()) / 1024
                    parts = ", ".join(f"{k} {v / 1024:.1f}" for k, v in sorted(kinds.items()))
                    print(
                        f"  {label:<12} {ms:7.1f} ms   {total:6.1f} KiB from the network ({parts})"
                    )
                cached = from_worker / 1024
                print(f"  {'':<23}   {cached:6.1f} KiB more from the service worker's cache")
                vote_to_screen(page, base, room, tokens, item_ids, args.votes)
                browser.close()


if __name__ == "__main__":
    main()
