"""The room on a phone, as a group on a sofa holds it: the queue on the first screen under a
compact header, the bar at the bottom with the round and the pick, a round announced, an added
film shown where it landed, suggestions that leave the controls in sight, and voting by swiping
cards. In headless Chromium at 360 x 740 (and 1280 x 800 where the layout differs), against a
real daphne process and a local server that speaks TMDB's JSON, with the others acting over the
API or from browsers of their own."""

import re
import time

import requests
from playwright.sync_api import expect

from tests.browser import LAPTOP, PHONE, add, api_room, as_member, card, screenshot

# Three films TMDB knows (posters, runtimes, genres, providers: the tallest cards) and seven
# it does not (each with a line saying so).
TEN_FILMS = [
    ("Heat", {"tmdb_id": 949}),
    ("Inception", {"tmdb_id": 27205}),
    ("Solaris", {"tmdb_id": 2103}),
    ("Our holiday video", {}),
    ("Paddington 2", {}),
    ("The Grand Budapest Hotel", {}),
    ("Spirited Away", {}),
    ("Arrival", {}),
    ("Knives Out", {}),
    ("Mad Max: Fury Road", {}),
]


def call(base: str, token: str, method: str, path: str, body: dict | None = None):
    return requests.request(
        method,
        f"{base}/api{path}",
        json=body,
        headers={"Authorization": f"Bearer {token}"},
        timeout=5,
    )


def box(locator) -> dict:
    found = locator.bounding_box()
    assert found, f"{locator} has no box: it is not shown"
    return found


def overlap(a: dict, b: dict) -> bool:
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


def no_sideways_scroll(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px"


def shoot(page, name: str, sizes: dict | None = None) -> None:
    """The screen as the person sees it (not the whole page): what is on the first screen is
    the point here."""
    no_sideways_scroll(page)
    for shot in screenshot(page, name, sizes or {"phone": PHONE}, whole=False):
        assert shot.stat().st_size > 5_000


def whole_cards_on_screen(page) -> list[str]:
    """The titles of the cards wholly on screen: inside the viewport and above the bar at the
    bottom (when it shows)."""
    return page.evaluate(
        """() => {
          const bar = document.getElementById('action-bar');
          const shown = bar && bar.offsetParent !== null;
          const barTop = shown ? bar.getBoundingClientRect().top : innerHeight;
          const bottom = Math.min(innerHeight, barTop);
          return [...document.querySelectorAll('#queue .item')]
            .filter((card) => {
              const r = card.getBoundingClientRect();
              const across = r.left >= 0 && r.right <= innerWidth;
              return r.height > 0 && r.top >= 0 && r.bottom <= bottom && across;
            })
            .map((card) => card.querySelector('.item-title').textContent);
        }"""
    )


def a_room_of_ten(site: str, *members: str, **settings) -> tuple[dict, dict[str, str], dict]:
    room, tokens = api_room(site, *members, **settings)
    items = {}
    for title, fields in TEN_FILMS:
        items[title] = add(site, room, tokens[members[0]], title, **fields)
    return room, tokens, items


def live_room(browser, site, room, token, viewport=PHONE):
    context, page, watch = as_member(browser, site, room, token, viewport)
    page.goto(f"/r/{room['id']}")
    expect(page.locator("#conn")).to_have_attribute("data-state", "live")
    return context, page, watch


# The first screen


def test_a_phone_shows_two_whole_cards_under_a_compact_header(site, browser):
    room, tokens, _ = a_room_of_ten(site, "alice", "bob", "carol")
    # Bob is here too, from his own phone: the header shows both faces.
    bob_ctx, _, _ = live_room(browser, site, room, tokens["bob"])
    context, page, watch = live_room(browser, site, room, tokens["alice"])
    expect(page.locator("#queue .item")).to_have_count(10)
    expect(card(page, "Heat").locator(".item-meta")).to_have_text("1995 · 2 h 50 min · Film")
    expect(card(page, "Inception").locator(".item-genres")).to_contain_text("Thriller")
    expect(page.locator("#presence-list li")).to_have_count(2)
    page.wait_for_timeout(600)  # arrivals fade in

    # The header: the room's name, its live state, who is here as faces, one add field.
    expect(page.locator("#room-name")).to_be_in_viewport()
    expect(page.locator("#conn")).to_have_text("Live")
    faces = page.locator("#presence-list .avatar")
    assert [box(face)["height"] for face in faces.all()] == [32, 32]
    expect(page.locator("#presence-list")).to_contain_text("Alice (you)")
    expect(page.locator("#presence-list")).to_contain_text("Bob")
    # The tonight panel is one line until opened.
    expect(page.locator("#tonight-details")).not_to_have_attribute("open", "")
    assert box(page.locator("#tonight"))["height"] <= 52
    add_field = box(page.locator("#add-title"))
    assert add_field["y"] + add_field["height"] < 240
    # The film/show switch shows only once the field is in use.
    expect(page.locator(".add-kind")).to_be_hidden()

    on_screen = whole_cards_on_screen(page)
    assert on_screen[:2] == ["Heat", "Inception"], on_screen
    # The bar at the bottom holds the main actions, whole, at the foot of the screen.
    bar = box(page.locator("#action-bar"))
    assert bar["y"] + bar["height"] == PHONE["height"]
    expect(page.locator("#bar-pick")).to_have_text("Pick for us")
    expect(page.locator("#bar-round-start")).to_have_text("Start a round")
    expect(page.locator("#bar-round-start")).to_have_attribute(
        "aria-label", "Start a 1-minute voting round"
    )
    shoot(page, "phone-1-first-screen")

    # On a laptop the side column holds the round and the pick; there is no bar.
    page.set_viewport_size(LAPTOP)
    expect(page.locator("#action-bar")).to_be_hidden()
    expect(page.locator("#pick-button")).to_be_in_viewport()
    expect(page.locator("#presence-list")).to_contain_text("Alice (you)")
    assert len(whole_cards_on_screen(page)) >= 2
    shoot(page, "phone-1-first-screen", {"laptop": LAPTOP})
    assert watch.clean() == []
    context.close()
    bob_ctx.close()


# The bar at the bottom, and a round announced


def test_the_bar_stays_at_the_bottom_and_counts_down_a_round_announced_by_a_banner(site, browser):
    room, tokens, _ = a_room_of_ten(site, "alice", "bob")
    context, page, watch = live_room(browser, site, room, tokens["alice"])
    laptop_ctx, laptop, laptop_watch = live_room(browser, site, room, tokens["bob"], LAPTOP)
    bar = page.locator("#action-bar")
    banner = page.locator("#round-banner")
    expect(banner).to_be_hidden()

    # Bob starts a round from his laptop: Alice's phone says so at once, above everything.
    laptop.locator("#round-start").click()
    expect(banner).to_be_visible()
    expect(banner.locator(".round-banner-text")).to_have_text(
        re.compile(r"^Vote now!Bob started a voting round\. [01]:\d\d to vote\.$")
    )
    expect(page.locator("#announce-assertive")).to_have_text(
        re.compile(r"^Vote now! Bob started a voting round\. [01]:\d\d to vote\.$")
    )
    banner_box = box(banner)
    assert banner_box["y"] >= 0
    assert banner_box["y"] + banner_box["height"] < PHONE["height"] / 2
    # The bar shows the round: "Vote now" and the time left, going down.
    expect(page.locator("#bar-round-text")).to_have_text(re.compile(r"^Vote now · [01]:\d\d$"))
    expect(page.locator("#bar-pick")).to_be_hidden()
    expect(page.locator("#bar-round-start")).to_be_hidden()
    # On a phone it offers the cards to swipe; the bar is left for the round.
    expect(banner.get_by_role("button", name="Swipe to vote")).to_be_visible()
    # Alice hosts: she may end it from the bar.
    expect(page.locator("#bar-round-end")).to_be_visible()
    shoot(page, "phone-2-round-banner")
    first = page.locator("#bar-round-text").inner_text()
    page.wait_for_timeout(2_100)
    assert page.locator("#bar-round-text").inner_text() != first
    # The laptop starting it sees the banner too, in its own words.
    expect(laptop.locator("#round-banner .round-banner-text")).to_contain_text(
        "You started a voting round."
    )
    expect(laptop.locator("#countdown")).to_have_text(re.compile(r"^[01]:\d\d$"))
    expect(
        laptop.locator("#round-banner").get_by_role("button", name="Swipe to vote")
    ).to_have_count(0)
    shoot(laptop, "phone-2-round-banner", {"laptop": LAPTOP})

    # It goes by itself; the bar stays, whole, at the foot of the screen, however far down.
    expect(banner).to_be_hidden(timeout=12_000)
    page.mouse.wheel(0, 5_000)
    assert_eventually(lambda: page.evaluate("window.scrollY") > 1000)
    bar_box = box(bar)
    assert bar_box["y"] + bar_box["height"] == PHONE["height"]
    assert bar_box["height"] <= 70
    expect(page.locator("#bar-round-text")).to_be_in_viewport()
    # The last card scrolls clear of the bar.
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    last = box(page.locator("#queue .item").last)
    assert last["y"] + last["height"] <= bar_box["y"]
    shoot(page, "phone-3-round-bar")

    # Alice ends it from the bar; the pick is revealed, then stands in the bar.
    page.locator("#bar-round-end").click()
    expect(page.locator("#reveal-dialog")).to_be_visible()
    expect(page.locator("#reveal-title")).not_to_have_text("", timeout=10_000)
    page.locator("#reveal-close").click()
    picked = page.locator("#standing .standing-title").inner_text()
    expect(page.locator("#bar-pick")).to_have_text(f"Tonight: {picked}")
    expect(page.locator("#bar-round")).to_be_hidden()
    expect(page.locator("#bar-round-start")).to_be_hidden()
    bar_box = box(bar)
    assert bar_box["y"] + bar_box["height"] == PHONE["height"]
    shoot(page, "phone-4-pick-in-the-bar")
    assert watch.clean() == []
    assert laptop_watch.clean() == []
    context.close()
    laptop_ctx.close()


# Adding


def test_an_added_film_is_scrolled_into_view_and_lit_up(site, browser):
    room, tokens, _ = a_room_of_ten(site, "alice")
    context, page, watch = live_room(browser, site, room, tokens["alice"])
    expect(page.locator("#queue .item")).to_have_count(10)
    page.fill("#add-title", "The Thing")
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Add", exact=True).click()
    # Newest and unvoted, it lands at the end of the queue, far below the first screen.
    new = card(page, "The Thing")
    expect(page.locator("#queue .item").last).to_have_class(re.compile(r"\bhighlight\b"))
    expect(page.locator("#queue .item .item-title").last).to_have_text("The Thing")
    expect(new).to_be_in_viewport(ratio=1)
    bar = box(page.locator("#action-bar"))
    assert box(new)["y"] + box(new)["height"] <= bar["y"]
    expect(page.locator("#add-title")).to_have_value("")
    expect(page.locator("#announce-polite")).to_have_text("Added The Thing.")
    shoot(page, "phone-5-added")
    # The light goes out after a moment.
    expect(new).not_to_have_class(re.compile(r"\bhighlight\b"), timeout=5_000)
    assert watch.clean() == []
    context.close()


# Suggestions


def assert_controls_in_sight(page) -> None:
    """Neither TMDB's suggestions nor their status line cover the Add button or the
    Film/Show switch, and each control is what a tap on its middle reaches."""
    listbox = box(page.locator("#suggestions"))
    for control in ("#add-form .add-button", "#add-form .add-kind"):
        assert not overlap(listbox, box(page.locator(control))), control
        reached = page.evaluate(
            """(selector) => {
              const r = document.querySelector(selector).getBoundingClientRect();
              const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
              return Boolean(hit && hit.closest(selector));
            }""",
            control,
        )
        assert reached, f"a tap on {control} lands on something else"


def test_suggestions_leave_add_and_the_film_show_switch_in_sight(site, browser):
    room, tokens, _ = a_room_of_ten(site, "alice")
    context, page, watch = live_room(browser, site, room, tokens["alice"])
    page.locator("#add-title").click()
    expect(page.locator(".add-kind")).to_be_visible()
    page.locator("#add-title").press_sequentially("heat", delay=40)
    options = page.locator("#suggestions [role=option]")
    expect(options.first).to_contain_text("Heat")
    assert_controls_in_sight(page)
    # On a phone they come below the controls, in the page's flow: the queue moves down.
    suggestions = box(page.locator("#suggestions"))
    assert suggestions["y"] >= box(page.locator("#add-form .add-kind"))["y"] + 44
    assert box(page.locator("#queue .item").first)["y"] > suggestions["y"] + suggestions["height"]
    shoot(page, "phone-6-suggestions")
    # The switch works while they show.
    page.locator(".add-kind label").filter(has_text="Show").click()
    expect(page.locator("#add-form input[name=media_type][value=tv]")).to_be_checked()
    expect(options.first).to_be_visible()

    # Nothing found: the line that says to press Add leaves Add in sight, and Add adds it.
    page.locator("#add-title").fill("")
    page.locator("#add-title").press_sequentially("Zyxq", delay=40)
    status = page.locator("#suggestions .status")
    expect(status).to_have_text("No suggestions: press Add to add it as typed.")
    assert_controls_in_sight(page)
    shoot(page, "phone-7-no-suggestions")
    page.locator("#add-form .add-button").click()
    expect(card(page, "Zyxq").locator(".item-meta")).to_have_text("Show")

    # On a laptop the list drops below the row, under the field: the controls stay clear.
    page.set_viewport_size(LAPTOP)
    page.locator("#add-title").press_sequentially("incep", delay=40)
    expect(options.first).to_contain_text("Inception")
    assert_controls_in_sight(page)
    listbox = box(page.locator("#suggestions"))
    assert listbox["y"] >= box(page.locator("#add-form .add-button"))["y"] + 44
    shoot(page, "phone-6-suggestions", {"laptop": LAPTOP})
    assert watch.clean() == []
    context.close()


# Swipe to vote


def my_vote(site: str, token: str, item: dict, user_id: str) -> str | None:
    answer = call(site, token, "GET", f"/votes/{item['id']}/{user_id}")
    if answer.status_code == 404:
        return None
    assert answer.status_code == 200, answer.text
    return answer.json()["vote"]


def assert_eventually(check, seconds: float = 5.0) -> None:
    """Asked again until it holds: a vote reaches the server after its card has moved on."""
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "it never came true"
        time.sleep(0.1)


def top_card(page):
    return page.locator("#swipe-stack .swipe-card:not(.swipe-next):not(.swipe-ghost)")


def drag(page, dx: float, *, release: bool = True) -> None:
    """A finger (here a mouse) on the top card, moved sideways by dx in small steps."""
    found = box(top_card(page))
    x, y = found["x"] + found["width"] / 2, found["y"] + found["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 13):
        page.mouse.move(x + dx * step / 12, y + step)
    if release:
        page.mouse.up()


def test_swiping_votes_with_a_finger_or_the_arrow_keys_and_undo_takes_it_back(site, browser):
    room, tokens = api_room(site, "alice", "bob")
    films = {
        title: add(site, room, tokens["alice"], title, **fields)
        for title, fields in [
            ("Heat", {"tmdb_id": 949}),
            ("Inception", {"tmdb_id": 27205}),
            ("Solaris", {"tmdb_id": 2103}),
            ("Our holiday video", {}),
            ("Arrival", {}),
        ]
    }
    # Alice has voted on Solaris already: the cards are the four others.
    call(site, tokens["alice"], "POST", "/votes", {"item_id": films["Solaris"]["id"], "vote": "up"})
    context, page, watch = live_room(browser, site, room, tokens["alice"])
    expect(card(page, "Heat").locator(".item-meta")).to_have_text("1995 · 2 h 50 min · Film")
    vote = lambda title: my_vote(site, tokens["alice"], films[title], "alice")  # noqa: E731

    page.get_by_role("button", name="Swipe").click()
    expect(page.locator("#view-swipe")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#queue")).to_be_hidden()
    expect(page.locator("#swipe-left")).to_have_text("4 of 5 left to vote on")
    top = top_card(page)
    expect(top.locator(".swipe-title")).to_have_text("Heat")
    expect(top.locator(".item-meta")).to_have_text("1995 · 2 h 50 min · Film")
    expect(top.locator(".item-genres")).to_have_text("ActionCrime")
    expect(top.locator("img.poster")).to_be_visible()
    expect(top).to_be_focused()
    # The queue's heading glides to the top; the card, its buttons and the bar then fit the
    # screen at once.
    assert_eventually(lambda: 0 <= box(page.locator("#queue-title"))["y"] <= 20)
    for part in ("#swipe-stack", "#swipe-buttons"):
        found = box(page.locator(part))
        assert found["y"] >= 0
        assert found["y"] + found["height"] <= box(page.locator("#action-bar"))["y"]
    shoot(page, "phone-8-swipe")

    # A short drag springs back and casts nothing.
    drag(page, 40)
    page.wait_for_timeout(400)
    expect(top.locator(".swipe-title")).to_have_text("Heat")
    assert top.evaluate("(card) => getComputedStyle(card).transform") == "matrix(1, 0, 0, 1, 0, 0)"
    assert vote("Heat") is None

    # Dragged right past the threshold, the card leans and tints green, says "Up", and votes up.
    drag(page, 160, release=False)
    expect(top).to_have_attribute("data-lean", "up")
    assert (
        float(top.evaluate("(card) => getComputedStyle(card.querySelector('.stamp-up')).opacity"))
        == 1
    )
    tilt = top.evaluate("(card) => getComputedStyle(card).transform")
    assert tilt.startswith("matrix(")
    assert tilt != "matrix(1, 0, 0, 1, 0, 0)"
    shoot(page, "phone-9-swipe-right")
    page.mouse.up()
    expect(top.locator(".swipe-title")).to_have_text("Inception")
    expect(page.locator("#swipe-left")).to_have_text("3 of 5 left to vote on")
    assert_eventually(lambda: vote("Heat") == "up")

    # Dragged left: down.
    drag(page, -160)
    expect(top.locator(".swipe-title")).to_have_text("Our holiday video")
    assert_eventually(lambda: vote("Inception") == "down")
    # The arrow keys do the same: right for up, left for down.
    page.keyboard.press("ArrowRight")
    expect(top.locator(".swipe-title")).to_have_text("Arrival")
    assert_eventually(lambda: vote("Our holiday video") == "up")
    # The list shows the votes cast here, too.
    expect(page.locator("#queue .item")).to_have_count(5)

    # Undo takes back the last vote, and its card is on top again.
    page.get_by_role("button", name=re.compile("^Undo your vote on Our holiday video")).click()
    expect(top.locator(".swipe-title")).to_have_text("Our holiday video")
    assert_eventually(lambda: vote("Our holiday video") is None)
    expect(page.locator("#announce-polite")).to_have_text(
        "Undone: your vote on Our holiday video is taken back."
    )
    page.locator("#swipe-down").click()
    assert_eventually(lambda: vote("Our holiday video") == "down")
    page.keyboard.press("ArrowLeft")
    assert_eventually(lambda: vote("Arrival") == "down")

    # All done: it says so, and offers the way back to the list.
    done = page.locator("#swipe-done")
    expect(done).to_be_visible()
    expect(done).to_contain_text("All done!")
    expect(done).to_contain_text("You have voted on everything in the queue.")
    expect(page.locator("#swipe-up")).to_be_hidden()
    expect(page.locator("#swipe-undo")).to_be_enabled()
    # (Alice is the only one here, so each film she wants is a match; that news may go.)
    if page.locator("#match-banner").is_visible():
        page.locator("#match-banner").get_by_role("button", name="Dismiss").click()
    shoot(page, "phone-10-swipe-done")
    page.get_by_role("button", name="Back to the list").click()
    expect(page.locator("#queue")).to_be_visible()
    expect(page.locator("#view-list")).to_have_attribute("aria-pressed", "true")
    expect(card(page, "Heat").locator(".vote-button.up")).to_have_attribute("aria-pressed", "true")
    expect(card(page, "Arrival").locator(".vote-button.down")).to_have_attribute(
        "aria-pressed", "true"
    )
    # What the server holds is what was swiped.
    assert [vote(t) for t in films] == ["up", "down", "up", "down", "down"]
    assert watch.clean() == []
    context.close()


def test_a_match_made_by_swiping_is_celebrated_above_the_cards(site, browser):
    room, tokens = api_room(site, "alice", "bob")
    heat = add(site, room, tokens["alice"], "Heat", tmdb_id=949)
    add(site, room, tokens["alice"], "Inception", tmdb_id=27205)
    # Bob is here, on his phone, and wants Heat.
    bob_ctx, bob, _ = live_room(browser, site, room, tokens["bob"])
    call(site, tokens["bob"], "POST", "/votes", {"item_id": heat["id"], "vote": "up"})
    context, page, watch = live_room(browser, site, room, tokens["alice"])
    expect(page.locator("#presence-list li")).to_have_count(2)
    page.get_by_role("button", name="Swipe").click()
    expect(top_card(page).locator(".swipe-title")).to_have_text("Heat")
    drag(page, 170)
    banner = page.locator("#match-banner")
    expect(banner).to_be_visible()
    expect(banner.locator(".match-text")).to_have_text("It's a match! Both of you want Heat.")
    # Above the cards, where a tap on it reaches it and not the card beneath (once it has
    # dropped in).
    on_top = """() => {
      const r = document.querySelector('#match-banner .match-card').getBoundingClientRect();
      const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
      return r.top >= 0 && Boolean(hit && hit.closest('#match-banner'));
    }"""
    assert_eventually(lambda: page.evaluate(on_top))
    expect(page.locator("#swipe")).to_be_visible()
    assert overlap(box(banner.locator(".match-card")), box(page.locator("#swipe")))
    expect(top_card(page).locator(".swipe-title")).to_have_text("Inception")
    shoot(page, "phone-11-swipe-match")
    expect(bob.locator("#match-banner .match-text")).to_have_text(
        "It's a match! Both of you want Heat."
    )
    assert watch.clean() == []
    context.close()
    bob_ctx.close()
