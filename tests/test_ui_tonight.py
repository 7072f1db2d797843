"""Tonight's pick on a phone, as a group on a sofa uses it: who is in, the constraints, seen it,
vetoes, a match celebrated on every screen, the pick with its reasons, turning it down, and the
next evening; in headless Chromium against a real daphne process, with the other members voting
over the API and the living-room TV following along."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import requests
from playwright.sync_api import expect

from tests.browser import PHONE, TV, add, api_room, as_member, call, card, screenshot

# The phone's clock: +05:30 all year round, so the offset the page must send is known.
ZONE = "Asia/Kolkata"
# Where the server has no TMDB provider list for "My services", the page falls back to typed
# names; the browser logs that answer, and the 409s the test provokes on purpose.
EXPECTED_REFUSALS = ("409 (Conflict)", "404 (Not Found)", "503 (Service Unavailable)")


def js_number(value: float) -> str:
    """A number as JavaScript prints it: 50.0 is "50"."""
    return str(int(value)) if value == int(value) else str(value)


def no_sideways_scroll(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px"


def shoot(page, name: str, *, whole: bool = True) -> None:
    no_sideways_scroll(page)
    for shot in screenshot(page, name, {"phone": PHONE}, whole=whole):
        assert shot.stat().st_size > 5_000


def test_an_evening_on_a_phone_from_constraints_to_the_pick_and_the_next_evening(site, browser):
    room, tokens = api_room(site, "alice", "bob", "carol")
    alice, bob, carol = tokens["alice"], tokens["bob"], tokens["carol"]
    add(site, room, alice, "Heat", tmdb_id=949)  # 170 min; Action, Crime
    inception = add(site, room, bob, "Inception", tmdb_id=27205)  # 148 min; Action, Thriller
    solaris = add(site, room, carol, "Solaris", tmdb_id=2103)  # 99 min; Drama
    add(site, room, bob, "Game of Thrones", media_type="tv", tmdb_id=1399)
    add(site, room, carol, "Our holiday video")
    add(site, room, alice, "Alien")

    screen = requests.post(f"{site}/api/rooms/{room['code']}/screen", json={}, timeout=5).json()
    tv_ctx, tv, tv_watch = as_member(browser, site, room, screen["token"], TV)
    tv.goto(f"/r/{room['id']}/tv")
    expect(tv.locator("#conn")).to_have_attribute("data-state", "live")

    context, page, watch = as_member(browser, site, room, alice, PHONE, timezone_id=ZONE)
    page.goto(f"/r/{room['id']}")
    expect(page.locator("#conn")).to_have_attribute("data-state", "live")
    expect(card(page, "Heat").locator(".item-meta")).to_have_text("1995 · 2 h 50 min · Film")
    expect(card(page, "Solaris").locator(".item-meta")).to_have_text("2002 · 1 h 39 min · Film")
    # On a phone the panel is one line until opened: only Alice is connected, so only she is in.
    details = page.locator("#tonight-details")
    expect(details).not_to_have_attribute("open", "")
    expect(page.locator("#tonight-line")).to_have_text("1 in · anything goes")
    expect(card(page, "Heat").locator(".chance-badge")).to_have_text("16.7% chance")
    shoot(page, "tonight-1-queue")

    # Alice opens tonight's panel and, as the host, counts Bob and Carol in.
    page.locator("#tonight-details > summary").click()
    expect(details).to_have_attribute("open", "")
    attendees = page.locator("#attendees")
    expect(attendees.locator("button")).to_have_count(3)
    me = attendees.get_by_role("button", name=re.compile(r"^Alice \(you\): in tonight, here now"))
    expect(me).to_have_attribute("aria-pressed", "true")
    for name in ("Bob", "Carol"):
        toggle = attendees.get_by_role("button", name=re.compile(f"^{name}: out tonight"))
        expect(toggle).to_have_attribute("aria-pressed", "false")
        toggle.click()
        expect(
            attendees.get_by_role("button", name=re.compile(f"^{name}: in tonight"))
        ).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#tonight-line")).to_have_text("3 in · anything goes")

    # The constraints: done within five hours, nothing over 2 h 30, films, no crime.
    finish = (datetime.now(ZoneInfo(ZONE)) + timedelta(hours=5)).strftime("%H:%M")
    page.fill("#finish-by", finish)
    page.locator("#max-runtime").focus()
    page.select_option("#max-runtime", "150")
    page.locator("#tonight-form label").filter(has_text="Films").click()
    page.locator("#genres-exclude label").filter(has_text="Crime").click()
    summary = f"3 in · done by {finish} · up to 2 h 30 min · Films only · no Crime"
    expect(page.locator("#tonight-line")).to_have_text(summary)
    constraints = call(site, alice, "GET", f"/rooms/{room['id']}/tonight")["constraints"]
    # Sent with the phone's own offset, and kept with it.
    assert constraints["finish_by"].endswith("+05:30")
    assert constraints["finish_by"][11:16] == finish
    assert (constraints["max_runtime_minutes"], constraints["media"]) == (150, "movie")
    assert (constraints["genres_include"], constraints["genres_exclude"]) == ([], ["Crime"])
    heat_card = card(page, "Heat")
    expect(heat_card.locator(".item-why")).to_have_text(
        "Not tonight: longer than 150 min (170 min); genre Crime excluded."
    )
    expect(heat_card).to_have_class(re.compile(r"\bout\b"))
    expect(card(page, "Game of Thrones").locator(".item-why")).to_have_text(
        "Not tonight: a show, and tonight is films only."
    )
    expect(card(page, "Inception")).not_to_have_class(re.compile(r"\bout\b"))
    shoot(page, "tonight-2-constraints")

    # My services, typed where the server has no list from TMDB; then only what streams.
    page.locator("#services > summary").click()
    page.fill("#service-name", "Netflix")
    page.get_by_role("button", name="Add service").click()
    expect(
        page.locator("#service-chips label").filter(has_text="Netflix").locator("input")
    ).to_be_checked()
    expect(page.locator("#services-line")).to_have_text("Tonight's services: Netflix.")
    assert call(site, alice, "GET", f"/rooms/{room['id']}/tonight")["services"] == ["Netflix"]
    stream = page.get_by_label("Only what we can stream")
    stream.check()
    expect(card(page, "Inception").locator(".item-why")).to_have_text(
        "Not tonight: not on Netflix (the services you have)."
    )
    expect(page.locator("#tonight-line")).to_contain_text("on Netflix")
    stream.uncheck()
    expect(card(page, "Inception").locator(".item-why")).to_be_hidden()
    page.locator("#tonight-details > summary").click()
    expect(details).not_to_have_attribute("open", "")

    # Seen it: Alice and Bob have both seen Solaris, so 2 of 3 leaves it out tonight.
    solaris_card = card(page, "Solaris")
    seen = solaris_card.get_by_role("button", name="I have seen Solaris")
    expect(seen).to_have_attribute("aria-pressed", "false")
    seen.click()
    expect(seen).to_have_attribute("aria-pressed", "true")
    call(site, bob, "PUT", f"/queue/{solaris['id']}/seen/bob")
    expect(solaris_card.locator(".seen-by li")).to_have_count(2)
    expect(solaris_card.locator(".seen-by li").nth(1)).to_have_attribute("title", "Bob saw it")
    expect(solaris_card.locator(".item-why")).to_have_text("Not tonight: seen by 2 of 3.")
    expect(solaris_card).to_have_class(re.compile(r"\bout\b"))
    shoot(page, "tonight-3-seen")

    # A veto: Alice spends her one veto on the holiday video; a second is refused in words.
    holiday_card = card(page, "Our holiday video")
    holiday_card.get_by_role(
        "button", name=re.compile(r"^Veto Our holiday video .*1 veto left")
    ).click()
    expect(holiday_card.locator(".veto-badge")).to_have_text("Vetoed by you")
    expect(
        holiday_card.get_by_role("button", name="Withdraw your veto on Our holiday video")
    ).to_be_visible()
    expect(card(page, "Alien").locator(".veto-button")).to_contain_text("0 left")
    card(page, "Alien").get_by_role("button", name=re.compile("^Veto Alien")).click()
    expect(page.locator(".toast.error")).to_contain_text(
        "You have used your veto tonight; withdraw one to veto something else."
    )
    expect(card(page, "Alien").locator(".veto-badge")).to_have_count(0)
    page.locator(".toast.error button").click()
    shoot(page, "tonight-4-veto")

    # A match: Alice votes Inception up here, Bob and Carol from their phones.
    card(page, "Inception").get_by_role("button", name=re.compile("Vote up Inception")).click()
    for token in (bob, carol):
        call(site, token, "POST", "/votes", {"item_id": inception["id"], "vote": "up"})
    banner = page.locator("#match-banner")
    expect(banner).to_be_visible()
    expect(banner.locator(".match-text")).to_have_text("It's a match! All 3 of you want Inception.")
    expect(page.locator("#announce-assertive")).to_have_text(
        "It's a match! All 3 of you want Inception."
    )
    expect(card(page, "Inception").locator(".match-badge")).to_have_text("Match")
    shoot(page, "tonight-5-match", whole=False)
    tv_banner = tv.locator("#match-banner")
    expect(tv_banner).to_contain_text("All 3 of you want Inception.")
    expect(tv.locator("#tv-match-list")).to_have_text("💘Inception")
    expect(tv.locator("#tv-tonight-line")).to_have_text(summary)
    expect(tv.locator(".tv-item").filter(has_text="Heat").locator(".tv-why")).to_have_text(
        "Not tonight: longer than 150 min (170 min); genre Crime excluded"
    )
    screenshot(tv, "tonight-tv-match", {"tv": TV})
    # Each candidate's chance in tonight's draw, as the server computes it.
    preview = call(site, alice, "GET", f"/queue/room/{room['id']}/select/preview")
    chances = {c["title"]: c["chance"] for c in preview["candidates"]}
    assert set(chances) == {"Inception", "Alien"}
    assert chances["Inception"] > 90
    assert round(sum(chances.values())) == 100
    for title, chance in chances.items():
        expect(card(page, title).locator(".chance-badge")).to_have_text(
            f"{js_number(chance)}% chance"
        )
    expect(card(page, "Solaris").locator(".chance-badge")).to_have_count(0)
    # Once per match: a vote taken back and given again is not a second celebration.
    banner.locator("button[aria-label=Dismiss]").click()
    expect(banner).to_be_hidden()
    call(site, carol, "DELETE", f"/votes/{inception['id']}/carol")
    expect(card(page, "Inception").locator(".match-badge")).to_have_count(0)
    call(site, carol, "POST", "/votes", {"item_id": inception["id"], "vote": "up"})
    expect(card(page, "Inception").locator(".match-badge")).to_have_text("Match")
    expect(banner).to_be_hidden()

    # The pick: a weighted draw between the two that can be picked, with every reason.
    page.locator("#bar-pick").click()
    reveal = page.locator("#reveal-dialog")
    expect(reveal).to_be_visible()
    expect(reveal).to_have_class(re.compile(r"\blanded\b"), timeout=10_000)
    first = page.locator("#reveal-title").inner_text()
    assert first in chances
    second = next(title for title in chances if title != first)
    expect(page.locator("#reveal-reason")).to_have_text(
        f"{first} won the weighted draw with a {chances[first]:.1f}% chance."
    )
    expect(page.locator("#reveal-candidates li")).to_have_text(
        [f"Inception{js_number(chances['Inception'])}%", f"Alien{js_number(chances['Alien'])}%"]
    )
    why = page.locator("#reveal-why")
    expect(why.locator("summary")).to_have_text("Why not the others? (4)")
    why.locator("summary").click()
    excluded = {
        "Heat": "longer than 150 min (170 min); genre Crime excluded",
        "Solaris": "seen by 2 of 3",
        "Game of Thrones": "a show, and tonight is films only",
        "Our holiday video": "vetoed by Alice",
    }
    for title, reasons in excluded.items():
        expect(why.locator("li").filter(has_text=title).locator(".block")).to_have_text(reasons)
    shoot(page, "tonight-6-pick", whole=False)

    # Alice, the host, turns it down for free: the other is picked, and says why.
    reveal.get_by_role("button", name="Turn it down").click()
    expect(page.locator("#reveal-title")).to_have_text(second, timeout=10_000)
    expect(reveal).to_have_class(re.compile(r"\blanded\b"), timeout=10_000)
    said = f"{first} was turned down. {second} was the only film that could be picked."
    expect(page.locator("#reveal-reason")).to_have_text(said)
    expect(why.locator("summary")).to_have_text("Why not the others? (5)")
    why.locator("summary").click()
    expect(why.locator("li").filter(has_text=first).locator(".block")).to_have_text(
        "turned down tonight"
    )
    shoot(page, "tonight-7-turned-down", whole=False)
    # The TV reveals the new pick too, and keeps it up with its reason.
    expect(tv.locator("#reveal-title")).to_have_text(second, timeout=10_000)
    expect(tv.locator("#reveal-reason")).to_have_text(said, timeout=10_000)
    tv.keyboard.press("Escape")
    expect(tv.locator("#tv-pick h3")).to_have_text(second)
    expect(tv.locator("#tv-pick .tv-pick-reason")).to_have_text(said)
    screenshot(tv, "tonight-tv-pick", {"tv": TV})

    # Nothing else can be picked now: turning it down again is refused, it stands, and the
    # pick card lists every other film with its reasons.
    reveal.get_by_role("button", name="Turn it down").click()
    expect(page.locator("#reveal-error")).to_have_text(
        f"Nothing else can be picked tonight, so {second} stands."
    )
    page.locator("#reveal-close").click()
    expect(page.locator("#bar-pick")).to_have_text(f"Tonight: {second}")
    problem = page.locator("#pick-problem")
    expect(problem.locator("p")).to_have_text(
        f"Nothing else can be picked tonight, so {second} stands."
    )
    expect(problem.locator("li")).to_have_count(5)
    expect(problem.locator("li").filter(has_text=first).locator(".block")).to_have_text(
        "turned down tonight"
    )
    standing = page.locator("#standing")
    expect(standing.locator(".standing-title")).to_have_text(second)
    expect(standing.locator(".standing-reason")).to_contain_text(f"{first} was turned down.")
    shoot(page, "tonight-8-standing")
    page.locator("#pick-button").click()
    expect(page.locator(".toast.error span").last).to_have_text(
        f"{second} is already tonight's pick. Turn it down to pick again, or watch it."
    )

    # They watch it, and mark it watched: the next evening starts, its constraints kept.
    standing.get_by_role("button", name="Watch it now").click()
    expect(page.locator("#now-watching")).to_contain_text(second)
    page.get_by_role("button", name="We watched it").click()
    expect(page.locator(".toast").last).to_contain_text(f"{second} is in the history now")
    expect(page.locator("#announce-polite")).to_have_text(
        "A new evening has started: vetoes, who's in and matches start afresh."
    )
    expect(holiday_card.locator(".veto-badge")).to_have_count(0)
    expect(holiday_card.locator(".veto-button")).to_contain_text("1 left")
    expect(page.locator("#tonight-line")).to_have_text(
        f"1 in · done by {finish} · up to 2 h 30 min · Films only · no Crime"
    )
    expect(page.locator("#standing")).to_be_hidden()
    expect(page.locator("#bar-pick")).to_have_text("Pick for us")
    tonight = call(site, alice, "GET", f"/rooms/{room['id']}/tonight")
    assert (tonight["vetoes"], tonight["matches"], tonight["attendees"]) == ([], [], ["alice"])
    # What was said about the pick that stood is gone with it.
    expect(page.locator(".toast.error")).to_have_count(0)
    shoot(page, "tonight-9-next-evening")

    # The host may also start a new evening by hand.
    evening = tonight["evening"]["id"]
    page.locator("#tonight-details > summary").click()
    expect(attendees.get_by_role("button", name=re.compile("^Bob: out tonight"))).to_be_visible()
    page.locator("#new-evening").click()
    # Asked in the page, not in the browser's pop-up.
    page.locator(".confirm-dialog").get_by_role("button", name="Start a new evening").click()
    expect(page.locator(".toast").last).to_contain_text("A new evening has started.")
    assert call(site, alice, "GET", f"/rooms/{room['id']}/tonight")["evening"]["id"] != evening

    assert watch.clean(*EXPECTED_REFUSALS) == []
    assert tv_watch.clean() == []
    context.close()
    tv_ctx.close()


def test_a_member_sees_whose_turn_it_is_and_spends_a_veto_to_turn_a_pick_down(site, browser):
    room, tokens = api_room(site, "alice", "bob", selection_mode="round_robin", vetoes_public=False)
    alice, bob = tokens["alice"], tokens["bob"]
    add(site, room, alice, "Heat")
    add(site, room, bob, "Alien")
    solaris = add(site, room, bob, "Solaris")
    context, page, watch = as_member(browser, site, room, bob, PHONE)
    page.goto(f"/r/{room['id']}")
    expect(page.locator("#conn")).to_have_attribute("data-state", "live")
    # Nobody has had a pick yet, and Alice queued first: the turn is hers.
    expect(page.locator("#pick-field")).to_have_text("3 can be picked. It's Alice's turn.")
    expect(card(page, "Heat").locator(".chance-badge")).to_have_count(0)
    # The room hides who vetoed: Bob sees that Solaris is vetoed, not by whom.
    call(site, alice, "POST", f"/queue/{solaris['id']}/veto")
    expect(card(page, "Solaris").locator(".veto-badge")).to_have_text("Vetoed")
    expect(card(page, "Solaris")).to_have_class(re.compile(r"\bout\b"))
    expect(page.locator("#pick-field")).to_have_text(
        "2 can be picked, 1 left out tonight. It's Alice's turn."
    )

    page.locator("#bar-pick").click()
    reveal = page.locator("#reveal-dialog")
    expect(page.locator("#reveal-title")).to_have_text("Heat", timeout=10_000)
    expect(page.locator("#reveal-reason")).to_have_text(
        re.compile(r"^It is Alice's turn \(.+\); Heat is their best-voted film\.$")
    )
    expect(reveal.locator("#reveal-why li .block")).to_have_text(["vetoed"])
    turn_down = reveal.get_by_role("button", name="Turn it down: spend your veto")
    shoot(page, "tonight-member-1-turn", whole=False)

    # Bob is not the host: turning it down spends his one veto, and it is Bob's turn next.
    turn_down.click()
    expect(page.locator("#reveal-title")).to_have_text("Alien", timeout=10_000)
    expect(page.locator("#reveal-reason")).to_have_text(
        re.compile(r"^Heat was turned down\. It is Bob's turn")
    )
    expect(card(page, "Heat")).to_have_count(1)
    spent = reveal.get_by_role("button", name="Turn it down (no veto left)")
    expect(spent).to_be_visible()
    spent.click()
    expect(page.locator("#reveal-error")).to_have_text(
        "You have no veto left tonight to turn it down with: withdraw one of your vetoes first."
    )
    expect(page.locator("#reveal-title")).to_have_text("Alien")
    shoot(page, "tonight-member-2-no-veto-left", whole=False)
    page.locator("#reveal-close").click()
    heat = card(page, "Heat")
    expect(heat.locator(".veto-badge")).to_have_text("Vetoed by you")
    expect(heat.locator(".item-why")).to_have_text("Not tonight: turned down tonight.")

    # While a voting round runs, a pick is refused with the reason, in words.
    call(site, alice, "POST", f"/rooms/{room['id']}/round", {})
    expect(page.locator("#round-live")).to_be_visible()
    page.locator("#pick-button").click()
    expect(page.locator(".toast.error span").last).to_have_text(
        "A voting round is running: when its countdown ends, it picks for you."
    )
    no_sideways_scroll(page)
    assert watch.clean(*EXPECTED_REFUSALS) == []
    context.close()
