"""Headless Chromium (Debian's package) driven by Playwright, for tests of what people see."""

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Screenshots are kept for people to look at (CI keeps the folder).
SHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"
PHONE = {"width": 360, "height": 740}
LAPTOP = {"width": 1280, "height": 800}
TV = {"width": 1920, "height": 1080}


@contextmanager
def chromium() -> Iterator[object]:
    """A headless browser; the test is skipped, saying why, where Chromium is not installed."""
    if not shutil.which("chromium"):
        pytest.skip("Chromium is not installed (apt-get install chromium); .ci/run installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class Watched:
    """A page whose script errors, failed requests and console errors are all kept, so a test
    can say the page ran clean."""

    def __init__(self, page) -> None:
        self.page = page
        self.errors: list[str] = []
        page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        page.on(
            "console",
            lambda message: (
                self.errors.append(f"console: {message.text}") if message.type == "error" else None
            ),
        )

    def clean(self, *allowed: str) -> list[str]:
        """The errors seen, but those containing one of `allowed`."""
        return [e for e in self.errors if not any(text in e for text in allowed)]


def screenshot(
    page, name: str, sizes: dict[str, dict] | None = None, *, whole: bool = True
) -> list[Path]:
    """Photograph the page at a phone's and a TV's size (whole page on the phone, unless a
    dialog is the point: a whole-page photo stretches the screen a dialog is centred in).
    The whole page is taken on a phone as tall as the page, so that a bar fixed to the
    bottom of the screen is photographed at the bottom, not across the page."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    taken = []
    before = page.viewport_size
    for label, size in (sizes or {"phone": PHONE, "tv": TV}).items():
        page.set_viewport_size(size)
        page.wait_for_timeout(700)  # arrivals fade in over half a second
        if whole and label == "phone":
            for _ in range(3):  # a taller screen may lay the page out taller still
                height = page.evaluate("document.documentElement.scrollHeight")
                if height <= page.viewport_size["height"]:
                    break
                page.set_viewport_size({"width": size["width"], "height": height})
                page.wait_for_timeout(300)
        path = SHOTS / f"{name}-{label}.png"
        page.screenshot(path=str(path))
        taken.append(path)
    page.set_viewport_size(before)
    return taken


def member_context(browser, base: str, viewport=PHONE, **options):
    context = browser.new_context(viewport=viewport, base_url=base, **options)
    context.set_default_timeout(10_000)
    return context


def api_room(base: str, *members: str, **settings) -> tuple[dict, dict[str, str]]:
    """A room made over the API: the first of `members` hosts, the others have joined."""
    created = requests.post(
        f"{base}/api/rooms",
        json={
            "name": "Movie night",
            "members": [{"user_id": members[0], "name": members[0].title(), "avatar": "🦊"}],
            "settings": settings,
        },
        timeout=5,
    ).json()
    tokens = {members[0]: created["token"]}
    for user_id in members[1:]:
        joined = requests.post(
            f"{base}/api/rooms/{created['room']['code']}/join",
            json={"user_id": user_id, "name": user_id.title(), "avatar": "🐻"},
            timeout=5,
        ).json()
        tokens[user_id] = joined["token"]
    return created["room"], tokens


def as_member(browser, base: str, room: dict, token: str, viewport=PHONE, **options):
    """A browser that already holds a member's cookie (or a screen's), as after joining."""
    context = member_context(browser, base, viewport, **options)
    context.add_cookies([{"name": f"wq_{room['id']}", "value": token, "url": base}])
    page = context.new_page()
    return context, page, Watched(page)


def add(base: str, room: dict, token: str, title: str, **fields) -> dict:
    return requests.post(
        f"{base}/api/queue",
        json={"room_id": room["id"], "title": title, **fields},
        headers={"Authorization": f"Bearer {token}"},
        timeout=5,
    ).json()


def call(
    base: str,
    token: str,
    method: str,
    path: str,
    body: dict | None = None,
    *,
    language: str | None = None,
) -> dict:
    """An API call as a member (`path` below /api), which must succeed; its JSON, or {}."""
    headers = {"Authorization": f"Bearer {token}"}
    if language:
        headers["Accept-Language"] = language
    response = requests.request(method, f"{base}/api{path}", json=body, headers=headers, timeout=5)
    assert response.status_code < 300, response.text
    return response.json() if response.content else {}


def card(page, title: str):
    return page.locator("#queue .item").filter(has=page.get_by_role("heading", name=title))
