"""The API docs as a person sees them in a browser on a LAN with no internet."""

from urllib.parse import urlparse

from tests.browser import chromium


def _open(browser, url: str):
    """Open `url`, refusing and recording every request that would leave the machine."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    outside: list[str] = []
    local = urlparse(url).netloc

    def guard(route) -> None:
        if urlparse(route.request.url).netloc in (local, ""):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", guard)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url, wait_until="networkidle")
    return page, outside, errors


def test_swagger_ui_renders_every_tag_from_the_app_alone(live, tmp_path):
    with chromium() as browser:
        page, outside, errors = _open(browser, f"{live}/docs")
        page.wait_for_selector(".opblock-tag", timeout=15000)
        tags = page.locator(".opblock-tag").all_inner_texts()
        page.screenshot(path=str(tmp_path / "docs.png"))
    assert outside == []
    assert errors == []
    assert {"rooms", "queue", "votes", "history"} <= {t.split("\n")[0].strip() for t in tags}


def test_redoc_renders_the_reference_from_the_app_alone(live):
    with chromium() as browser:
        page, outside, errors = _open(browser, f"{live}/redoc")
        page.get_by_role("heading", name="Create a room").wait_for(timeout=15000)
        failed = page.locator("text=Something went wrong").count()
    assert outside == []
    assert errors == []
    assert failed == 0
