"""A film's details, as people open them from the queue: in headless Chromium on a 360 px phone,
a laptop and the TV, against a real daphne process and a local server that speaks TMDB's JSON
(and draws the posters, backdrops and providers' logos)."""

import re
import time

import pytest
import requests
from playwright.sync_api import expect

from tests.browser import LAPTOP, PHONE, TV, add, api_room, as_member, card, screenshot
from tests.conftest import TMDB_KEY
from tests.fake_tmdb import ROUTES, Answer, FakeTMDB, appended
from tests.live_server import daphne, migrate, server_env

SIZES = {"phone": PHONE, "laptop": LAPTOP, "tv": TV}
HEAT_WATCH = "https://www.themoviedb.org/movie/949-heat/watch?locale=US"
THRONES_WATCH = "https://www.themoviedb.org/tv/1399-game-of-thrones/watch?locale=US"


@pytest.fixture(scope="module")
def site_and_tmdb(tmp_path_factory):
    """The site with its TMDB, so a test can make TMDB slow for one film."""
    with FakeTMDB(key=TMDB_KEY, images=True) as tmdb:
        env = server_env(
            tmp_path_factory.mktemp("details"), TMDB_API_KEY=TMDB_KEY, TMDB_API_URL=tmdb.url
        )
        migrate(env)
        with daphne(env) as base:
            yield base, tmdb


@pytest.fixture(scope="module")
def room(site_and_tmdb):
    """A room whose queue TMDB has filled in: a film, a show and a home video it does not know."""
    base, _ = site_and_tmdb
    room, tokens = api_room(base, "alice", "bob")
    add(base, room, tokens["alice"], "Heat", tmdb_id=949)
    add(base, room, tokens["bob"], "Game of Thrones", media_type="tv", tmdb_id=1399)
    add(base, room, tokens["bob"], "Our holiday video")
    headers = {"Authorization": f"Bearer {tokens['alice']}"}
    deadline = time.monotonic() + 15
    while True:
        items = requests.get(
            f"{base}/api/queue/room/{room['id']}", headers=headers, timeout=5
        ).json()
        if all(item["enrichment"] in ("enriched", "unmatched") for item in items):
            break
        assert time.monotonic() < deadline, items
        time.sleep(0.1)
    return room, tokens


def _page(browser, site_and_tmdb, room, size):
    base, _ = site_and_tmdb
    context, page, watch = as_member(browser, base, room[0], room[1]["alice"], size)
    page.goto(f"/r/{room[0]['id']}")
    expect(page.locator("#conn")).to_have_attribute("data-state", "live")
    expect(card(page, "Heat").locator("img.poster")).to_be_visible()
    return context, page, watch


def _focused_in_sheet(page) -> bool:
    return page.evaluate("Boolean(document.activeElement.closest('#details-sheet'))")


def _focused_title(page) -> str:
    # The sheet hands the focus back on its close event, a moment after it is hidden. A locator,
    # not wait_for_function: the page's CSP forbids the eval that a string predicate needs.
    focused = page.locator(".item-open:focus")
    try:
        expect(focused).to_have_count(1, timeout=2_000)
    except AssertionError:
        return ""
    return focused.text_content()


def _fits(page, label: str) -> None:
    """The sheet sits inside the screen, nothing scrolls sideways; on a phone it is a sheet
    along the bottom, elsewhere a dialog in the middle."""
    view = page.viewport_size
    sheet = page.locator("#details-sheet")
    sheet.evaluate("(sheet) => Promise.all(sheet.getAnimations().map((a) => a.finished))")
    box = sheet.bounding_box()
    assert min(box["x"], box["y"]) >= 0, box
    assert box["x"] + box["width"] <= view["width"] + 0.5, box
    assert box["y"] + box["height"] <= view["height"] + 0.5, box
    sideways = page.evaluate(
        """[document.documentElement.scrollWidth - window.innerWidth,
            (() => { const b = document.getElementById('details-body');
                     return b.scrollWidth - b.clientWidth; })()]"""
    )
    assert max(sideways) <= 0, f"the page, then the sheet, scroll sideways by {sideways}"
    if label == "phone":
        assert (round(box["width"]), round(box["y"] + box["height"])) == (360, view["height"])
    else:
        left, right = box["x"], view["width"] - box["x"] - box["width"]
        assert abs(left - right) <= 1, box
        assert box["width"] <= 980, box


def _loaded(image) -> bool:
    return image.evaluate("(img) => img.complete && img.naturalWidth > 0")


@pytest.mark.parametrize("label", SIZES)
def test_a_film_and_a_show_open_their_details_and_give_the_focus_back(
    site_and_tmdb, room, browser, label
):
    context, page, watch = _page(browser, site_and_tmdb, room, SIZES[label])
    sheet = page.locator("#details-sheet")

    # The film: from its poster on a phone, from its title elsewhere.
    heat = card(page, "Heat")
    opener = heat.locator(".item-poster") if label == "phone" else heat.locator(".item-open")
    opener.click()
    expect(sheet).to_be_visible()
    expect(sheet.locator("#details-title")).to_have_text("Heat")
    assert _focused_in_sheet(page)
    expect(sheet.locator(".details-facts")).to_have_text("1995 · Film · 2 h 50 min")
    expect(sheet.locator(".details-score")).to_have_text("★ 7.9/10 on TMDB · 7,000 votes")
    expect(sheet.locator(".details-overview")).to_have_text(
        "Obsessive master thief Neil McCauley leads a top-notch crew."
    )
    expect(sheet.locator(".item-genres li")).to_have_text(["Action", "Crime"])
    cast = sheet.locator(".details-cast li")
    expect(cast).to_have_count(6)
    expect(cast.first.locator("strong, span")).to_have_text(["Al Pacino", "Lt. Vincent Hanna"])
    expect(cast.last.locator("strong, span")).to_have_text(["Diane Venora", "Justine Hanna"])
    director = sheet.locator(".details-section").filter(has_text="Director")
    expect(director.locator(".details-makers")).to_have_text("Michael Mann")
    trailer = sheet.get_by_role("link", name="Watch the trailer")
    expect(trailer).to_have_attribute("href", "https://www.youtube.com/watch?v=HeatTrailer1")
    expect(trailer).to_have_attribute("target", "_blank")
    stream = sheet.get_by_role("list", name="Stream")
    expect(stream.locator("li")).to_have_text(["Netflix"])
    expect(stream.locator("img")).to_have_attribute("src", re.compile(r"/t/p/w92/netflix\.jpg$"))
    # Apple TV rents and sells it: said once.
    stores = sheet.get_by_role("list", name="Rent or buy")
    expect(stores.locator("li")).to_have_text(["Apple TV"])
    expect(stores.locator("img")).to_have_attribute("src", re.compile(r"/t/p/w92/apple-tv\.jpg$"))
    for image in (stream.locator("img"), sheet.locator(".details-backdrop")):
        expect(image).to_be_visible()
        assert _loaded(image)
    expect(sheet.get_by_role("link", name=re.compile("on TMDB"))).to_have_attribute(
        "href", HEAT_WATCH
    )
    expect(sheet.locator(".details-seasons")).to_have_count(0)
    _fits(page, label)
    for shot in screenshot(page, "details-film", {label: SIZES[label]}, whole=False):
        assert shot.stat().st_size > 5_000
    page.keyboard.press("Escape")
    expect(sheet).to_be_hidden()
    assert _focused_title(page) == "Heat"

    # The show, from its title; closed with the close button.
    card(page, "Game of Thrones").locator(".item-open").click()
    expect(sheet.locator("#details-title")).to_have_text("Game of Thrones")
    assert _focused_in_sheet(page)
    expect(sheet.locator(".details-facts")).to_have_text(
        "2011 · Show · 8 seasons · 1 h 20 min an episode"
    )
    expect(sheet.locator(".details-score")).to_have_text("★ 8.5/10 on TMDB · 24,000 votes")
    expect(sheet.locator(".details-overview")).to_contain_text("Seven noble families")
    expect(sheet.locator(".details-cast li").first.locator("strong, span")).to_have_text(
        ["Emilia Clarke", "Daenerys Targaryen"]
    )
    creators = sheet.locator(".details-section").filter(has_text="Created by")
    expect(creators.locator(".details-makers")).to_have_text("David Benioff, D. B. Weiss")
    seasons = sheet.locator(".details-section").filter(has=page.locator(".details-seasons"))
    expect(seasons.locator("h3")).to_have_text("8 seasons")
    rows = seasons.locator("li")
    expect(rows).to_have_count(8)
    expect(rows.first.locator("span")).to_have_text(["Season 1", "10 episodes", "2011"])
    expect(rows.last.locator("span")).to_have_text(["Season 8", "6 episodes", "2019"])
    expect(sheet.get_by_role("link", name="Watch the trailer")).to_have_attribute(
        "href", "https://www.youtube.com/watch?v=ThronesS1"
    )
    stream = sheet.get_by_role("list", name="Stream")
    expect(stream.locator("li")).to_have_text(["Max"])
    expect(stream.locator("img")).to_have_attribute("src", re.compile(r"/t/p/w92/max\.jpg$"))
    expect(sheet.get_by_role("list", name="Buy").locator("li")).to_have_text(["Apple TV"])
    assert _loaded(stream.locator("img"))
    expect(sheet.get_by_role("link", name=re.compile("on TMDB"))).to_have_attribute(
        "href", THRONES_WATCH
    )
    # Its poster, no backdrop: TMDB has none for it.
    expect(sheet.locator(".details-backdrop")).to_have_count(0)
    expect(sheet.locator(".details-poster img.poster")).to_be_visible()
    _fits(page, label)
    for shot in screenshot(page, "details-show", {label: SIZES[label]}, whole=False):
        assert shot.stat().st_size > 5_000
    sheet.get_by_role("button", name="Close the details").click()
    expect(sheet).to_be_hidden()
    assert _focused_title(page) == "Game of Thrones"

    # The votes still work, and voting opens nothing. The page takes one vote per item at a
    # time: the second click waits for the first one's answer.
    up = heat.locator(".vote-button.up")
    with page.expect_response(lambda response: response.url.endswith("/api/votes")):
        up.click()
    expect(up).to_have_attribute("aria-pressed", "true")
    expect(heat.locator(".score")).to_have_text("+1")
    expect(sheet).to_be_hidden()
    with page.expect_response(lambda response: "/api/votes/" in response.url):
        up.click()
    expect(up).to_have_attribute("aria-pressed", "false")
    expect(heat.locator(".score")).to_have_text("0")
    assert watch.clean() == []
    context.close()


def test_an_item_tmdb_does_not_know_shows_what_it_has_and_says_the_rest_is_unknown(
    site_and_tmdb, room, browser
):
    context, page, watch = _page(browser, site_and_tmdb, room, PHONE)
    card(page, "Our holiday video").locator(".item-open").click()
    sheet = page.locator("#details-sheet")
    expect(sheet.locator("#details-title")).to_have_text("Our holiday video")
    expect(sheet.locator(".details-facts")).to_have_text("Film")
    expect(sheet.locator(".poster-placeholder")).to_be_visible()
    expect(sheet.locator(".details-note")).to_have_text("TMDB has no film or show with this title.")
    expect(sheet.locator(".details-unknown")).to_have_text(
        "Not known: the synopsis, a TMDB score, the cast, the director, a trailer and where to "
        "watch it."
    )
    expect(sheet.locator(".details-section")).to_have_count(0)
    expect(sheet.get_by_role("link")).to_have_count(0)
    _fits(page, "phone")
    screenshot(page, "details-unknown", {"phone": PHONE}, whole=False)
    page.keyboard.press("Escape")
    assert _focused_title(page) == "Our holiday video"
    assert watch.clean() == []
    context.close()


def test_an_open_sheet_fills_in_when_tmdb_answers(site_and_tmdb, room, browser):
    base, tmdb = site_and_tmdb
    body = appended(ROUTES["/movie/2103"], "watch/providers,credits,videos")
    tmdb.queue("/movie/2103", Answer(200, body, delay=2.5))
    context, page, watch = _page(browser, site_and_tmdb, room, LAPTOP)
    add(base, room[0], room[1]["bob"], "Solaris", tmdb_id=2103)
    card(page, "Solaris").locator(".item-open").click()
    sheet = page.locator("#details-sheet")
    expect(sheet.locator(".details-note")).to_have_text("Fetching details from TMDB…")
    expect(sheet.locator(".details-facts")).to_have_text("2002 · Film · 1 h 39 min", timeout=10_000)
    expect(sheet.locator(".details-note")).to_have_count(0)
    expect(sheet.locator(".details-overview")).to_have_text(
        "A psychologist is sent to a station orbiting a distant planet."
    )
    assert _focused_in_sheet(page)
    page.keyboard.press("Escape")
    assert _focused_title(page) == "Solaris"
    assert watch.clean() == []
    context.close()
