"""The site's files as a phone gets them: named by their content's hash, so they are kept for
good; compressed; the service worker keeping exactly those names; the API's reads compressed.
Against real daphne processes serving the files collected as scripts/start.sh collects them,
with the speed-ups on and on Django's stock path, and in headless Chromium."""

import gzip
import json
import re

import brotli
import pytest
import requests
from playwright.sync_api import expect

from tests.browser import PHONE, add, api_room, as_member, screenshot
from tests.conftest import TMDB_KEY
from tests.fake_tmdb import FakeTMDB
from tests.live_server import ROOT, daphne, migrate, server_env

SOURCES = ROOT / "web" / "static"
HASH = re.compile(r"\.([0-9a-f]{12})(\.\w+)$")
IMPORTED_HASH = re.compile(r'\.[0-9a-f]{12}(\.js")')
A_YEAR_OR_MORE = re.compile(r"max-age=(\d+)")


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    """The site with the speed-ups on and off, each on a database of its own, with a local
    server that speaks TMDB's JSON."""
    with FakeTMDB(key=TMDB_KEY, images=True) as tmdb:
        bases = {}
        envs = {}
        for speedups in ("on", "off"):
            envs[speedups] = server_env(
                tmp_path_factory.mktemp(f"static-{speedups}"),
                TMDB_API_KEY=TMDB_KEY,
                TMDB_API_URL=tmdb.url,
                SPEEDUPS="true" if speedups == "on" else "false",
            )
            migrate(envs[speedups])
        with daphne(envs["on"]) as bases["on"], daphne(envs["off"]) as bases["off"]:
            yield bases


def plain(url: str) -> str:
    """A static URL's file, as the apps name it: `/static/web/app.1a2b….css` is `web/app.css`."""
    return HASH.sub(r"\2", url.removeprefix("/static/"))


def page_files(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="(/static/[^"]+)"', html)


def shell(base: str) -> tuple[str, list[str]]:
    """The service worker's cache name and the list of what it keeps."""
    script = requests.get(f"{base}/sw.js", timeout=5).text
    cache = re.search(r'const CACHE = "([^"]+)";', script).group(1)
    return cache, json.loads(re.search(r"const SHELL = (\[.*?\]);", script, re.S).group(1))


def unhashed(script: str) -> str:
    """A collected script as its source reads: the modules it imports by their plain names."""
    return IMPORTED_HASH.sub(r"\1", script)


def hashed_url(base: str, name: str) -> str:
    return next(url for url in shell(base)[1] if plain(url) == name)


def imports(script: str) -> list[str]:
    """The modules a script imports (or exports from), semicolon or not: Django rewrites only
    those followed by one, and a test must see the others too."""
    return re.findall(r"^(?:import|export)\b[^;]*?\bfrom\s*[\"']([^\"']+)[\"']", script, re.M)


def room_page(base: str) -> tuple[dict, dict[str, str], str]:
    room, tokens = api_room(base, "alice", "bob")
    cookies = {f"wq_{room['id']}": tokens["alice"]}
    html = requests.get(f"{base}/r/{room['id']}", cookies=cookies, timeout=5).text
    return room, tokens, html


# Names


def test_the_room_page_names_every_file_by_its_contents_hash(servers):
    _, _, html = room_page(servers["on"])
    files = page_files(html)
    assert {"web/app.css", "web/js/boot.js", "web/js/room.js", "web/icons/icon.svg"} <= {
        plain(url) for url in files
    }
    assert [url for url in files if not HASH.search(url) or "?" in url] == []
    for url in files:
        assert (SOURCES / plain(url)).is_file(), url


def test_scripts_import_each_other_by_their_hashed_names(servers):
    base = servers["on"]
    kept = shell(base)[1]
    modules = [url for url in kept if url.endswith(".js")]
    assert len(modules) == len(list((SOURCES / "web" / "js").glob("*.js")))
    for url in modules:
        sent = requests.get(f"{base}{url}", timeout=5).text
        source = (SOURCES / plain(url)).read_text()
        named = imports(sent)
        # Every import is there, now by the hashed name of a file the worker keeps too, and
        # nothing else changed.
        assert [HASH.sub(r"\2", name) for name in named] == imports(source), url
        for name in named:
            assert HASH.search(name), f"{url} imports {name}"
            assert f"{url.rpartition('/')[0]}/{name.removeprefix('./')}" in kept
        assert unhashed(sent) == source


# Compression and caching, with the speed-ups on and off


@pytest.mark.parametrize("speedups", ["on", "off"])
def test_scripts_and_styles_are_sent_compressed_as_the_browser_accepts(servers, speedups):
    base = servers[speedups]
    for name in ("web/app.css", "web/js/room.js", "web/js/ui.js"):
        url = f"{base}{hashed_url(base, name)}"
        as_is = requests.get(url, headers={"Accept-Encoding": "identity"}, timeout=5)
        assert "Content-Encoding" not in as_is.headers
        assert unhashed(as_is.text) == (SOURCES / name).read_text()
        for encoding, decompress in (("gzip", gzip.decompress), ("br", brotli.decompress)):
            sent = requests.get(url, headers={"Accept-Encoding": encoding}, stream=True, timeout=5)
            body = sent.raw.read(decode_content=False)
            assert sent.headers["Content-Encoding"] == encoding, (name, encoding)
            assert "Accept-Encoding" in sent.headers["Vary"]
            assert int(sent.headers["Content-Length"]) == len(body) < len(as_is.content) / 2.5
            assert decompress(body) == as_is.content


@pytest.mark.parametrize("speedups", ["on", "off"])
def test_hashed_files_are_kept_for_a_year_and_plain_names_are_the_collected_ones(servers, speedups):
    base = servers[speedups]
    for url in shell(base)[1][1:]:
        control = requests.get(f"{base}{url}", timeout=5).headers["Cache-Control"]
        assert "immutable" in control, url
        assert int(A_YEAR_OR_MORE.search(control).group(1)) >= 365 * 24 * 3600
    # A plain name is still the collected file, compressed too, not the app folder's.
    plain_name = requests.get(
        f"{base}/static/web/app.css", headers={"Accept-Encoding": "gzip"}, timeout=5
    )
    assert plain_name.status_code == 200
    assert plain_name.headers["Cache-Control"] == "max-age=60, public"
    assert plain_name.headers["Content-Encoding"] == "gzip"


@pytest.mark.parametrize("speedups", ["on", "off"])
def test_the_apis_reads_are_sent_gzipped_to_a_client_that_accepts_it(servers, speedups):
    base = servers[speedups]
    room, tokens, _ = room_page(base)
    # Enough items that the ratio does not hang on whether TMDB has filled them in yet.
    titles = ["Heat", "Inception", "Solaris", *(f"Film {n}" for n in range(1, 10))]
    for title in titles:
        add(base, room, tokens["alice"], title)
    headers = {"Authorization": f"Bearer {tokens['bob']}"}
    url = f"{base}/api/rooms/{room['id']}/snapshot"
    as_is = requests.get(url, headers={**headers, "Accept-Encoding": "identity"}, timeout=5)
    assert "Content-Encoding" not in as_is.headers
    sent = requests.get(url, headers={**headers, "Accept-Encoding": "gzip"}, stream=True, timeout=5)
    body = sent.raw.read(decode_content=False)
    assert sent.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in sent.headers["Vary"]
    assert len(body) < len(as_is.content) / 2.5
    snapshot = json.loads(gzip.decompress(body))
    assert [item["title"] for item in snapshot["queue"]] == titles
    # TMDB's suggestions come through the async chain.
    search = requests.get(
        f"{base}/api/search",
        params={"q": "heat"},
        headers={**headers, "Accept-Encoding": "gzip"},
        timeout=10,
    )
    assert search.headers["Content-Encoding"] == "gzip"
    assert "Heat" in [result["title"] for result in search.json()["results"]]


@pytest.mark.parametrize("speedups", ["on", "off"])
def test_pages_and_the_rendered_scripts_are_sent_compressed_the_token_masked(servers, speedups):
    base = servers[speedups]
    room, tokens, _ = room_page(base)
    cookies = {f"wq_{room['id']}": tokens["alice"]}
    page = f"{base}/r/{room['id']}"
    as_is = requests.get(page, cookies=cookies, headers={"Accept-Encoding": "identity"}, timeout=5)
    assert "Content-Encoding" not in as_is.headers
    catalog = re.search(r'src="(/jsi18n/de\.js[^"]*)"', requests.get(
        page, cookies=cookies, headers={"Accept-Language": "de"}, timeout=5
    ).text).group(1)  # fmt: skip
    for url in (page, f"{base}{catalog}", f"{base}/sw.js?lang=de", f"{base}/offline"):
        for encoding, decompress in (("gzip", gzip.decompress), ("br", brotli.decompress)):
            sent = requests.get(
                url, cookies=cookies, headers={"Accept-Encoding": encoding}, stream=True, timeout=5
            )
            body = sent.raw.read(decode_content=False)
            assert sent.headers["Content-Encoding"] == encoding, (url, encoding)
            assert "Accept-Encoding" in sent.headers["Vary"]
            assert int(sent.headers["Content-Length"]) == len(body)
            text = decompress(body).decode()
            assert len(body) < len(text.encode()) * 0.6, (url, encoding)
            # The token is never in a page as it is: masked anew each time.
            assert tokens["alice"] not in text
    assert tokens["alice"] not in as_is.text
    assert re.search(r'"token_masked": "[A-Za-z0-9_=-]{40,}"', as_is.text)


@pytest.mark.parametrize("speedups", ["on", "off"])
def test_answers_that_hold_a_token_and_event_streams_are_not_compressed(servers, speedups):
    base = servers[speedups]
    room, tokens = api_room(base, "alice")
    joined = requests.post(
        f"{base}/api/rooms/{room['code']}/join",
        json={"user_id": "carol", "name": "Carol", "avatar": "🐼"},
        headers={"Accept-Encoding": "gzip"},
        timeout=5,
    )
    assert joined.status_code == 200
    assert "token" in joined.json()
    assert "Content-Encoding" not in joined.headers
    with requests.get(
        f"{base}/api/events/room/{room['id']}",
        headers={"Authorization": f"Bearer {tokens['alice']}", "Accept-Encoding": "gzip"},
        stream=True,
        timeout=5,
    ) as stream:
        assert stream.headers["Content-Type"].startswith("text/event-stream")
        assert "Content-Encoding" not in stream.headers


# The service worker


def test_the_service_worker_keeps_the_hashed_scripts_styles_and_drawn_icon(servers):
    base = servers["on"]
    cache, kept = shell(base)
    assert kept[0] == "/offline"
    # Then the scripts' words in the worker's language (one worker per language).
    assert re.fullmatch(r"/jsi18n/en\.js\?v=[0-9a-f]{12}", kept[1])
    kept = [kept[0], *kept[2:]]
    expected = sorted(
        str(path.relative_to(SOURCES))
        for path in (SOURCES / "web").rglob("*")
        if path.suffix in {".css", ".js", ".svg"} and "avatars" not in path.parts
    )
    assert sorted(plain(url) for url in kept[1:]) == expected
    assert all(HASH.search(url) and "?" not in url for url in kept[1:])
    # The icons a browser fetches when installing the app are not kept: 144 KiB of PNG; nor are
    # the avatars' images, fetched for the faces a page shows.
    assert not [url for url in kept if url.endswith(".png")]
    assert re.fullmatch(r"watchqueue-shell-[0-9a-f]{12}-en", cache)


# In a browser


def test_a_phone_opens_the_room_with_hashed_modules_and_keeps_them_for_offline(servers, browser):
    base = servers["on"]
    room, tokens = api_room(base, "alice", "bob")
    for title in ("Heat", "Inception", "Solaris"):
        add(base, room, tokens["bob"], title)
    context, page, watched = as_member(browser, base, room, tokens["alice"], PHONE)
    answers = []
    context.on("response", lambda response: answers.append(response))
    page.goto(f"/r/{room['id']}")
    expect(page.locator("#conn")).to_have_attribute("data-state", "live")
    expect(page.locator("#queue .item")).to_have_count(3)
    expect(page.locator("#queue .item h3").first).to_have_text("Heat")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")

    static = [a.url.removeprefix(base) for a in answers if "/static/" in a.url]
    scripts = {plain(url) for url in static if url.endswith(".js")}
    # The room's modules, and those they import, all loaded by their hashed names.
    assert {"web/js/room.js", "web/js/ui.js", "web/js/api.js", "web/js/store.js"} <= scripts
    assert [url for url in static if not HASH.search(url)] == []
    assert [f"{a.status} {a.url}" for a in answers if a.status >= 400] == []
    assert watched.clean() == []

    # The worker's cache holds exactly its list, by hashed name.
    cache, kept = shell(base)
    cached = page.evaluate(
        """async (name) => {
          const cache = await caches.open(name);
          return (await cache.keys()).map((request) => new URL(request.url).pathname);
        }""",
        cache,
    )
    assert sorted(cached) == sorted(url.split("?")[0] for url in kept)
    screenshot(page, "static-room", {"phone": PHONE}, whole=False)

    # An older worker's cache is dropped when a worker takes over.
    page.evaluate(
        """async () => {
          await (await caches.open("watchqueue-shell-000000000000")).put(
            "/static/web/app.000000000000.css", new Response("old"));
          await (await navigator.serviceWorker.getRegistration()).unregister();
        }"""
    )
    page.reload()
    expect(page.locator("#queue .item")).to_have_count(3)
    page.wait_for_function(
        """async (name) => {
          await navigator.serviceWorker.ready;
          const names = await caches.keys();
          return names.length === 1 && names[0] === name;
        }""",
        arg=cache,
    )

    # Offline, the worker answers with its offline page, styled from its cache.
    context.set_offline(True)
    page.goto(f"/r/{room['id']}")
    expect(page.get_by_role("heading", name="You're offline")).to_be_visible()
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(14, 16, 22)"
    screenshot(page, "static-offline", {"phone": PHONE}, whole=False)
    context.set_offline(False)
    context.close()


def test_without_collected_files_a_page_fails_saying_how_to_collect_them(tmp_path):
    env = server_env(tmp_path, STATIC_ROOT=str(tmp_path / "not-collected"))
    migrate(env)
    log = tmp_path / "server.log"
    with daphne(env, output=log) as base:
        room, tokens = api_room(base, "alice")
        page = requests.get(
            f"{base}/r/{room['id']}", cookies={f"wq_{room['id']}": tokens["alice"]}, timeout=5
        )
        assert page.status_code == 500
        api = requests.get(
            f"{base}/api/rooms/{room['id']}",
            headers={"Authorization": f"Bearer {tokens['alice']}"},
            timeout=5,
        )
        assert api.status_code == 200
    assert "run `python manage.py collectstatic --noinput`" in log.read_text()
