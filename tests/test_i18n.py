"""The site in the visitor's language: every German word translated and compiled, TMDB asked in
the language of whoever asks (unless TMDB_LANGUAGE says otherwise), and the room, the TV and the
history in German in a real browser, with the menu's switch remembered."""

import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
import requests
from playwright.sync_api import expect

from tests.browser import LAPTOP, PHONE, TV, add, api_room, as_member, call, card, screenshot
from tests.factories import client_for, make_room
from tests.fake_tmdb import FakeTMDB
from tests.live_server import ROOT, daphne, migrate, server_env

LOCALE = ROOT / "locale" / "de" / "LC_MESSAGES"
KEY = "v3-SECRET-KEY-0123456789"

# The catalogs


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_every_german_message_is_translated(domain):
    if not shutil.which("msgfmt"):
        pytest.skip("gettext's msgfmt is not installed")
    stats = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(LOCALE / f"{domain}.po")],
        capture_output=True,
        text=True,
        check=True,
        env={"LC_ALL": "C"},
    ).stderr
    assert re.fullmatch(r"\d+ translated messages\.\n", stats), stats


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_the_compiled_catalogs_are_those_of_the_po_files(domain, tmp_path):
    if not shutil.which("msgfmt"):
        pytest.skip("gettext's msgfmt is not installed")
    compiled = tmp_path / f"{domain}.mo"
    subprocess.run(
        ["msgfmt", "--check-format", "-o", str(compiled), str(LOCALE / f"{domain}.po")],
        check=True,
    )
    assert compiled.read_bytes() == (LOCALE / f"{domain}.mo").read_bytes(), (
        f"locale/de/LC_MESSAGES/{domain}.mo is out of date: run compilemessages"
    )


# The API's refusals


@pytest.mark.django_db
def test_a_refusal_says_its_detail_in_the_askers_language_with_the_same_code():
    setup = make_room("alice", "bob")
    client = client_for(setup.tokens["bob"])
    german = client.delete(f"/api/rooms/{setup.room.pk}", HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9")
    english = client.delete(f"/api/rooms/{setup.room.pk}", HTTP_ACCEPT_LANGUAGE="en-GB")
    assert german.status_code == english.status_code == 403
    assert german.json() == {
        "error": "forbidden",
        "detail": "Das kann nur der Gastgeber des Raums.",
    }
    assert english.json() == {"error": "forbidden", "detail": "Only the room's host can do this."}


# TMDB in the asker's language


def _tmdb_site(tmp_path: Path, fake: FakeTMDB, **extra: str):
    env = server_env(tmp_path, TMDB_API_KEY=KEY, TMDB_API_URL=fake.url, **extra)
    migrate(env)
    return daphne(env)


def _details_asked(fake: FakeTMDB, path: str, timeout: float = 10.0) -> dict[str, str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if fake.calls(path):
            return fake.last(path).params
        time.sleep(0.05)
    raise AssertionError(f"TMDB was never asked {path}")


def test_tmdb_answers_a_search_and_an_added_film_in_the_language_of_whoever_asks(tmp_path):
    with FakeTMDB(key=KEY) as fake, _tmdb_site(tmp_path, fake) as site:
        room, tokens = api_room(site, "alice", "bob")
        german = {"Authorization": f"Bearer {tokens['bob']}", "Accept-Language": "de-DE,de;q=0.9"}
        english = {"Authorization": f"Bearer {tokens['alice']}", "Accept-Language": "en-GB"}
        assert requests.get(f"{site}/api/search?q=heat", headers=german, timeout=5).ok
        assert fake.last("/search/multi").params["language"] == "de"
        assert requests.get(f"{site}/api/search?q=heat", headers=english, timeout=5).ok
        assert fake.last("/search/multi").params["language"] == "en"
        # The details of a film come in the language of whoever added it, in the background.
        added = requests.post(
            f"{site}/api/queue",
            json={"room_id": room["id"], "title": "Heat", "tmdb_id": 949},
            headers=german,
            timeout=5,
        )
        assert added.status_code == 201, added.text
        assert _details_asked(fake, "/movie/949")["language"] == "de"


def test_tmdb_language_set_on_the_server_wins_over_the_askers(tmp_path):
    with FakeTMDB(key=KEY) as fake, _tmdb_site(tmp_path, fake, TMDB_LANGUAGE="en-US") as site:
        room, tokens = api_room(site, "alice")
        german = {"Authorization": f"Bearer {tokens['alice']}", "Accept-Language": "de"}
        assert requests.get(f"{site}/api/search?q=heat", headers=german, timeout=5).ok
        assert fake.last("/search/multi").params["language"] == "en-US"
        requests.post(
            f"{site}/api/queue",
            json={"room_id": room["id"], "title": "Heat", "tmdb_id": 949},
            headers=german,
            timeout=5,
        )
        assert _details_asked(fake, "/movie/949")["language"] == "en-US"


# The pages in German

# Words of the English UI that must not be left in these parts of a German page.
ENGLISH = re.compile(
    r"\b(Queue|Pick for us|Voting round|Start a round|Added by|Seen it|Tonight|Up next|"
    r"Join on your phone|History|Invite|Swipe|Your rating|Watched|Nobody|rating|Vote now|"
    r"Who's|Matches|Room closed)\b"
)


def _no_english(page, *selectors: str) -> None:
    for selector in selectors:
        for text in page.locator(selector).all_inner_texts():
            assert not ENGLISH.search(text), f"English left in {selector}: {text!r}"


def test_the_room_the_tv_and_the_history_speak_german_and_the_switch_is_remembered(site, browser):
    room, tokens = api_room(site, "alice", "bob")
    heat = add(site, room, tokens["alice"], "Heat", tmdb_id=949)
    add(site, room, tokens["bob"], "Inception")
    requests.post(
        f"{site}/api/votes",
        json={"item_id": heat["id"], "vote": "up"},
        headers={"Authorization": f"Bearer {tokens['bob']}"},
        timeout=5,
    )
    watched = add(site, room, tokens["alice"], "Our holiday video")
    requests.post(
        f"{site}/api/queue/{watched['id']}/watched",
        headers={"Authorization": f"Bearer {tokens['alice']}"},
        timeout=5,
    )
    context, page, watch = as_member(browser, site, room, tokens["alice"], locale="de-DE")

    # The room, as the browser's language asks.
    page.goto(f"/r/{room['id']}")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.locator("#conn")).to_have_attribute("data-state", "live")
    expect(page.locator("#queue-title")).to_contain_text("Liste")
    expect(card(page, "Heat").locator(".item-added")).to_contain_text("Hinzugefügt von Alice")
    expect(card(page, "Heat").locator(".seen-button")).to_contain_text("Gesehen?")
    expect(page.locator("#bar-pick")).to_have_text("Wähl für uns")
    expect(page.locator("#tonight-title")).to_have_text("Heute Abend")
    expect(page.locator("#tonight-line")).to_contain_text("dabei")
    _no_english(page, ".room-bar", "#tonight summary", "#queue .item", "#action-bar", ".room-side")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    screenshot(page, "de-room", {"phone": PHONE, "laptop": LAPTOP, "tv": TV})

    # The details sheet and the room's menu, with the language switch in it.
    card(page, "Heat").locator(".item-open").click()
    expect(page.locator("#details-sheet")).to_be_visible()
    expect(page.locator("#details-sheet")).to_contain_text("Besetzung")
    page.keyboard.press("Escape")
    page.locator("#room-menu-button").click()
    expect(page.locator("#room-dialog")).to_contain_text("Mitglieder")
    expect(page.locator("#language-room")).to_have_value("de")

    # The TV and the history.
    page.goto(f"/r/{room['id']}/tv")
    expect(page.locator("#conn")).to_have_attribute("data-state", "live")
    expect(page.locator("#tv-queue-title")).to_have_text("Als Nächstes")
    expect(page.locator("#tv-join-title")).to_have_text(re.compile("Handy"))
    _no_english(page, ".tv-head", ".tv-queue", ".tv-side")
    screenshot(page, "de-tv", {"phone": PHONE, "laptop": LAPTOP, "tv": TV}, whole=False)
    page.goto(f"/r/{room['id']}/history")
    expect(page.locator(".entry")).to_have_count(1)
    expect(page.locator(".entry")).to_contain_text("Geschaut heute um")
    expect(page.locator("#taste-title")).to_have_text("Der Geschmack eurer Gruppe")
    expect(page.locator("#taste-rule")).to_contain_text("Reihenfolge:")
    _no_english(page, ".room-bar", ".entry", "#taste")
    screenshot(page, "de-history", {"phone": PHONE, "laptop": LAPTOP, "tv": TV})

    # The switch: English chosen in the menu wins over the browser's German, and stays.
    page.goto(f"/r/{room['id']}")
    page.locator("#room-menu-button").click()
    with page.expect_navigation():
        page.locator("#language-room").select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#bar-pick")).to_have_text("Pick for us")
    page.goto("/")
    expect(page.locator("h1")).to_have_text("Decide what to watch, together.")
    with page.expect_navigation():
        page.locator("#language-home").select_option("de")
    expect(page.locator("h1")).to_have_text("Gemeinsam entscheiden, was ihr schaut.")
    page.goto(f"/r/{room['id']}/tv")
    expect(page.locator("#tv-queue-title")).to_have_text("Als Nächstes")
    assert watch.clean() == []
    context.close()


def test_a_pick_and_a_rounds_outcome_read_in_each_screens_language(site, browser):
    """One pick, sent alike to every screen, reads in German on Bob's phone and in English on
    Alice's laptop, as the API words it for each; so does a round that found nothing."""
    room, tokens = api_room(site, "alice", "bob")
    alice, bob = tokens["alice"], tokens["bob"]
    add(site, room, alice, "Heat", tmdb_id=949)  # 170 min
    add(site, room, bob, "Inception", tmdb_id=27205)  # 148 min
    add(site, room, bob, "Solaris", tmdb_id=2103)  # 99 min
    en_ctx, en_page, en_watch = as_member(browser, site, room, alice, LAPTOP, locale="en-GB")
    de_ctx, de_page, de_watch = as_member(browser, site, room, bob, PHONE, locale="de-DE")
    for page in (en_page, de_page):
        page.goto(f"/r/{room['id']}")
        expect(page.locator("#conn")).to_have_attribute("data-state", "live")
    expect(card(en_page, "Heat").locator(".item-meta")).to_contain_text("2 h 50 min")
    expect(card(en_page, "Inception").locator(".item-meta")).to_contain_text("2 h 28 min")
    expect(card(en_page, "Solaris").locator(".item-meta")).to_contain_text("1 h 39 min")
    call(site, alice, "PATCH", f"/rooms/{room['id']}/tonight", {"max_runtime_minutes": 120})

    chosen = call(site, alice, "POST", f"/queue/room/{room['id']}/select")
    german = call(site, bob, "GET", f"/selections/{chosen['id']}", language="de")["reason"]

    assert german["summary"] == "Solaris war der einzige Film, der gewählt werden konnte."
    expect(de_page.locator("#reveal-reason")).to_have_text(german["summary"])
    expect(en_page.locator("#reveal-reason")).to_have_text(chosen["reason"]["summary"])
    # One film could be picked: there was no draw to check.
    expect(de_page.locator("#reveal-check")).to_be_hidden()
    de_why = de_page.locator("#reveal-why")
    expect(de_why.locator("summary")).to_have_text("Warum nicht die anderen? (2)")
    expect(de_why.locator("li").filter(has_text="Heat")).to_contain_text(
        "länger als 120 Min. (170 Min.)"
    )
    expect(en_page.locator("#reveal-why li").filter(has_text="Heat")).to_contain_text(
        "longer than 120 min (170 min)"
    )
    _no_english(de_page, "#reveal-dialog")
    screenshot(de_page, "de-pick", {"phone": PHONE, "laptop": LAPTOP, "tv": TV}, whole=False)
    for page in (en_page, de_page):
        page.keyboard.press("Escape")
    expect(de_page.locator("#standing .standing-reason")).to_have_text(german["summary"])

    # A round in which nothing fits: its outcome, stored in English, reads in German for Bob.
    call(site, alice, "PATCH", f"/rooms/{room['id']}/tonight", {"max_runtime_minutes": 60})
    call(site, alice, "POST", f"/rooms/{room['id']}/round")
    ended = call(site, alice, "POST", f"/rooms/{room['id']}/round/end")
    assert ended["outcome"] == "Nothing can be picked: 3 too long."
    expect(de_page.locator("#round-idle p")).to_have_text("Nichts kann gewählt werden: 3 zu lang.")
    expect(en_page.locator("#round-idle p")).to_have_text(ended["outcome"])
    assert en_watch.clean() == []
    assert de_watch.clean() == []
    en_ctx.close()
    de_ctx.close()
