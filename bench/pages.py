"""Page benchmark: what a phone downloads and waits for, with baselines from the same run.

Starts WatchQueue under daphne on a fresh embedded database, its static files collected as
scripts/start.sh collects them (with a local stand-in for TMDB that draws the posters), makes a
room of MEMBERS members with ITEMS films and a vote from every member on most of them, and
measures:

- the state a client loads: `GET /api/rooms/{id}/snapshot`, against the baseline of the reads
  it replaces (the room, its queue, its round, and each item's votes), as latency and bytes;
- opening the room in headless Chromium at a phone's size: the time until the page is live with
  every card drawn, and the bytes that crossed the network, as sent (compressed where they
  were), by kind: the app's own (the page, scripts, styles, data, icons, and what its service
  worker fetches to keep) and the posters from elsewhere; first in a fresh browser, then again
  once its service worker holds the app's shell;
- a vote made by someone else, from its REST request to the moment the page shows the new
  count, against the baseline of the same event reaching a bare WebSocket client.

With `--before REF`, the same is measured first on the code at git revision REF (a commit, a
branch), in the same run, and the first visit's figures of both are printed together.

The page follows the browser's language: `--language LANG` opens it in LANG (the browser's
locale and Accept-Language), English unless told; each language has its scripts' words in a
catalog of its own, of its own size.

    python bench/pages.py                  # 10 members, 40 films, 30 votes watched, in English
    python bench/pages.py --before main    # the code at main first, as the baseline
    python bench/pages.py --language de    # the page in German, with the German catalog
    python bench/pages.py --items 100 --votes 50
"""

import argparse
import asyncio
import json
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import requests
import websockets

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser import CHROMIUM, CHROMIUM_ARGS, PHONE  # noqa: E402
from tests.fake_tmdb import FakeTMDB  # noqa: E402
from tests.live_server import collect_static, daphne, migrate, server_env  # noqa: E402

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


def wire_size(response: requests.Response) -> int:
    """The body's bytes as sent: compressed, where it was (the API's reads are)."""
    return int(response.headers.get("Content-Length") or len(response.content))


def state_loads(base: str, room: dict, token: str, item_ids: list[str], rounds: int) -> None:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"

    def snapshot() -> tuple[int, int]:
        answer = session.get(f"{base}/api/rooms/{room['id']}/snapshot", timeout=10)
        return len(answer.content), wire_size(answer)

    def separate() -> tuple[int, int]:
        paths = [
            f"/api/rooms/{room['id']}",
            f"/api/queue/room/{room['id']}",
            f"/api/rooms/{room['id']}/round",
            *(f"/api/votes/item/{item_id}" for item_id in item_ids),
        ]
        answers = [session.get(f"{base}{path}", timeout=10) for path in paths]
        return sum(len(a.content) for a in answers), sum(wire_size(a) for a in answers)

    print(f"\nLoading the room's state ({len(item_ids)} items), {rounds} times each:")
    for name, load in (
        ("snapshot, 1 request", snapshot),
        (f"separate, {3 + len(item_ids)} requests", separate),
    ):
        load()  # warm
        times, size, sent = [], 0, 0
        for _ in range(rounds):
            started = time.perf_counter()
            size, sent = load()
            times.append((time.perf_counter() - started) * 1000)
        print(
            f"  {name:<24} {summary(times)}   {size / 1024:6.1f} KiB, {sent / 1024:5.1f} KiB sent"
        )


def kind_of(response, base: str) -> str:
    """What a response is, by its type: the app's own page, scripts, styles, data or icons, or
    the posters, which come from TMDB's image servers, not from the app."""
    if urlsplit(response.url).netloc != urlsplit(base).netloc:
        return "posters"
    media_type = (response.headers.get("content-type") or "").partition(";")[0]
    for kind, marks in (
        ("page", ("html",)),
        ("scripts", ("javascript",)),
        ("styles", ("css",)),
        ("data", ("json",)),
        ("icons", ("image/",)),
    ):
        if any(mark in media_type for mark in marks):
            return kind
    return "other"


def sent_size(request) -> int:
    """The bytes of a response's body that crossed the network, as sent: 0 for one from the
    browser's cache. Chromium gives no size for the service worker's own script, which is sent
    uncompressed, so its length stands for it."""
    size = request.sizes()["responseBodySize"]
    if size == 0 and request.service_worker is not None:
        return int(request.response().headers.get("content-length") or 0)
    return max(size, 0)


@dataclass
class Visit:
    ms: float
    sent: dict[str, int] = field(default_factory=dict)  # kind: bytes from the network
    from_worker: int = 0  # bytes the page had from its service worker's cache
    language: str = ""  # the language the page came in (its <html lang>)

    def own(self) -> int:
        return sum(size for kind, size in self.sent.items() if kind != "posters")

    def line(self, label: str) -> str:
        parts = ", ".join(
            f"{kind} {size / 1024:.1f}"
            for kind, size in sorted(self.sent.items())
            if size and kind != "posters"
        )
        return (
            f"  {label:<12} {self.ms:7.1f} ms   {self.own() / 1024:6.1f} KiB of the app's own "
            f"({parts}), posters {self.sent.get('posters', 0) / 1024:.1f} KiB"
        )


def open_room(browser, base: str, room: dict, token: str, items: int, language: str, context=None):
    """Open the room page in a browser speaking `language`; (its context, its page, the visit's
    time and bytes)."""
    context = context or browser.new_context(viewport=PHONE, base_url=base, locale=language)
    context.add_cookies([{"name": f"wq_{room['id']}", "value": token, "url": base}])
    page = context.new_page()
    finished = []

    def record(request) -> None:
        finished.append(request)

    # On the context, to see the service worker's own requests too.
    context.on("requestfinished", record)
    started = time.perf_counter()
    page.goto(f"/r/{room['id']}")
    page.wait_for_selector("#conn[data-state=live]")
    page.wait_for_function(
        "(n) => document.querySelectorAll('#queue .item').length === n", arg=items
    )
    visit = Visit(ms=(time.perf_counter() - started) * 1000)
    visit.language = page.evaluate("() => document.documentElement.lang")
    page.wait_for_load_state("networkidle")
    time.sleep(1.0)  # the service worker's install, on a first visit, settles too
    context.remove_listener("requestfinished", record)
    for request in finished:
        response = request.response()
        if response is None:
            continue
        kind = kind_of(response, base)
        # A response the worker answered from its cache (the worker's own fetch of a page or
        # of data is a request of its own, counted as such).
        if response.from_service_worker and request.service_worker is None:
            if kind not in {"page", "data"}:
                visit.from_worker += len(response.body())
            continue
        visit.sent[kind] = visit.sent.get(kind, 0) + sent_size(request)
    return context, page, visit


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


@contextmanager
def checkout(revision: str):
    """The code at a git revision, in a folder of its own for the time of the block."""
    with tempfile.TemporaryDirectory(prefix="watchqueue-before-") as folder:
        archive = subprocess.run(
            ["git", "archive", revision], cwd=ROOT, check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", folder], input=archive, check=True)
        yield Path(folder)


def measure(root: Path, args: argparse.Namespace) -> Visit:
    """Every figure, for the code in `root`; returns the first visit's."""
    from playwright.sync_api import sync_playwright

    with FakeTMDB(key=KEY, images=True) as tmdb, tempfile.TemporaryDirectory() as data:
        static = Path(data) / "static"
        env = server_env(
            Path(data), TMDB_API_KEY=KEY, TMDB_API_URL=tmdb.url, STATIC_ROOT=str(static)
        )
        collect_static(static, root=root)
        migrate(env, root=root)
        with daphne(env, root=root) as base:
            room, tokens, item_ids = make_room(base, args.members, args.items, args.seed)
            print(f"A room of {args.members} members, {args.items} films, votes on 80% of them.")
            state_loads(base, room, tokens["m0"], item_ids, args.rounds)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                context, page, first = open_room(
                    browser, base, room, tokens["m0"], args.items, args.language
                )
                page.close()
                _, page, next_visit = open_room(
                    browser, base, room, tokens["m0"], args.items, args.language, context
                )
                print(
                    f"\nOpening the room on a phone (360 x 740), the browser in {args.language!r}"
                    f" (the page came in {first.language!r}), until live with every card drawn;"
                    "\nthe bytes that crossed the network, as sent, in KiB:"
                )
                print(first.line("first visit"))
                print(next_visit.line("next visit"))
                cached = next_visit.from_worker / 1024
                print(f"  {'':<23}   {cached:6.1f} KiB more from the service worker's cache")
                vote_to_screen(page, base, room, tokens, item_ids, args.votes)
                browser.close()
    return first


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=10)
    parser.add_argument("--items", type=int, default=40)
    parser.add_argument("--votes", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--before", metavar="REF", help="measure the code at this revision first")
    parser.add_argument(
        "--language", metavar="LANG", default="en", help="the browser's language (default: en)"
    )
    args = parser.parse_args()

    if not args.before:
        measure(ROOT, args)
        return
    print(f"== Before: the code at {args.before}\n")
    with checkout(args.before) as before:
        baseline = measure(before, args)
    print("\n== Now: this code\n")
    now = measure(ROOT, args)
    print(
        f"\nA first visit, the app's own bytes: {baseline.own() / 1024:.1f} KiB before, "
        f"{now.own() / 1024:.1f} KiB now"
    )
    print(baseline.line("before"))
    print(now.line("now"))


if __name__ == "__main__":
    main()
