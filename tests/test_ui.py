"""The web UI as its people use it: in headless Chromium, against a real daphne process and a
local server that speaks TMDB's JSON (and draws the posters), with every member in a browser
context of their own, as on their own phone."""

import re
import subprocess
import sys
from urllib.parse import urlparse

import pytest
import requests
from playwright.sync_api import expect

from tests.browser import (
    LAPTOP,
    PHONE,
    TV,
    Watched,
    add,
    api_room,
    as_member,
    card,
    member_context,
    screenshot,
)
from tests.live_server import ROOT, daphne, free_port, migrate, server_env

# An evening, end to end


def test_an_evening_two_friends_and_the_tv(site, browser):
    alice_ctx = member_context(browser, site)
    alice = alice_ctx.new_page()
    alice_watch = Watched(alice)

    # Alice creates the room on her phone and lands in it with the invite open.
    alice.goto("/")
    alice.fill("#room-name", "Friday Night Movies")
    alice.fill("#your-name", "Alice")
    alice.locator(".avatar-option").nth(0).click()
    alice.get_by_role("button", name="Create the room").click()
    alice.wait_for_url(re.compile(r"/r/[0-9a-f]{24}$"))
    invite = alice.locator("#invite-dialog")
    expect(invite).to_be_visible()
    code = invite.locator(".big-code [aria-hidden=true]").inner_text().strip()
    assert re.fullmatch(r"[2-9A-HJKMNP-Z]{6}", code)
    # This server listens on 127.0.0.1 only: no phone can reach it, and the invite says so
    # instead of showing a link that does not work (test_ui_tv.py has one that does).
    expect(invite.locator("#invite-problem")).to_contain_text("HOST=0.0.0.0")
    expect(invite.locator(".invite-link, .qr-frame svg")).to_have_count(0)
    alice.keyboard.press("Escape")
    room_url = alice.url

    # Bob types the code in lower case with a space; it lands on the join form.
    bob_ctx = member_context(browser, site, LAPTOP)
    bob = bob_ctx.new_page()
    bob_watch = Watched(bob)
    bob.goto("/")
    bob.fill("#code", f"{code[:3].lower()} {code[3:].lower()}")
    bob.get_by_role("button", name="Find the room").click()
    bob.wait_for_url(f"**/join/{code}")
    expect(bob.locator("#join-title")).to_have_text("Friday Night Movies")
    bob.fill("#your-name", "Bob")
    bob.get_by_role("button", name="Join Friday Night Movies").click()
    bob.wait_for_url(room_url)
    expect(alice.locator("#presence-list")).to_contain_text("Bob")
    expect(bob.locator("#presence-list")).to_contain_text("Bob (you)")

    # The living-room TV opens the join link and becomes the room's screen.
    tv_ctx = member_context(browser, site, TV)
    tv = tv_ctx.new_page()
    tv_watch = Watched(tv)
    tv.goto(f"/join/{code}")
    tv.get_by_text("Is this the living-room TV?").click()
    tv.get_by_role("button", name="Use this screen as the TV").click()
    tv.wait_for_url(f"{room_url}/tv")
    expect(tv.locator(".tv-code [aria-hidden=true]")).to_have_text(code)
    expect(tv.locator("#conn")).to_have_attribute("data-state", "live")

    # Alice adds a film from TMDB's suggestions, with the keyboard.
    alice.fill("#add-title", "incep")
    expect(alice.locator("#suggestions [role=option]").first).to_contain_text("Inception")
    alice.keyboard.press("ArrowDown")
    alice.keyboard.press("Enter")
    # Bob sees it arrive, then fill in from TMDB, without reloading.
    expect(card(bob, "Inception").locator(".item-meta")).to_have_text("2010 · 2 h 28 min · Film")
    expect(card(bob, "Inception").locator("img.poster")).to_have_count(1)

    # Bob votes; Alice's phone and the TV see it move.
    card(bob, "Inception").get_by_role("button", name=re.compile("Vote up Inception")).click()
    up = card(alice, "Inception").locator(".vote-button.up")
    expect(up.locator(".vote-count")).to_have_text("1")
    expect(card(alice, "Inception").locator(".voters li.up")).to_have_attribute(
        "title", "Bob voted up"
    )
    expect(alice.locator("#announce-polite")).to_contain_text("Bob voted up Inception")
    expect(tv.locator(".tv-item").first.locator(".score")).to_have_text("+1")

    # A second film overtakes the first on every screen.
    alice.fill("#add-title", "Heat")
    alice.keyboard.press("Escape")
    alice.get_by_role("button", name="Add", exact=True).click()
    expect(card(bob, "Heat")).to_have_count(1)
    card(alice, "Heat").get_by_role("button", name=re.compile("Vote up Heat")).click()
    card(bob, "Heat").get_by_role("button", name=re.compile("Vote up Heat")).click()
    expect(tv.locator(".tv-item h3").first).to_have_text("Heat")
    expect(bob.locator("#queue .item h3").first).to_have_text("Heat")

    # A refused duplicate is explained in words.
    bob.fill("#add-title", "inception")
    bob.keyboard.press("Escape")
    bob.get_by_role("button", name="Add", exact=True).click()
    expect(bob.locator(".toast.error")).to_contain_text("Inception is already in the queue")
    assert bob.locator("#queue .item").count() == 2

    # Bob looks Inception up: its details open in a sheet, and close back to its card.
    card(bob, "Inception").locator(".item-open").click()
    sheet = bob.locator("#details-sheet")
    expect(sheet).to_be_visible()
    expect(sheet.locator("#details-title")).to_have_text("Inception")
    expect(sheet).to_contain_text("Cobb steals secrets from deep within the subconscious")
    # What TMDB did not tell is said, not left out silently.
    expect(sheet.locator(".details-unknown")).to_contain_text("Not known: a TMDB score, the cast")
    bob.keyboard.press("Escape")
    expect(sheet).to_be_hidden()
    expect(card(bob, "Inception").locator(".item-open")).to_be_focused()

    # On her phone Alice swipes through what she has not voted on: Inception, left, then
    # undone, then down with the button; nothing is left, and the list is back.
    alice.get_by_role("button", name="Swipe").click()
    expect(alice.locator("#swipe-left")).to_have_text("1 of 2 left to vote on")
    top = alice.locator("#swipe-stack .swipe-card:not(.swipe-next):not(.swipe-ghost)")
    expect(top.locator(".swipe-title")).to_have_text("Inception")
    expect(top).to_be_focused()
    alice.keyboard.press("ArrowLeft")
    expect(alice.locator("#swipe-done")).to_be_visible()
    expect(card(bob, "Inception").locator(".vote-button.down .vote-count")).to_have_text("1")
    alice.get_by_role("button", name="Undo your vote on Inception").click()
    expect(top.locator(".swipe-title")).to_have_text("Inception")
    expect(card(bob, "Inception").locator(".vote-button.down .vote-count")).to_have_text("0")
    alice.locator("#swipe-down").click()
    expect(alice.locator("#swipe-done")).to_contain_text("All done!")
    expect(tv.locator(".tv-item").filter(has_text="Inception").locator(".score")).to_have_text("0")
    alice.locator("#swipe-back").click()
    expect(alice.locator("#queue .item")).to_have_count(2)

    # Alice picks by highest votes; the pick is revealed on both phones and the TV.
    alice.select_option("#pick-mode", "highest_votes")
    alice.locator("#pick-button").click()
    for page in (alice, bob, tv):
        expect(page.locator("#reveal-dialog")).to_be_visible()
        expect(page.locator("#reveal-title")).to_have_text("Heat", timeout=10_000)
        expect(page.locator("#reveal-reason")).to_contain_text("Heat has the most votes (+2).")
    # Said from inside the reveal, as the rest of the page is inert under a modal dialog.
    expect(alice.locator("#reveal-dialog .dialog-announcer")).to_have_text("Picked: Heat.")
    screenshot(tv, "tv-reveal", {"tv": TV})
    # They put it on: it is what everyone is watching now.
    alice.locator("#reveal-watch").click()
    bob.locator("#reveal-close").click()
    expect(bob.locator("#now-watching")).to_contain_text("Heat")
    expect(tv.locator("#now-watching")).to_contain_text("Heat")
    tv.keyboard.press("Escape")

    # Bob reloads: still in the room, as himself.
    bob.reload()
    expect(bob.locator("#presence-list")).to_contain_text("Bob (you)")
    expect(bob.locator("#queue .item")).to_have_count(1)
    expect(bob.locator("#now-watching")).to_contain_text("Heat")

    # A voting round counts down everywhere; the host ends it, and its pick is revealed.
    alice.locator("#round-start").click()
    expect(bob.locator("#countdown")).to_have_text(re.compile(r"^[01]:\d\d$"))
    expect(tv.locator("#round-live")).to_be_visible()
    expect(tv.locator("#countdown")).to_have_text(re.compile(r"^[01]:\d\d$"))
    alice.get_by_role("button", name="End now and pick").click()
    for page in (alice, bob, tv):
        expect(page.locator("#reveal-title")).to_have_text("Inception", timeout=10_000)
    expect(bob.locator("#round-live")).to_be_hidden()
    for page in (alice, bob):
        page.locator("#reveal-close").click()
    tv.keyboard.press("Escape")

    # They watched Heat. Bob would rather have the app in German: he picks it in the Room menu,
    # and the room comes back in German, while Alice's stays in English.
    alice.get_by_role("button", name="We watched it").click()
    expect(bob.locator("#now-watching")).to_be_hidden()
    bob.locator("#room-menu-button").click()
    with bob.expect_navigation():
        bob.locator("#language-room").select_option("de")
    expect(bob.locator("html")).to_have_attribute("lang", "de")
    expect(bob.locator("#conn")).to_have_attribute("data-state", "live")
    expect(bob.locator("#pick-button")).to_have_text("Wähl für uns")
    expect(card(bob, "Inception").locator(".item-added")).to_have_text("Hinzugefügt von Alice")
    expect(alice.locator("#pick-button")).to_have_text("Pick for us")

    # Bob rates Heat in the history, in German, and Alice sees his stars arrive in English.
    alice.get_by_role("link", name="History").click()
    bob.get_by_role("link", name="Verlauf").click()
    entry = bob.locator(".entry").filter(has_text="Heat (1995)")
    expect(entry.locator(".entry-meta")).to_contain_text("Geschaut heute um")
    entry.locator("label[title='4 Sterne']").click()
    entry.locator("textarea").fill("The bank job!")
    entry.get_by_role("button", name="Speichern").click()
    expect(bob.locator(".toast")).to_contain_text("Bewertung gespeichert.")
    alices_entry = alice.locator(".entry").filter(has_text="Heat (1995)")
    expect(alices_entry.locator(".ratings")).to_contain_text("The bank job!")
    expect(alices_entry.locator(".average")).to_contain_text("4 from 1 rating")

    # Alice hands the room over to Bob, who then has the host's controls, in German.
    alice.goto(room_url)
    expect(alice.locator("#conn")).to_have_attribute("data-state", "live")
    expect(alice.locator("#presence-list")).to_contain_text("Bob")
    alice.locator("#room-menu-button").click()
    alice.get_by_role("button", name="Make Bob the host").click()
    alice.locator(".confirm-dialog").get_by_role("button", name="Make Bob the host").click()
    expect(alice.locator("#member-list li").filter(has_text="Bob")).to_contain_text("host")
    expect(alice.locator("#leave-button")).to_be_visible()
    bob.get_by_role("link", name="Liste").click()
    bob.wait_for_url(room_url)
    expect(bob.locator("#conn")).to_have_attribute("data-state", "live")
    bob.locator("#room-menu-button").click()
    expect(bob.locator("#settings-form")).to_be_visible()
    expect(bob.get_by_role("button", name="Alice zum Gastgeber machen")).to_be_visible()
    expect(bob.locator("#member-list li").filter(has_text="Bob")).to_contain_text("Gastgeber")

    assert alice_watch.clean() == []
    assert bob_watch.clean("409 (Conflict)") == []  # the refused duplicate, shown above
    assert tv_watch.clean() == []
    for context in (alice_ctx, bob_ctx, tv_ctx):
        context.close()


# Every page, as it looks


def test_every_page_fits_a_phone_a_laptop_and_a_tv_and_is_photographed(site, browser):
    room, tokens = api_room(site, "alice", "bob")
    heat = add(site, room, tokens["alice"], "Heat", tmdb_id=949)
    add(site, room, tokens["bob"], "Inception")
    add(site, room, tokens["bob"], "Our holiday video")
    requests.post(
        f"{site}/api/votes",
        json={"item_id": heat["id"], "vote": "up"},
        headers={"Authorization": f"Bearer {tokens['bob']}"},
        timeout=5,
    )
    watched = add(site, room, tokens["alice"], "Game of Thrones", media_type="tv", tmdb_id=1399)
    requests.post(
        f"{site}/api/queue/{watched['id']}/watched",
        headers={"Authorization": f"Bearer {tokens['alice']}"},
        timeout=5,
    )
    context, page, watch = as_member(browser, site, room, tokens["alice"])
    pages = {
        "home": "/",
        "join": f"/join/{room['code']}",
        "room": f"/r/{room['id']}",
        "room-tonight": f"/r/{room['id']}",
        "history": f"/r/{room['id']}/history",
        "tv": f"/r/{room['id']}/tv",
        "not-in-room": f"/r/{'0' * 24}",
        "offline": "/offline",
    }
    for name, path in pages.items():
        page.set_viewport_size(PHONE)
        page.goto(path)
        if name.startswith("room") or name == "tv":
            expect(page.locator("#conn")).to_have_attribute("data-state", "live")
            expect(page.locator("img.poster").first).to_be_visible()
        if name == "room-tonight":
            page.locator("#tonight-details > summary").click()
            expect(page.locator("#attendees")).to_contain_text("Alice")
        if name == "history":
            expect(page.locator(".entry")).to_have_count(1)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at 360px"
        shots = screenshot(page, name, {"phone": PHONE, "laptop": LAPTOP, "tv": TV})
        assert [shot.name for shot in shots] == [
            f"{name}-phone.png",
            f"{name}-laptop.png",
            f"{name}-tv.png",
        ]
        for shot in shots:
            assert shot.stat().st_size > 5_000
    assert watch.clean("404 (Not Found)") == []  # the page of a room that does not exist
    context.close()


# Staying live


def test_the_room_says_it_is_offline_and_catches_up_after_a_server_restart(tmp_path, browser):
    env = server_env(tmp_path)
    migrate(env)
    port = free_port()
    with daphne(env, port=port) as base:
        room, tokens = api_room(base, "alice")
        context, page, _ = as_member(browser, base, room, tokens["alice"])
        page.goto(f"/r/{room['id']}")
        expect(page.locator("#conn")).to_have_attribute("data-state", "live")
    expect(page.locator("#conn")).to_have_attribute("data-state", "offline")
    expect(page.locator("#conn")).to_contain_text("Offline")
    # While the server is down, another process changes the room.
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from rooms.models import Room; from queues.services import queue_item_add; "
            f"room = Room.objects.get(pk='{room['id']}'); "
            "queue_item_add(room=room, by=room.members.get(user_id='alice'), title='Alien')",
        ],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=60,
    )
    with daphne(env, port=port):
        expect(page.locator("#conn")).to_have_attribute("data-state", "live", timeout=30_000)
        expect(card(page, "Alien")).to_have_count(1)
    context.close()


# Using it without a mouse, on a small screen, with a screen reader


def test_a_keyboard_reaches_every_vote_with_a_visible_focus(site, browser):
    room, tokens = api_room(site, "alice")
    add(site, room, tokens["alice"], "Heat")
    context, page, watch = as_member(browser, site, room, tokens["alice"])
    page.goto(f"/r/{room['id']}")
    expect(page.locator("#conn")).to_have_attribute("data-state", "live")
    focused = None
    for _ in range(40):
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.getAttribute('aria-label') || ''")
        if focused.startswith("Vote up Heat"):
            break
    assert focused.startswith("Vote up Heat")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"
    page.keyboard.press("Enter")
    expect(card(page, "Heat").locator(".vote-button.up")).to_have_attribute("aria-pressed", "true")
    expect(card(page, "Heat").locator(".score")).to_have_text("+1")
    # The button kept its focus through the update.
    assert page.evaluate("document.activeElement.getAttribute('aria-label')").startswith(
        "Vote up Heat"
    )
    assert watch.clean() == []
    context.close()


CONTRAST = """
(selector) => {
  const channel = (c) => {
    c /= 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const lum = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  const rgb = (text) => text.match(/[\\d.]+/g).slice(0, 4).map(Number);
  const background = (element) => {
    for (let node = element; node; node = node.parentElement) {
      const value = rgb(getComputedStyle(node).backgroundColor);
      if (value.length < 4 || value[3] > 0.5) return value.slice(0, 3);
    }
    return [14, 16, 22];
  };
  const shown = [...document.querySelectorAll(selector)].filter((e) => e.offsetParent);
  return shown.map((element) => {
    const [a, b] = [lum(rgb(getComputedStyle(element).color)), lum(background(element))];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    return { text: element.textContent.trim().slice(0, 30), ratio };
  });
}
"""


def test_text_has_contrast_and_buttons_are_big_enough_for_thumbs(site, browser):
    room, tokens = api_room(site, "alice")
    add(site, room, tokens["alice"], "Heat")
    context, page, _ = as_member(browser, site, room, tokens["alice"])
    page.goto(f"/r/{room['id']}")
    expect(card(page, "Heat")).to_have_count(1)
    texts = page.evaluate(
        CONTRAST, "h1, h2, h3, p, label, .button, .vote-button, .item-meta, .muted, .hint"
    )
    assert len(texts) > 10
    assert [t for t in texts if t["ratio"] < 4.5] == []
    sizes = page.evaluate(
        """[...document.querySelectorAll('main button, main a.button, main summary, header button')]
           .filter((e) => e.offsetParent)
           .map((e) => ({ name: e.getAttribute('aria-label') || e.textContent.trim(),
                          height: e.getBoundingClientRect().height,
                          width: e.getBoundingClientRect().width }))"""
    )
    assert len(sizes) > 5
    assert [s for s in sizes if round(min(s["height"], s["width"])) < 44] == []
    context.close()


def test_screen_readers_hear_what_others_do_and_each_pick(site, browser):
    room, tokens = api_room(site, "alice", "bob")
    item = add(site, room, tokens["alice"], "Heat")
    context, page, _ = as_member(browser, site, room, tokens["alice"])
    page.goto(f"/r/{room['id']}")
    expect(page.locator("#conn")).to_have_attribute("data-state", "live")
    assert page.locator("#announce-polite").get_attribute("aria-live") == "polite"
    assert page.locator("#announce-assertive").get_attribute("aria-live") == "assertive"
    bob = {"Authorization": f"Bearer {tokens['bob']}"}
    add(site, room, tokens["bob"], "Alien")
    expect(page.locator("#announce-polite")).to_have_text("Bob added Alien.")
    requests.post(
        f"{site}/api/votes", json={"item_id": item["id"], "vote": "down"}, headers=bob, timeout=5
    )
    expect(page.locator("#announce-polite")).to_have_text("Bob voted down Heat. Score -1.")
    requests.post(
        f"{site}/api/queue/room/{room['id']}/select",
        json={"mode": "highest_votes"},
        headers=bob,
        timeout=5,
    )
    expect(page.locator("#reveal-dialog .dialog-announcer")).to_have_text("Picked: Alien.")
    context.close()


# Failures, in words


def test_a_refused_revote_is_explained_and_the_vote_put_back(site, browser):
    room, tokens = api_room(site, "alice", allow_revotes=False)
    add(site, room, tokens["alice"], "Heat")
    context, page, _ = as_member(browser, site, room, tokens["alice"])
    page.goto(f"/r/{room['id']}")
    heat = card(page, "Heat")
    # The page takes one vote per item at a time: the second waits for the first's answer.
    with page.expect_response(lambda response: response.url.endswith("/api/votes")):
        heat.locator(".vote-button.up").click()
    expect(heat.locator(".score")).to_have_text("+1")
    heat.locator(".vote-button.down").click()
    expect(page.locator(".toast.error")).to_contain_text("does not allow changing a vote")
    expect(heat.locator(".score")).to_have_text("+1")
    expect(heat.locator(".vote-button.up")).to_have_attribute("aria-pressed", "true")
    expect(heat.locator(".vote-button.down")).to_have_attribute("aria-pressed", "false")
    context.close()


def test_a_film_tmdb_finds_twice_is_merged_and_the_room_is_told(site, browser):
    room, tokens = api_room(site, "alice", "bob")
    add(site, room, tokens["bob"], "El origen", tmdb_id=27205)
    context, page, watch = as_member(browser, site, room, tokens["alice"])
    page.goto(f"/r/{room['id']}")
    expect(card(page, "El origen")).to_have_count(1)
    page.fill("#add-title", "Inception")
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.locator(".toast")).to_contain_text(
        "Inception is El origen, already in the queue: merged into it, with its votes."
    )
    expect(page.locator("#queue .item")).to_have_count(1)
    assert watch.clean() == []
    context.close()


def test_without_tmdb_the_room_says_once_how_to_turn_it_on_and_adds_by_title(tmp_path, browser):
    env = server_env(tmp_path)
    migrate(env)
    with daphne(env) as base:
        room, tokens = api_room(base, "alice")
        context, page, watch = as_member(browser, base, room, tokens["alice"])
        page.goto(f"/r/{room['id']}")
        expect(page.locator("#tmdb-hint")).to_be_visible()
        expect(page.locator("#tmdb-hint")).to_contain_text("TMDB_API_KEY")
        page.fill("#add-title", "Alien")
        expect(page.locator("#suggestions")).to_be_hidden()
        page.get_by_role("button", name="Add", exact=True).click()
        expect(card(page, "Alien").locator(".item-note")).to_be_hidden()
        expect(card(page, "Alien").locator(".poster-placeholder")).to_have_count(1)
        page.reload()
        expect(card(page, "Alien")).to_have_count(1)
        expect(page.locator("#tmdb-hint")).to_be_hidden()
        assert watch.clean() == []
        context.close()


@pytest.fixture
def host_and_bob(site, browser):
    """Alice hosting on her laptop and Bob on his phone, both in the room's page and live."""
    room, tokens = api_room(site, "alice", "bob")
    host_ctx, host, _ = as_member(browser, site, room, tokens["alice"], LAPTOP)
    bob_ctx, bob, _ = as_member(browser, site, room, tokens["bob"])
    for page in (bob, host):
        page.goto(f"/r/{room['id']}")
        expect(page.locator("#conn")).to_have_attribute("data-state", "live")
    yield room, host, bob, bob_ctx
    host_ctx.close()
    bob_ctx.close()


def test_a_member_removed_by_the_host_is_told_and_forgotten(host_and_bob):
    room, host, bob, bob_ctx = host_and_bob
    host.locator("#room-menu-button").click()
    host.get_by_role("button", name="Remove Bob").click()
    host.locator(".confirm-dialog").get_by_role("button", name="Remove Bob").click()
    expect(bob.locator("#room-banner")).to_contain_text("You were removed from this room.")
    bob.reload()
    expect(bob.get_by_role("heading", name="Not in this room")).to_be_visible()
    assert not [c for c in bob_ctx.cookies() if c["name"] == f"wq_{room['id']}"]


def test_the_hosts_settings_reach_everyone_and_close_the_room(host_and_bob):
    _, host, bob, _ = host_and_bob
    host.locator("#room-menu-button").click()
    host.fill("#settings-name", "Saturday")
    host.select_option("#settings-mode", "round_robin")
    host.get_by_role("button", name="Save settings").click()
    expect(bob.locator("#room-name")).to_have_text("Saturday")
    expect(bob.locator("#pick-mode")).to_have_value("round_robin")
    host.get_by_role("button", name="Close the room").click()
    expect(bob.locator("#room-banner")).to_contain_text("This room is closed")
    expect(bob.locator("#pick-button")).to_be_disabled()
    expect(bob.locator("#add-title")).to_be_disabled()
    expect(bob.locator("#round-start")).to_be_disabled()


def test_a_visitor_without_the_rooms_cookie_is_asked_for_the_code(site, browser):
    room, _ = api_room(site, "alice")
    context = member_context(browser, site)
    page = context.new_page()
    response = page.goto(f"/r/{room['id']}")
    assert response.status == 403
    expect(page.get_by_role("heading", name="Not in this room")).to_be_visible()
    assert room["code"] not in page.content()
    context.close()


# Installable, and honest offline


def test_the_app_installs_and_its_shell_opens_offline_but_never_stale_data(site, browser):
    manifest = requests.get(f"{site}/manifest.webmanifest", timeout=5)
    assert manifest.headers["Content-Type"] == "application/manifest+json"
    body = manifest.json()
    assert (body["display"], body["start_url"]) == ("standalone", "/")
    sizes = {icon["sizes"] for icon in body["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in body["icons"]:
        image = requests.get(site + icon["src"], timeout=5)
        assert (image.status_code, image.headers["Content-Type"]) == (200, "image/png")
        width, height = int.from_bytes(image.content[16:20]), int.from_bytes(image.content[20:24])
        assert f"{width}x{height}" == icon["sizes"]

    room, tokens = api_room(site, "alice")
    context, page, _ = as_member(browser, site, room, tokens["alice"])
    page.goto(f"/r/{room['id']}")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    cached = page.evaluate(
        """caches.keys().then((keys) => Promise.all(keys.map((key) => caches.open(key)
             .then((cache) => cache.keys()).then((requests) => requests.map((r) => r.url)))))
             .then((lists) => lists.flat())"""
    )
    paths = {urlparse(url).path for url in cached}
    # Kept by their hashed names (tests/test_static.py).
    plain = {re.sub(r"\.[0-9a-f]{12}(\.\w+)$", r"\1", path) for path in paths}
    assert {"/offline", "/static/web/app.css", "/static/web/js/room.js"} <= plain
    assert not [path for path in paths if path.startswith(("/api/", "/r/", "/ws/"))]
    context.set_offline(True)
    page.goto(f"/r/{room['id']}")
    expect(page.get_by_role("heading", name="You're offline")).to_be_visible()
    context.close()
