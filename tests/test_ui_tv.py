"""The living-room TV, as a sofa sees it: a screen that never scrolls, whatever the queue holds
(it turns pages, and says which), the leader's backdrop behind it, the pick revealed and gone
again with its reason in words, a closed or deleted room said so, and one join code: the one
the phones around can open. In headless Chromium against real daphne processes, at a TV's
1920 x 1080 and 1280 x 720 and a phone's 360 x 740."""

import re
import time

import pytest
import requests
from playwright.sync_api import expect

from tests.browser import PHONE, TV, add, api_room, as_member, call, card, screenshot
from tests.live_server import daphne, migrate, server_env
from web import invite

SMALL_TV = {"width": 1280, "height": 720}
TV_SIZES = {"tv": TV, "tv720": SMALL_TV}
LOOPBACK = re.compile(r"127\.0\.0\.1|localhost|\[::1\]", re.I)
FILMS = [
    "Alien", "Amélie", "Arrival", "Before Sunrise", "Blade Runner", "Brazil", "Casablanca",
    "Chinatown", "Children of Men", "Das Boot", "Drive", "Fargo", "Gattaca", "Goodfellas",
    "Her", "Jaws", "Labyrinth", "Memento", "Moon", "Network", "Oldboy", "Paddington 2",
    "Parasite", "Rear Window", "Ronin", "Se7en", "Zodiac", "Vertigo",
]  # fmt: skip


def screen_of(base: str, room: dict) -> str:
    opened = requests.post(f"{base}/api/rooms/{room['code']}/screen", json={}, timeout=5)
    return opened.json()["token"]


def enriched(base: str, token: str, item: dict) -> dict:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        fresh = call(base, token, "GET", f"/queue/{item['id']}")
        if fresh["enrichment"] == "enriched":
            return fresh
        time.sleep(0.1)
    raise AssertionError(f"{item['title']} was not filled in from TMDB")


def fits(page) -> None:
    """Nothing scrolls, and everything shown is inside the screen, whole."""
    sizes = page.evaluate(
        """() => {
          const root = document.documentElement;
          const list = document.getElementById("queue");
          const side = document.querySelector(".tv-side");
          const outside = [...document.querySelectorAll(".tv-head, .tv section, .tv-item")]
            .filter((element) => element.getClientRects().length)
            .map((element) => [element.id || element.className, element.getBoundingClientRect()])
            .filter(([, box]) => box.bottom > innerHeight + 0.5 || box.right > innerWidth + 0.5)
            .map(([name, box]) => `${name} at ${Math.round(box.bottom)}`);
          return {
            down: root.scrollHeight - innerHeight,
            sideways: root.scrollWidth - innerWidth,
            list: list.scrollHeight - list.clientHeight,
            side: side.scrollHeight - side.clientHeight,
            outside,
          };
        }"""
    )
    assert sizes["down"] <= 0, f"the TV page scrolls down by {sizes['down']}px"
    assert sizes["sideways"] <= 0, f"the TV page scrolls sideways by {sizes['sideways']}px"
    assert sizes["list"] <= 1, f"the queue's last row is cut by {sizes['list']}px"
    assert sizes["side"] <= 1, f"the side column is cut by {sizes['side']}px"
    assert sizes["outside"] == []


def page_range(page) -> tuple[int, int, int]:
    text = page.locator("#tv-page-range").inner_text()
    found = re.fullmatch(r"(\d+)–(\d+) of (\d+)", text)
    assert found, text
    return tuple(int(part) for part in found.groups())


def shoot(page, name: str, sizes: dict) -> None:
    for size in sizes.values():
        page.set_viewport_size(size)
        page.wait_for_timeout(300)
        fits(page)
    for shot in screenshot(page, name, sizes, whole=False):
        assert shot.stat().st_size > 5_000


# A TV that fits


def test_thirty_films_fit_the_tv_a_page_at_a_time_behind_the_leaders_backdrop(site, browser):
    room, tokens = api_room(site, "alice", "bob")
    alice, bob = tokens["alice"], tokens["bob"]
    inception = add(site, room, alice, "Inception", tmdb_id=27205)
    heat = add(site, room, bob, "Heat", tmdb_id=949)
    for title in FILMS:
        add(site, room, alice, title)
    inception = enriched(site, alice, inception)
    assert inception["backdrop_url"]
    # Inception leads with everyone's vote: a match. Tonight keeps to 2 h 30, which leaves Heat
    # (2 h 50) out, and says so on its row.
    for token in (alice, bob):
        call(site, token, "POST", "/votes", {"item_id": inception["id"], "vote": "up"})
    call(site, alice, "POST", "/votes", {"item_id": heat["id"], "vote": "up"})
    call(site, alice, "PATCH", f"/rooms/{room['id']}/tonight", {"max_runtime_minutes": 150})

    tv_ctx, tv, watch = as_member(browser, site, room, screen_of(site, room), TV)
    tv.goto(f"/r/{room['id']}/tv")
    expect(tv.locator("#conn")).to_have_attribute("data-state", "live")
    # Bob is on the sofa with his phone: the TV shows him here.
    bob_ctx, phone, _ = as_member(browser, site, room, bob, PHONE)
    phone.goto(f"/r/{room['id']}")
    expect(tv.locator("#presence-list")).to_contain_text("Bob")
    expect(tv.locator("#tv-matches")).to_contain_text("Inception")
    expect(tv.locator("#tv-tonight-line")).to_contain_text("2 h 30")
    expect(tv.locator(".tv-item").first.locator("h3")).to_have_text("Inception")
    expect(tv.locator(".tv-item").nth(1)).to_contain_text("Not tonight")

    per_page = {}
    for label, size in TV_SIZES.items():
        # Freshly opened at this size, on its first page.
        tv.set_viewport_size(size)
        tv.reload()
        expect(tv.locator("#tv-page-range")).to_have_text(re.compile(r"^1–\d+ of 30$"))
        _, last, _ = page_range(tv)
        shown = tv.locator("#queue .tv-item").count()
        assert shown == last >= 5, f"{shown} rows on a {label} page"
        assert tv.locator("#tv-dots li").count() == -(-30 // shown)
        expect(tv.locator("#tv-dots li").first).to_have_class("current")
        fits(tv)
        screenshot(tv, "tv-queue-30", {label: size}, whole=False)
        per_page[label] = shown

    # The leader's backdrop is behind the page, dimmed.
    backdrop = tv.locator("#tv-backdrop")
    expect(backdrop).to_have_attribute("src", inception["backdrop_url"])
    expect(backdrop).to_have_class(re.compile(r"\bshown\b"))
    tv.wait_for_timeout(1300)  # it fades in
    opacity = float(backdrop.evaluate("(image) => getComputedStyle(image).opacity"))
    assert 0.1 < opacity < 0.5

    # The page turns by itself, and the indicator with it.
    tv.set_viewport_size(TV)
    tv.reload()
    per = per_page["tv"]
    expect(tv.locator("#tv-page-range")).to_have_text(f"1–{per} of 30")
    expect(tv.locator("#tv-page-range")).to_have_text(f"{per + 1}–{2 * per} of 30", timeout=12_000)
    expect(tv.locator("#tv-dots li").nth(1)).to_have_class("current")
    expect(tv.locator("#queue .tv-item .tv-rank").first).to_have_text(str(per + 1))
    fits(tv)
    screenshot(tv, "tv-queue-page-2", {"tv": TV}, whole=False)

    # A voting round, and tonight's pick, take their room from the page, not from the screen.
    call(site, alice, "POST", f"/rooms/{room['id']}/round", {"duration_seconds": 600})
    expect(tv.locator("#round-live")).to_be_visible()
    shoot(tv, "tv-round", TV_SIZES)
    call(site, alice, "POST", f"/rooms/{room['id']}/round/end")
    reveal = tv.locator("#reveal-dialog")
    expect(reveal).to_have_class(re.compile(r"\blanded\b"), timeout=10_000)
    expect(tv.locator("#reveal-candidates li").last).to_have_text(re.compile(r"and \d+ more"))
    for size in TV_SIZES.values():
        tv.set_viewport_size(size)
        tv.wait_for_timeout(200)
        box = reveal.bounding_box()
        assert box["y"] >= 0
        assert box["y"] + box["height"] <= size["height"]
        assert reveal.evaluate("(dialog) => dialog.scrollHeight - dialog.clientHeight") <= 1
    screenshot(tv, "tv-reveal-30", TV_SIZES, whole=False)
    expect(tv.locator("#tv-pick")).to_be_visible()
    expect(tv.locator("#reveal-dialog")).to_be_hidden(timeout=25_000)
    shoot(tv, "tv-pick-standing", TV_SIZES)
    assert watch.clean() == []
    tv_ctx.close()
    bob_ctx.close()


# The reveal


def test_the_reveal_says_why_in_words_closes_by_itself_and_gives_the_focus_back(site, browser):
    room, tokens = api_room(site, "alice", "bob")
    alice, bob = tokens["alice"], tokens["bob"]
    for title, votes in (("Heat", 2), ("Alien", 1), ("Jaws", 0)):
        item = add(site, room, alice, title)
        for token in (alice, bob)[:votes]:
            call(site, token, "POST", "/votes", {"item_id": item["id"], "vote": "up"})

    tv_ctx, tv, tv_watch = as_member(browser, site, room, screen_of(site, room), TV)
    tv.goto(f"/r/{room['id']}/tv")
    bob_ctx, phone, phone_watch = as_member(browser, site, room, bob, PHONE)
    phone.goto(f"/r/{room['id']}")
    alice_ctx, other, _ = as_member(browser, site, room, alice, PHONE)
    other.goto(f"/r/{room['id']}")
    for page in (tv, phone, other):
        expect(page.locator("#conn")).to_have_attribute("data-state", "live")
    # Bob was about to vote on Jaws when the pick came.
    jaws = card(phone, "Jaws").get_by_role("button", name=re.compile("Vote up Jaws"))
    jaws.focus()

    pick = call(
        site, alice, "POST", f"/queue/room/{room['id']}/select", {"mode": "weighted_random"}
    )
    seed = str(pick["seed"])
    summary = pick["reason"]["summary"]
    assert re.fullmatch(r".+ won the weighted draw with a \d+\.\d% chance\.", summary)
    for page in (tv, phone, other):
        expect(page.locator("#reveal-title")).to_have_text(pick["item_title"], timeout=10_000)
        expect(page.locator("#reveal-reason")).to_have_text(summary)
        link = page.get_by_role("link", name="Check this draw")
        expect(link).to_have_attribute("href", f"/r/{room['id']}/picks/{pick['id']}")
        assert seed not in page.content()
    landed = time.monotonic()
    # The focus is on the reveal itself, not held on its "Close".
    assert phone.evaluate("document.activeElement.id") == "reveal-dialog"
    # Alice starts reading who else was in the running: hers stays open.
    other.locator("#reveal-candidates").click()
    screenshot(phone, "reveal-phone", {"phone": PHONE}, whole=False)
    screenshot(tv, "reveal-tv", TV_SIZES, whole=False)

    expect(phone.locator("#reveal-dialog")).to_be_hidden(timeout=15_000)
    phone_after = time.monotonic() - landed
    assert phone_after > 7, f"the reveal closed after {phone_after:.1f}s"
    expect(jaws).to_be_focused()
    expect(tv.locator("#reveal-dialog")).to_be_hidden(timeout=15_000)
    assert time.monotonic() - landed > 12
    expect(other.locator("#reveal-dialog")).to_be_visible()
    other.locator("#reveal-close").click()

    # Behind the link: the draw replayed, with its seed, and how to replay it.
    phone.goto(f"/r/{room['id']}/picks/{pick['id']}")
    expect(phone.locator("#draw-verdict")).to_have_text(
        f"Replaying the draw picks {pick['item_title']} again: this is the pick the seed gives."
    )
    expect(phone.locator("#draw-seed")).to_have_text(seed)
    expect(phone.locator(".draw-table tr.lands th")).to_contain_text(pick["item_title"])
    expect(phone.locator(".draw-code")).to_contain_text(f"seed = {seed}")
    overflow = phone.evaluate("document.documentElement.scrollWidth - innerWidth")
    assert overflow <= 0
    table = phone.locator(".draw-table-wrap")
    assert table.evaluate("(wrap) => wrap.scrollWidth - wrap.clientWidth") <= 0
    screenshot(phone, "draw-check", {"phone": PHONE})
    # The page is for the room: someone else's browser is not shown it.
    stranger = requests.get(f"{site}/r/{room['id']}/picks/{pick['id']}", timeout=5)
    assert stranger.status_code == 403
    assert seed not in stranger.text
    for watched in (tv_watch, phone_watch):
        assert watched.clean() == []
    for context in (tv_ctx, bob_ctx, alice_ctx):
        context.close()


# Closed and deleted


def test_a_closed_room_is_not_live_and_a_deleted_one_says_so(site, browser):
    room, tokens = api_room(site, "alice", "bob")
    alice = tokens["alice"]
    for title in FILMS[:12]:
        add(site, room, alice, title)
    tv_ctx, tv, watch = as_member(browser, site, room, screen_of(site, room), TV)
    tv.goto(f"/r/{room['id']}/tv")
    expect(tv.locator("#conn")).to_have_attribute("data-state", "live")
    expect(tv.locator("#tv-join")).to_be_visible()

    call(site, alice, "PATCH", f"/rooms/{room['id']}", {"status": "closed"})
    expect(tv.locator("#tv-closed")).to_be_visible()
    expect(tv.locator("#conn")).to_have_text("Room closed")
    expect(tv.locator("#tv-join")).to_be_hidden()
    tv.wait_for_timeout(3500)  # the stream the closing ended is opened again
    expect(tv.locator("#conn")).to_have_text("Room closed")
    said = tv.locator("body").inner_text()
    assert "Live" not in said
    assert "Join on your phone" not in said
    shoot(tv, "tv-closed", TV_SIZES)

    # Reopened, it is live again, with the code to join.
    call(site, alice, "PATCH", f"/rooms/{room['id']}", {"status": "open"})
    expect(tv.locator("#conn")).to_have_text("Live", timeout=10_000)
    expect(tv.locator("#tv-join")).to_be_visible()
    expect(tv.locator("#tv-closed")).to_be_hidden()

    requests.delete(
        f"{site}/api/rooms/{room['id']}", headers={"Authorization": f"Bearer {alice}"}, timeout=5
    ).raise_for_status()
    expect(tv.locator("#tv-gone-title")).to_have_text("This room was deleted")
    expect(tv.locator("#tv")).to_be_hidden()
    shoot(tv, "tv-deleted", TV_SIZES)
    tv.reload()
    expect(tv.get_by_role("heading", name="This room is gone")).to_be_visible()
    screenshot(tv, "tv-deleted-reload", {"tv": TV}, whole=False)

    # A TV that was away when its room was deleted learns it on coming back.
    room, tokens = api_room(site, "carol")
    add(site, room, tokens["carol"], "Alien")
    away_ctx, away, _ = as_member(browser, site, room, screen_of(site, room), SMALL_TV)
    away.goto(f"/r/{room['id']}/tv")
    expect(away.locator("#conn")).to_have_attribute("data-state", "live")
    away_ctx.set_offline(True)
    away.evaluate("window.dispatchEvent(new Event('offline'))")
    requests.delete(
        f"{site}/api/rooms/{room['id']}",
        headers={"Authorization": f"Bearer {tokens['carol']}"},
        timeout=5,
    ).raise_for_status()
    away_ctx.set_offline(False)
    away.evaluate("window.dispatchEvent(new Event('online'))")
    expect(away.locator("#tv-gone-title")).to_have_text("This room was deleted", timeout=20_000)
    assert watch.clean("404 (Not Found)", "401 (Unauthorized)") == []
    tv_ctx.close()
    away_ctx.close()


# One join code, the one phones can open


def qr_path(svg: str) -> str:
    return re.search(r'<path[^>]* d="([^"]+)"', svg).group(1)


def no_loopback(page) -> None:
    found = LOOPBACK.findall(page.content())
    assert found == [], f"a loopback address is on the page: {found}"


def test_a_server_on_every_interface_is_joined_at_its_lan_address(browser, tmp_path_factory):
    lan = invite.lan_address()
    if lan is None:
        pytest.skip("this machine is on no network: no LAN address to show")
    env = server_env(tmp_path_factory.mktemp("lan"))
    migrate(env)
    with daphne(env, args=("-b", "0.0.0.0")) as base:
        port = base.rsplit(":", 1)[1]
        room, tokens = api_room(base, "alice", "bob")
        url = f"http://{lan}:{port}/join/{room['code']}"

        tv_ctx, tv, watch = as_member(browser, base, room, screen_of(base, room), TV)
        tv.goto(f"/r/{room['id']}/tv")
        expect(tv.locator("#conn")).to_have_attribute("data-state", "live")
        expect(tv.locator(".tv-join svg.qr")).to_have_count(1)
        expect(tv.locator(".tv-url")).to_have_text(url)
        assert qr_path(tv.locator(".tv-join .qr-frame").inner_html()) == qr_path(invite.qr_svg(url))
        no_loopback(tv)
        shoot(tv, "tv-join-lan", TV_SIZES)

        phone_ctx, phone, phone_watch = as_member(browser, base, room, tokens["bob"], PHONE)
        phone.goto(f"/r/{room['id']}")
        phone.locator("#invite-button").click()
        dialog = phone.locator("#invite-dialog")
        expect(dialog).to_be_visible()
        expect(dialog.locator("svg.qr")).to_have_count(1)
        expect(dialog.locator(".invite-link")).to_have_text(url)
        expect(dialog.locator("[data-copy]")).to_have_attribute("data-copy", url)
        no_loopback(phone)
        box = dialog.locator(".qr-frame").bounding_box()
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= PHONE["width"]
        assert phone.evaluate("document.documentElement.scrollWidth - innerWidth") <= 0
        screenshot(phone, "invite-lan", {"phone": PHONE}, whole=False)

        # Reached by its LAN address, that is the address to share.
        direct = requests.get(
            f"http://{lan}:{port}/r/{room['id']}",
            cookies={f"wq_{room['id']}": tokens["bob"]},
            timeout=5,
        ).text
        assert re.findall(r'class="invite-link" href="([^"]+)"', direct) == [url]
        assert watch.clean() == []
        assert phone_watch.clean() == []
        tv_ctx.close()
        phone_ctx.close()


def test_a_server_only_on_loopback_says_phones_cannot_reach_it_and_shows_no_link(site, browser):
    room, tokens = api_room(site, "alice", "bob")
    tv_ctx, tv, watch = as_member(browser, site, room, screen_of(site, room), TV)
    tv.goto(f"/r/{room['id']}/tv")
    expect(tv.locator("#conn")).to_have_attribute("data-state", "live")
    problem = tv.locator("#tv-join-problem")
    expect(problem).to_have_text(str(invite.LOOPBACK_ONLY))
    expect(problem).to_contain_text("HOST=0.0.0.0")
    expect(tv.locator("svg.qr")).to_have_count(0)
    expect(tv.locator(".tv-code [aria-hidden=true]")).to_have_text(room["code"])
    no_loopback(tv)
    shoot(tv, "tv-join-loopback", TV_SIZES)

    phone_ctx, phone, phone_watch = as_member(browser, site, room, tokens["alice"], PHONE)
    phone.goto(f"/r/{room['id']}")
    phone.locator("#invite-button").click()
    dialog = phone.locator("#invite-dialog")
    expect(dialog.locator("#invite-problem")).to_have_text(str(invite.LOOPBACK_ONLY))
    expect(dialog.locator("svg.qr, .invite-link, [data-copy]")).to_have_count(0)
    no_loopback(phone)
    screenshot(phone, "invite-loopback", {"phone": PHONE}, whole=False)
    assert watch.clean() == []
    assert phone_watch.clean() == []
    tv_ctx.close()
    phone_ctx.close()
