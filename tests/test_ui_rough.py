"""The rough edges a whole evening on phones and a laptop found, each gone, in headless Chromium
against a real daphne: names that tell people apart, handing the room over, undo instead of the
browser's pop-ups, focus that comes back, half stars, toasts that go when their trouble does, a
removed member told so, the history one tap from "rate it", and avatars the app draws itself.

Each test runs on a 360 x 740 phone and a 1280 x 800 laptop, and photographs what it shows."""

import re
from pathlib import Path

import pytest
import requests
from playwright.sync_api import expect

from tests.browser import (
    LAPTOP,
    PHONE,
    SHOTS,
    Watched,
    add,
    api_room,
    as_member,
    call,
    card,
    member_context,
)
from web.avatars import AVATARS, image_name

SIZES = {"phone": PHONE, "laptop": LAPTOP}
ROOT = Path(__file__).resolve().parent.parent
STATIC_JS = ROOT / "web" / "static" / "web" / "js"
AVATAR_DIR = ROOT / "web" / "static" / "web" / "avatars"


@pytest.fixture(params=list(SIZES), ids=list(SIZES))
def size(request) -> tuple[str, dict]:
    return request.param, SIZES[request.param]


def shoot(page, name: str, size: tuple[str, dict]) -> None:
    """A photo of the screen as it is (not the whole page: the point is what is in view)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(400)  # arrivals and toasts fade in
    path = SHOTS / f"rough-{name}-{size[0]}.png"
    page.screenshot(path=str(path))
    assert path.stat().st_size > 5_000


def no_native_dialogs(page) -> list[str]:
    """Every `alert`/`confirm`/`prompt` the page raises, dismissed and kept for the assert."""
    raised: list[str] = []

    def seen(dialog) -> None:
        raised.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", seen)
    return raised


def live(page, path: str) -> None:
    page.goto(path)
    expect(page.locator("#conn")).to_have_attribute("data-state", "live")


def inside_viewport(page, selector: str) -> None:
    box = page.locator(selector).bounding_box()
    viewport = page.viewport_size
    assert box is not None
    assert box["x"] >= 0, box
    assert box["y"] >= 0, box
    assert box["x"] + box["width"] <= viewport["width"] + 0.5, box
    assert box["y"] + box["height"] <= viewport["height"] + 0.5, box


def no_sideways_scroll(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px"


# 1. Names tell people apart


def test_a_taken_name_is_refused_in_words_when_joining_and_when_listing_a_friend(
    site, browser, size
):
    room, _ = api_room(site, "alice", "bob")
    context = member_context(browser, site, size[1])
    page = context.new_page()
    watch = Watched(page)
    page.goto(f"/join/{room['code']}")
    # The name is Alice's whatever its case and spacing.
    page.fill("#your-name", "  ALICE ")
    page.get_by_role("button", name="Join Movie night").click()
    error = page.locator("#join-error")
    expect(error).to_have_text(
        "Someone in this room is already called ALICE: choose another name, or add an initial."
    )
    expect(page.locator("#your-name")).to_have_attribute("aria-invalid", "true")
    assert page.evaluate("document.activeElement.id") == "your-name"
    assert page.url.endswith(f"/join/{room['code']}")
    inside_viewport(page, "#join-error")
    no_sideways_scroll(page)
    shoot(page, "name-taken-join", size)
    page.fill("#your-name", "Alice B")
    page.get_by_role("button", name="Join Movie night").click()
    page.wait_for_url(f"**/r/{room['id']}")
    expect(page.locator("#presence-list")).to_contain_text("Alice B (you)")

    # Listing a friend by a name someone has is refused in the Room menu, beside the field.
    page.locator("#room-menu-button").click()
    page.fill("#member-name", "bob")
    page.locator("#member-add-form").get_by_role("button", name="List").click()
    expect(page.locator("#member-add-error")).to_have_text(
        "Someone in this room is already called bob: list your friend by another name."
    )
    expect(page.locator("#member-name")).to_have_attribute("aria-invalid", "true")
    inside_viewport(page, "#member-add-error")
    shoot(page, "name-taken-listing", size)
    page.fill("#member-name", "Dana")
    page.locator("#member-add-form").get_by_role("button", name="List").click()
    dana = page.locator("#member-list li").filter(has_text="Dana")
    expect(dana).to_contain_text("not joined yet")
    expect(page.locator("#member-add-error")).to_be_hidden()
    assert watch.clean("409 (Conflict)") == []
    context.close()


# 2. Handing the room over


def test_the_host_hands_the_room_over_and_can_then_leave(site, browser, size):
    room, tokens = api_room(site, "alice", "bob")
    alice_ctx, alice, alice_watch = as_member(browser, site, room, tokens["alice"], size[1])
    bob_ctx, bob, _ = as_member(browser, site, room, tokens["bob"])
    raised = no_native_dialogs(alice)
    live(alice, f"/r/{room['id']}")
    live(bob, f"/r/{room['id']}")

    alice.locator("#room-menu-button").click()
    # The host cannot leave yet, and is told how to.
    expect(alice.locator("#leave-button")).to_be_hidden()
    expect(alice.locator("#leave-hint")).to_contain_text("hand the room over first")
    alice.get_by_role("button", name="Make Bob the host").click()
    confirm = alice.locator(".confirm-dialog")
    expect(confirm).to_be_visible()
    expect(confirm.get_by_role("heading")).to_have_text("Make Bob the host?")
    inside_viewport(alice, ".confirm-dialog")
    shoot(alice, "hand-over-confirm", size)
    confirm.get_by_role("button", name="Make Bob the host").click()

    # Everyone sees the new host at once; Bob now has the host's controls.
    expect(alice.locator("#member-list li").filter(has_text="Bob")).to_contain_text("host")
    expect(alice.locator("#leave-button")).to_be_visible()
    expect(alice.locator("#settings-form")).to_be_hidden()
    bob.locator("#room-menu-button").click()
    expect(bob.locator("#settings-form")).to_be_visible()
    expect(bob.get_by_role("button", name="Make Alice the host")).to_be_visible()
    shoot(alice, "hand-over-done", size)

    alice.locator("#leave-button").click()
    alice.locator(".confirm-dialog").get_by_role("button", name="Leave the room").click()
    alice.wait_for_url(f"{site}/")
    expect(bob.locator("#member-list li")).to_have_count(1)
    expect(bob.locator("#presence-list")).not_to_contain_text("Alice")
    assert raised == []
    assert alice_watch.clean() == []
    alice_ctx.close()
    bob_ctx.close()


# 3. Undo instead of confirm()


def test_no_script_of_the_site_calls_the_browsers_confirm():
    scripts = {path.name: path.read_text() for path in STATIC_JS.glob("*.js")}
    assert len(scripts) > 10
    assert [name for name, text in scripts.items() if re.search(r"(?<![\w.])confirm\(", text)] == []
    assert [name for name, text in scripts.items() if "window.confirm" in text] == []


def test_removing_an_item_happens_at_once_and_can_be_undone_with_its_votes(site, browser, size):
    room, tokens = api_room(site, "alice", "bob")
    heat = add(site, room, tokens["alice"], "Heat")
    add(site, room, tokens["alice"], "Alien")
    call(site, tokens["bob"], "POST", "/votes", {"item_id": heat["id"], "vote": "up"})
    alice_ctx, alice, alice_watch = as_member(browser, site, room, tokens["alice"], size[1])
    bob_ctx, bob, _ = as_member(browser, site, room, tokens["bob"])
    raised = no_native_dialogs(alice)
    live(alice, f"/r/{room['id']}")
    live(bob, f"/r/{room['id']}")
    expect(alice.locator("#pick-field")).to_have_text("2 can be picked.")

    card(alice, "Heat").get_by_label("More for Heat").click()
    card(alice, "Heat").get_by_role("button", name="Remove from the queue").click()
    expect(card(alice, "Heat")).to_have_count(0)
    # Gone from this page, so not counted among what can be picked either.
    expect(alice.locator("#pick-field")).to_have_text("1 can be picked.")
    removed = alice.locator(".toast").filter(has_text="Removed Heat.")
    expect(removed).to_be_visible()
    inside_viewport(alice, ".toast")
    shoot(alice, "remove-undo", size)
    # Not sent yet: Bob still sees it, as it is still in the queue.
    expect(card(bob, "Heat")).to_have_count(1)
    removed.get_by_role("button", name="Undo").click()
    expect(card(alice, "Heat")).to_have_count(1)
    expect(card(alice, "Heat").locator(".vote-button.up .vote-count")).to_have_text("1")
    expect(alice.locator(".toast").filter(has_text="Heat is back in the queue.")).to_be_visible()
    expect(alice.locator("#pick-field")).to_have_text("2 can be picked.")
    alice.wait_for_timeout(6_500)
    queue = call(site, tokens["alice"], "GET", f"/queue/room/{room['id']}")
    assert sorted(item["title"] for item in queue) == ["Alien", "Heat"]

    # Not undone: the removal reaches everyone once the undo has gone.
    card(alice, "Heat").get_by_label("More for Heat").click()
    card(alice, "Heat").get_by_role("button", name="Remove from the queue").click()
    expect(card(bob, "Heat")).to_have_count(0, timeout=10_000)
    expect(alice.locator(".toast").filter(has_text="Removed Heat.")).to_have_count(0)
    queue = call(site, tokens["alice"], "GET", f"/queue/room/{room['id']}")
    assert [item["title"] for item in queue] == ["Alien"]
    assert raised == []
    assert alice_watch.clean() == []
    alice_ctx.close()
    bob_ctx.close()


def test_a_removal_overtaken_by_a_pick_is_dropped_and_said(site, browser, size):
    room, tokens = api_room(site, "alice", "bob")
    add(site, room, tokens["alice"], "Heat")
    context, page, watch = as_member(browser, site, room, tokens["alice"], size[1])
    live(page, f"/r/{room['id']}")
    card(page, "Heat").get_by_label("More for Heat").click()
    card(page, "Heat").get_by_role("button", name="Remove from the queue").click()
    expect(card(page, "Heat")).to_have_count(0)
    call(site, tokens["bob"], "POST", f"/queue/room/{room['id']}/select", {"mode": "highest_votes"})
    expect(page.locator(".toast.error")).to_contain_text(
        "Heat was just picked, so it was not removed."
    )
    expect(page.locator("#reveal-title")).to_have_text("Heat", timeout=10_000)
    page.locator("#reveal-close").click()
    expect(card(page, "Heat")).to_have_count(1)
    page.wait_for_timeout(6_500)
    assert [
        i["title"] for i in call(site, tokens["alice"], "GET", f"/queue/room/{room['id']}")
    ] == ["Heat"]
    assert watch.clean() == []
    context.close()


def test_the_room_menu_opened_before_the_room_has_loaded_fills_in_once_it_has(site, browser):
    room, tokens = api_room(site, "alice", "bob")
    context, page, watch = as_member(browser, site, room, tokens["alice"], PHONE)
    held = []

    def hold(route) -> None:
        held.append(route)

    page.route(f"**/api/rooms/{room['id']}/snapshot", hold)
    page.goto(f"/r/{room['id']}")
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(50)
    assert held, "the page never asked for the room's state"

    page.locator("#room-menu-button").click()
    expect(page.locator("#room-dialog")).to_be_visible()
    held[0].continue_()

    expect(page.locator("#settings-form")).to_be_visible()
    expect(page.locator("#settings-form [name=name]")).to_have_value("Movie night")
    expect(page.locator("#close-button")).to_be_visible()
    assert watch.clean() == []
    context.close()


def test_closing_the_room_can_be_undone_and_deleting_it_asks_in_the_page(site, browser, size):
    room, tokens = api_room(site, "alice", "bob")
    context, page, watch = as_member(browser, site, room, tokens["alice"], size[1])
    raised = no_native_dialogs(page)
    live(page, f"/r/{room['id']}")
    page.locator("#room-menu-button").click()
    page.get_by_role("button", name="Close the room").click()
    closed = page.locator(".toast").filter(has_text="The room is closed")
    expect(closed).to_be_visible()
    expect(page.locator("#room-banner")).to_contain_text("This room is closed")
    closed.get_by_role("button", name="Undo").click()
    expect(page.locator("#room-banner")).to_be_hidden()
    expect(page.locator("#conn")).to_have_attribute("data-state", "live")
    assert call(site, tokens["alice"], "GET", f"/rooms/{room['id']}")["status"] == "open"

    page.locator("#room-menu-button").click()
    page.get_by_role("button", name="Delete the room").click()
    confirm = page.locator(".confirm-dialog")
    expect(confirm).to_be_visible()
    expect(confirm).to_contain_text("This cannot be undone.")
    # The safe answer has the focus.
    assert page.evaluate("document.activeElement.textContent") == "Cancel"
    inside_viewport(page, ".confirm-dialog")
    shoot(page, "delete-confirm", size)
    page.keyboard.press("Escape")
    expect(confirm).to_have_count(0)
    expect(page.locator("#delete-button")).to_be_focused()
    assert call(site, tokens["alice"], "GET", f"/rooms/{room['id']}")["name"] == "Movie night"
    page.get_by_role("button", name="Delete the room").click()
    page.locator(".confirm-dialog").get_by_role("button", name="Delete the room").click()
    page.wait_for_url(f"{site}/")
    gone = requests.get(
        f"{site}/api/rooms/{room['id']}",
        headers={"Authorization": f"Bearer {tokens['bob']}"},
        timeout=5,
    )
    assert gone.status_code in (401, 404)
    assert raised == []
    assert watch.clean() == []
    context.close()


# 4. Focus comes back


def test_focus_goes_back_to_the_control_that_opened_each_dialog(site, browser, size):
    room, tokens = api_room(site, "alice", "bob")
    add(site, room, tokens["alice"], "Heat")
    context, page, watch = as_member(browser, site, room, tokens["alice"], size[1])
    live(page, f"/r/{room['id']}")

    for opener, dialog in (
        ("#invite-button", "#invite-dialog"),
        ("#room-menu-button", "#room-dialog"),
    ):
        page.locator(opener).focus()
        page.keyboard.press("Enter")
        expect(page.locator(dialog)).to_be_visible()
        page.keyboard.press("Escape")
        expect(page.locator(dialog)).to_be_hidden()
        expect(page.locator(opener)).to_be_focused()

    # Edit, from a card's menu: the title changes, so the menu is drawn anew; its successor
    # has the focus.
    card(page, "Heat").get_by_label("More for Heat").click()
    card(page, "Heat").get_by_role("button", name="Edit title or year").click()
    page.fill("#edit-title", "Heat (director's cut)")
    page.locator("#edit-form").get_by_role("button", name="Save").click()
    expect(card(page, "Heat (director's cut)")).to_have_count(1)
    expect(page.locator("#edit-dialog")).to_be_hidden()
    expect(page.get_by_label("More for Heat (director's cut)")).to_be_focused()

    # The reveal, opened by "Pick for us" and closed with its own button.
    page.locator("#pick-button").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#reveal-title")).to_have_text("Heat (director's cut)", timeout=10_000)
    page.locator("#reveal-close").click()
    expect(page.locator("#reveal-dialog")).to_be_hidden()
    expect(page.locator("#pick-button")).to_be_focused()

    # Tonight's new evening asks in the page; cancelled, the focus is back on its button.
    page.locator("#tonight-details > summary").click()
    page.locator("#new-evening").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".confirm-dialog")).to_be_visible()
    shoot(page, "new-evening-confirm", size)
    page.locator(".confirm-dialog").get_by_role("button", name="Cancel").click()
    expect(page.locator(".confirm-dialog")).to_have_count(0)
    expect(page.locator("#new-evening")).to_be_focused()
    assert watch.clean() == []
    context.close()


# 5. Half stars


STAR_FILLS = """(selector) => [...document.querySelector(selector).querySelectorAll('.star')]
  .map((star) => Math.round(100 * star.querySelector('.star-fill').getBoundingClientRect().width
                            / star.getBoundingClientRect().width))"""


def test_an_average_of_four_and_a_half_is_drawn_as_four_and_a_half_stars(site, browser, size):
    room, tokens = api_room(site, "alice", "bob")
    item = add(site, room, tokens["alice"], "Heat")
    entry = call(site, tokens["alice"], "POST", f"/queue/{item['id']}/watched")
    call(site, tokens["alice"], "PUT", f"/history/{entry['id']}/ratings/alice", {"rating": 5})
    call(site, tokens["bob"], "PUT", f"/history/{entry['id']}/ratings/bob", {"rating": 4})
    context, page, watch = as_member(browser, site, room, tokens["alice"], size[1])
    live(page, f"/r/{room['id']}/history")

    average = page.locator(".entry .average .stars")
    expect(average).to_have_attribute("aria-label", "Average 4.5 out of 5 stars")
    expect(page.locator(".entry .average")).to_contain_text("4.5 from 2 ratings")
    assert page.evaluate(STAR_FILLS, ".entry .average .stars") == [100, 100, 100, 100, 50]
    bobs = page.locator(".ratings li").filter(has_text="Bob").locator(".stars")
    expect(bobs).to_have_attribute("aria-label", "4 out of 5 stars")
    assert page.evaluate(STAR_FILLS, ".ratings li:nth-child(2) .stars") == [100, 100, 100, 100, 0]
    # Each rating's stars sit on one line, beside the name.
    heights = page.evaluate(
        """[...document.querySelectorAll('.ratings .stars')]
             .map((stars) => stars.getBoundingClientRect().height)"""
    )
    assert max(heights) < 30, heights
    # A star is a shape of the app's, the same size on every device, lit in the accent.
    colours = page.evaluate(
        """[...document.querySelectorAll('.entry .average .star')].map((star) =>
             getComputedStyle(star.querySelector('.star-on')).fill)"""
    )
    assert colours == ["rgb(255, 181, 71)"] * 5
    page.locator(".entry .average").scroll_into_view_if_needed()
    no_sideways_scroll(page)
    shoot(page, "half-stars", size)
    assert watch.clean() == []
    context.close()


# 6. Toasts go with their trouble


def test_a_lost_connections_message_goes_when_the_page_is_live_again(site, browser, size):
    room, tokens = api_room(site, "alice")
    add(site, room, tokens["alice"], "Heat")
    context, page, _ = as_member(browser, site, room, tokens["alice"], size[1])
    live(page, f"/r/{room['id']}")
    context.set_offline(True)
    expect(page.locator("#conn")).to_have_attribute("data-state", "offline")
    card(page, "Heat").locator(".vote-button.up").click()
    trouble = page.locator(".toast.error").filter(has_text="Could not reach the server")
    expect(trouble).to_have_count(1)
    shoot(page, "toast-offline", size)
    context.set_offline(False)
    expect(page.locator("#conn")).to_have_attribute("data-state", "live", timeout=20_000)
    expect(trouble).to_have_count(0)
    context.close()


def test_a_failed_actions_message_goes_when_it_later_works(site, browser, size):
    room, tokens = api_room(site, "alice")
    add(site, room, tokens["alice"], "Heat")
    context, page, watch = as_member(browser, site, room, tokens["alice"], size[1])
    live(page, f"/r/{room['id']}")

    def add_by_title(title: str) -> None:
        page.fill("#add-title", title)
        # TMDB's suggestions come as one types; put away, they leave the Add button free.
        expect(page.locator("#suggestions")).to_be_visible()
        page.keyboard.press("Escape")
        expect(page.locator("#suggestions")).to_be_hidden()
        page.get_by_role("button", name="Add", exact=True).click()

    add_by_title("heat")
    refused = page.locator(".toast.error").filter(has_text="Heat is already in the queue")
    expect(refused).to_have_count(1)
    add_by_title("Alien")
    expect(card(page, "Alien")).to_have_count(1)
    expect(refused).to_have_count(0)
    assert watch.clean("409 (Conflict)") == []
    context.close()


# 7. A removed member


def test_a_removed_member_is_told_so_and_leaves_every_presence_list_at_once(site, browser, size):
    room, tokens = api_room(site, "alice", "bob", "carol")
    alice_ctx, alice, _ = as_member(browser, site, room, tokens["alice"])
    bob_ctx, bob, bob_watch = as_member(browser, site, room, tokens["bob"], size[1])
    carol_ctx, carol, _ = as_member(browser, site, room, tokens["carol"])
    for page in (alice, bob, carol):
        live(page, f"/r/{room['id']}")
    for page in (alice, carol):
        expect(page.locator("#presence-list")).to_contain_text("Bob")

    alice.locator("#room-menu-button").click()
    alice.get_by_role("button", name="Remove Bob").click()
    alice.locator(".confirm-dialog").get_by_role("button", name="Remove Bob").click()

    expect(bob.locator("#room-banner")).to_contain_text("You were removed from this room.")
    expect(bob.locator("#conn")).to_have_text("Removed from the room")
    assert "reconnecting" not in bob.locator("body").inner_text().lower()
    # Told once, by the banner: no error message about the token the removal ended.
    bob.wait_for_timeout(1_000)
    expect(bob.locator(".toast.error")).to_have_count(0)
    # At once: from the removal's own event, not when the closed connection is counted out.
    for page in (alice, carol):
        expect(page.locator("#presence-list")).not_to_contain_text("Bob", timeout=1_500)
    inside_viewport(bob, "#room-banner")
    shoot(bob, "removed-member", size)
    assert bob_watch.clean("401", "403") == []
    for context in (alice_ctx, bob_ctx, carol_ctx):
        context.close()


# 8. "Rate it there" is a link


def test_the_rate_it_message_after_marking_watched_links_to_the_history(site, browser, size):
    room, tokens = api_room(site, "alice")
    add(site, room, tokens["alice"], "Heat")
    context, page, watch = as_member(browser, site, room, tokens["alice"], size[1])
    live(page, f"/r/{room['id']}")
    card(page, "Heat").get_by_label("More for Heat").click()
    card(page, "Heat").get_by_role("button", name="Mark as watched").click()
    note = page.locator(".toast").filter(has_text="Heat is in the history now")
    link = note.get_by_role("link", name="rate it there")
    expect(link).to_have_attribute("href", f"/r/{room['id']}/history")
    inside_viewport(page, ".toast")
    shoot(page, "rate-it-link", size)
    link.click()
    page.wait_for_url(f"**/r/{room['id']}/history")
    expect(page.locator(".entry").filter(has_text="Heat")).to_have_count(1)
    assert watch.clean() == []
    context.close()


# 9. Avatars drawn by the app


def test_every_offered_avatar_is_vendored_with_its_license_and_nothing_else_is():
    vendored = {path.name for path in AVATAR_DIR.glob("*.svg")}
    assert vendored == {image_name(emoji) for emoji in AVATARS}
    assert "CC-BY 4.0" in (AVATAR_DIR / "LICENSE.md").read_text()


AVATAR_LOOK = """(selector) => [...document.querySelectorAll(selector)].map((avatar) => {
  const image = avatar.querySelector('img');
  return { text: avatar.textContent.trim(), classes: avatar.className,
           src: image ? image.getAttribute('src') : null,
           loaded: image ? image.complete && image.naturalWidth > 0 : null,
           background: getComputedStyle(avatar).backgroundColor };
})"""


def test_avatars_are_the_apps_own_images_with_a_coloured_initial_otherwise(site, browser, size):
    room, tokens = api_room(site, "alice", "bob")
    carol = requests.post(
        f"{site}/api/rooms/{room['code']}/join",
        json={"user_id": "carol", "name": "Carol", "avatar": "🥑"},
        timeout=5,
    ).json()
    context, page, watch = as_member(browser, site, room, tokens["alice"], size[1])

    # The join page's picker and its list of who is in.
    page.goto(f"/join/{room['code']}")
    options = page.evaluate(AVATAR_LOOK, ".avatar-option > span[aria-hidden]")
    assert len(options) == len(AVATARS)
    assert all(o["loaded"] and o["text"] == "" for o in options), options
    assert re.fullmatch(r"/static/web/avatars/1f98a\.[0-9a-f]{12}\.svg", options[0]["src"])
    inline = page.evaluate(AVATAR_LOOK, ".member-inline .avatar")
    assert [a["src"] is not None for a in inline] == [True, True, False]
    assert inline[2]["text"] == "C"
    assert "hue-" in inline[2]["classes"]
    no_sideways_scroll(page)
    shoot(page, "avatars-join", size)

    # The room: who is here, drawn by the page's script the same way.
    for token in (tokens["bob"], carol["token"]):
        requests.post(
            f"{site}/api/votes",
            json={"item_id": add(site, room, token, f"Film {token[-4:]}")["id"], "vote": "up"},
            headers={"Authorization": f"Bearer {token}"},
            timeout=5,
        )
    live(page, f"/r/{room['id']}")
    page.locator("#room-menu-button").click()
    members = page.evaluate(AVATAR_LOOK, "#member-list .avatar")
    # Hashed names, so a browser keeps them for good: /static/web/avatars/1f98a.<hash>.svg.
    unhashed = [re.sub(r"\.[0-9a-f]{12}\.svg$", ".svg", m["src"] or "") for m in members]
    assert [src or m["text"] for src, m in zip(unhashed, members, strict=True)] == [
        "/static/web/avatars/1f98a.svg",
        "/static/web/avatars/1f43b.svg",
        "C",
    ]
    assert all(m["loaded"] for m in members[:2])
    assert members[2]["background"] not in ("rgba(0, 0, 0, 0)", "transparent")
    # No avatar leans on the device's emoji font: none holds an emoji as text.
    everywhere = page.evaluate(AVATAR_LOOK, ".avatar")
    assert [a for a in everywhere if re.search(r"[\U0001F300-\U0001FAFF]", a["text"])] == []
    shoot(page, "avatars-room", size)
    assert watch.clean() == []
    context.close()
