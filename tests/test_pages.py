"""The site's pages as the server renders them: who gets which page, what they embed, and the
headers that keep them safe and fresh. (What people do on them is in test_ui.py.)"""

import base64
import json
import re

import pytest
from django.test import Client

from rooms.ratelimit import TOO_MANY_FAILURES
from rooms.services import member_remove
from rooms.tokens import cookie_name
from tests.factories import make_room, screen_token_for
from web import invite


@pytest.fixture
def room(db):
    return make_room("alice", "bob")


def browser(setup=None, token: str | None = None) -> Client:
    """A browser, holding the room's cookie with `token` if given."""
    client = Client()
    if setup is not None and token is not None:
        client.cookies[cookie_name(setup.room.pk)] = token
    return client


def config(response) -> dict:
    found = re.search(r'<script id="wq-config" type="application/json">(.*?)</script>',
                      response.content.decode(), re.S)  # fmt: skip
    return json.loads(found.group(1))


def test_the_home_page_lists_the_rooms_this_browser_is_in(room):
    other = make_room("carol", name="Book club")
    client = browser(room, room.tokens["bob"])
    client.cookies[cookie_name(other.room.pk)] = "forged"
    page = client.get("/").content.decode()
    assert "Friday Night Movies" in page
    # Bob chose no avatar: his initial, on a colour of his name's own, beside his name.
    assert re.search(r'as\s+<span class="avatar small initials hue-\d+" aria-hidden="true">B</span>'
                     r'\s+Bob', page)  # fmt: skip
    assert "Book club" not in page


def test_the_code_field_goes_to_the_join_form_ignoring_case_and_spaces(room):
    code = room.room.code
    response = browser().get("/join", {"code": f" {code[:3].lower()} {code[3:]} "})
    assert (response.status_code, response["Location"]) == (302, f"/join/{code}")
    assert browser().get(f"/join/{code.lower()}")["Location"] == f"/join/{code}"


def test_the_join_form_offers_the_places_not_yet_claimed(room):
    room.client("alice").post(
        f"/api/rooms/{room.room.pk}/members", {"user_id": "dave", "name": "Dave"}, format="json"
    )
    page = browser().get(f"/join/{room.room.code}").content.decode()
    assert "I'm Dave" in page
    assert "I'm Bob" not in page


def test_an_unknown_code_is_a_404_page_that_counts_against_the_address(db, settings):
    settings.JOIN_FAILURE_RATE = (2, 86400)
    for _ in range(2):
        response = browser().get("/join/ZZZZZZ")
        assert response.status_code == 404
        assert "No room has this code" in response.content.decode()
    limited = browser().get("/join/ZZZZZZ")
    assert limited.status_code == 429
    assert TOO_MANY_FAILURES in limited.content.decode()


def test_a_member_gets_the_room_with_their_token_handed_to_its_script(room):
    response = browser(room, room.tokens["bob"]).get(f"/r/{room.room.pk}")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    handed = config(response)
    assert (handed["room_id"], unmasked(handed["token_masked"]), handed["you"]["user_id"]) == (
        room.room.pk,
        room.tokens["bob"],
        "bob",
    )
    # Masked anew for every answer, so the page can go compressed (BREACH): the token itself
    # is nowhere in it, and two answers never hold the same bytes for it.
    assert room.tokens["bob"] not in response.content.decode()
    again = config(browser(room, room.tokens["bob"]).get(f"/r/{room.room.pk}"))
    assert again["token_masked"] != handed["token_masked"]
    assert unmasked(again["token_masked"]) == room.tokens["bob"]


def unmasked(masked: str) -> str:
    raw = base64.urlsafe_b64decode(masked)
    half = len(raw) // 2
    return bytes(a ^ b for a, b in zip(raw[half:], raw[:half], strict=True)).decode()


@pytest.mark.parametrize("path", ["", "/history", "/tv"])
def test_without_the_cookie_a_room_page_asks_for_the_code_and_shows_none(room, path):
    response = browser().get(f"/r/{room.room.pk}{path}")
    assert response.status_code == 403
    assert room.room.code not in response.content.decode()


def test_a_removed_members_cookie_is_refused_and_cleared(room):
    token = room.tokens["bob"]
    member_remove(room=room.room, by=None, user_id="bob")
    response = browser(room, token).get(f"/r/{room.room.pk}")
    assert response.status_code == 403
    assert response.cookies[cookie_name(room.room.pk)]["max-age"] == 0


def test_a_screen_is_sent_to_the_tv_and_may_read_the_history(room):
    client = browser(room, screen_token_for(room.room))
    assert client.get(f"/r/{room.room.pk}")["Location"] == f"/r/{room.room.pk}/tv"
    tv = client.get(f"/r/{room.room.pk}/tv")
    assert tv.status_code == 200
    assert config(tv)["you"] is None
    assert client.get(f"/r/{room.room.pk}/history").status_code == 200


def test_a_token_of_another_room_in_this_rooms_cookie_opens_nothing(room):
    other = make_room("mallory", name="Next door")
    client = browser()
    client.cookies[cookie_name(room.room.pk)] = other.tokens["mallory"]
    for path in ("", "/history", "/tv"):
        response = client.get(f"/r/{room.room.pk}{path}")
        assert response.status_code == 403
        assert room.room.code not in response.content.decode()


@pytest.mark.parametrize("code", ["-", " - ", "a/b", "ABC", "ABCDEFGH", "0OIL11"])
def test_what_cannot_be_a_code_is_refused_on_both_join_paths(db, code):
    assert browser().get("/join", {"code": code}).status_code in (400, 404)
    assert browser().get(f"/join/{code.replace('/', '%2F')}").status_code == 404


def test_a_room_that_does_not_exist_is_a_404(db):
    assert browser().get(f"/r/{'0' * 24}").status_code == 404
    assert browser().get("/r/not-an-id").status_code == 404


def test_no_page_shows_the_tmdb_key(room, settings):
    settings.TMDB_API_KEY = "v3-SECRET-KEY-0123456789"
    client = browser(room, room.tokens["alice"])
    for path in ("/", f"/join/{room.room.code}", f"/r/{room.room.pk}", f"/r/{room.room.pk}/tv"):
        page = client.get(path).content.decode()
        assert settings.TMDB_API_KEY not in page
    assert config(client.get(f"/r/{room.room.pk}"))["tmdb"] is True


def test_pages_carry_a_policy_that_runs_only_the_apps_own_scripts(room):
    for path in ("/", f"/join/{room.room.code}", f"/r/{room.room.pk}"):
        response = browser(room, room.tokens["alice"]).get(path)
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy
        assert "frame-ancestors 'none'" in policy
        assert "unsafe-inline" not in policy


def invite_links(response) -> list[str]:
    return re.findall(r'class="invite-link" href="([^"]+)"', response.content.decode())


def test_the_invite_is_one_link_as_the_page_was_reached_when_phones_can_open_that(room):
    client = browser(room, room.tokens["bob"])
    page = client.get(f"/r/{room.room.pk}", HTTP_HOST="192.168.1.20:8000")
    assert invite_links(page) == [f"http://192.168.1.20:8000/join/{room.room.code}"]
    assert page.content.decode().count('class="qr"') == 1


def test_a_page_reached_on_loopback_invites_at_the_lan_address_the_server_listens_on(
    room, settings
):
    lan = invite.lan_address()
    if lan is None:
        pytest.skip("this machine is on no network: no LAN address to show")
    settings.LISTEN_ADDRESS = "0.0.0.0"
    client = browser(room, room.tokens["alice"])
    for host in ("localhost:8000", "127.0.0.1:8000", "[::1]:8000"):
        page = client.get(f"/r/{room.room.pk}", HTTP_HOST=host)
        assert invite_links(page) == [f"http://{lan}:8000/join/{room.room.code}"]
        assert page.content.decode().count('class="qr"') == 1
    settings.LISTEN_ADDRESS = "192.168.7.7"
    page = client.get(f"/r/{room.room.pk}", HTTP_HOST="localhost:8000")
    assert invite_links(page) == [f"http://192.168.7.7:8000/join/{room.room.code}"]


@pytest.mark.parametrize("listening", ["127.0.0.1", "localhost", "::1"])
def test_a_server_listening_on_loopback_says_so_and_shows_no_link(room, settings, listening):
    settings.LISTEN_ADDRESS = listening
    for path in ("", "/tv"):
        page = browser(room, room.tokens["alice"]).get(
            f"/r/{room.room.pk}{path}", HTTP_HOST="127.0.0.1:8000"
        )
        text = page.content.decode()
        assert "HOST=0.0.0.0 ./scripts/start.sh" in text
        assert 'class="qr"' not in text
        assert "127.0.0.1" not in text


def test_the_qr_code_encodes_the_join_link(room):
    svg = invite.qr_svg("http://192.168.1.20:8000/join/ABC234")
    assert svg.startswith('<svg viewBox="0 0 ')
    assert 'class="qr"' in svg
    assert invite.qr_svg("http://192.168.1.20:8000/join/ABC235") != svg


def test_the_service_worker_is_served_from_the_root_and_never_cached(db):
    response = browser().get("/sw.js")
    assert response["Content-Type"].startswith("text/javascript")
    assert (response["Cache-Control"], response["Service-Worker-Allowed"]) == ("no-cache", "/")
    body = response.content.decode()
    shell = json.loads(re.search(r"const SHELL = (\[.*?\]);", body).group(1))
    assert "/offline" in shell
    assert all(path.startswith(("/static/web/", "/jsi18n/en.js")) for path in shell[1:])
    assert not [path for path in shell if "/api/" in path]


def test_the_manifest_names_the_app_and_its_icons(db):
    manifest = browser().get("/manifest.webmanifest").json()
    assert (manifest["name"], manifest["display"]) == ("WatchQueue", "standalone")
    assert [icon["purpose"] for icon in manifest["icons"]] == ["any", "any", "maskable"]


def test_check_this_draw_replays_a_random_pick_for_the_room_and_nobody_else(room):
    room.add_item("Heat")
    room.add_item("Alien")
    pick = room.client("alice").post(
        f"/api/queue/room/{room.room.pk}/select", {"mode": "weighted_random"}, format="json"
    )
    selection = pick.json()
    path = f"/r/{room.room.pk}/picks/{selection['id']}"
    for token in (room.tokens["bob"], screen_token_for(room.room)):
        page = browser(room, token).get(path)
        assert page.status_code == 200
        text = page.content.decode()
        assert f"Replaying the draw picks {selection['item_title']} again" in text
        assert f"seed = {selection['seed']}" in text
    outsider = browser().get(path)
    assert outsider.status_code == 403
    assert str(selection["seed"]) not in outsider.content.decode()
    other = make_room("mallory", name="Next door")
    assert (
        browser(other, other.tokens["mallory"])
        .get(f"/r/{other.room.pk}/picks/{selection['id']}")
        .status_code
        == 404
    )


def test_check_this_draw_says_a_pick_by_the_votes_had_no_chance_in_it(room):
    room.add_item("Heat")
    pick = room.client("alice").post(
        f"/api/queue/room/{room.room.pk}/select", {"mode": "highest_votes"}, format="json"
    )
    page = browser(room, room.tokens["bob"]).get(f"/r/{room.room.pk}/picks/{pick.json()['id']}")
    assert "No chance came into this pick" in page.content.decode()
