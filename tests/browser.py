"""Headless Chromium (Debian's package) driven by Playwright, for tests of what people see."""

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

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


def screenshot(page, name: str, sizes: dict[str, dict] | None = None) -> list[Path]:
    """Photograph the page at a phone's and a TV's size (whole page on the phone)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    taken = []
    before = page.viewport_size
    for label, size in (sizes or {"phone": PHONE, "tv": TV}).items():
        page.set_viewport_size(size)
        page.wait_for_timeout(700)  # arrivals fade in over half a second
        path = SHOTS / f"{name}-{label}.png"
        page.screenshot(path=str(path), full_page=label == "phone")
        taken.append(path)
    page.set_viewport_size(before)
    return taken
