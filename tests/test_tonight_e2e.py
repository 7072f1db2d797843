"""Tonight's pick end to end: a real daphne process (with a stand-in for TMDB that fills in each
film's runtime and genres), three members each on a WebSocket and an event stream, and the
room's TV screen on an event stream. The members set tonight's constraints, mark what they have
seen, veto and vote until a film is a match; the room picks it, turns it down, gets the next
pick, watches it, and the next evening's round robin passes over the member whose film was just
watched (by the history app's fairness ledger: without it, every adder would count as never
watched, and the turn would go to whoever queued first, the member just watched). Every client
receives every event once, in the same order."""

import json
from datetime import datetime, timedelta, timezone

import pytest
import requests

from tests.fake_tmdb import Answer, FakeTMDB
from tests.live_clients import SSEReader, WSReader, live_room, wait_until, ws_url
from tests.live_server import daphne, migrate, server_env

pytestmark = pytest.mark.slow

KEY = "tonight-key"
DRAMA, THRILLER, ACTION, CRIME = 18, 53, 28, 80
# (title, who adds it, TMDB id, "movie" or "tv", runtime, genre ids), in the order added.
FILMS = [
    ("Bright Lake", "carol", 9001, "movie", 90, [DRAMA]),
    ("Long Night", "alice", 9002, "movie", 200, [DRAMA]),
    ("Night Shift", "bob", 9003, "tv", 45, [DRAMA]),
    ("Cold Trail", "bob", 9004, "movie", 100, [THRILLER]),
    ("Open Water", "alice", 9005, "movie", 105, [ACTION]),
    ("Dry Season", "bob", 9006, "movie", 100, [DRAMA]),
    ("Paper Moon", "alice", 9007, "movie", 110, [DRAMA]),
    ("Quiet Shore", "carol", 9008, "movie", 95, [CRIME]),
]
PRESENCE = {"user_joined", "user_left"}


def _details(tmdb_id: int, title: str, media: str, runtime: int, genres: list[int]) -> dict:
    """What TMDB answers for a film's or show's details."""
    details = {
        "id": tmdb_id,
        "overview": "",
        "poster_path": None,
        "backdrop_path": None,
        "genres": [{"id": genre} for genre in genres],
        "watch/providers": {"results": {}},
    }
    if media == "tv":
        return {
            **details,
            "name": title,
            "first_air_date": "2019-01-01",
            "episode_run_time": [runtime],
        }
    return {**details, "title": title, "release_date": "2001-01-01", "runtime": runtime}


@pytest.fixture(scope="module")
def live_tmdb(tmp_path_factory):
    with FakeTMDB(key=KEY) as tmdb:
        env = server_env(
            tmp_path_factory.mktemp("tonight"), TMDB_API_KEY=KEY, TMDB_API_URL=tmdb.url
        )
        migrate(env)
        with daphne(env) as base:
            yield base, tmdb


class MemberApi:
    """A member's REST calls to the live server."""

    def __init__(self, base: str, user_id: str, token: str) -> None:
        self.base, self.user_id = base, user_id
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def call(self, method: str, path: str, status: int, **body) -> dict:
        response = self.session.request(
            method, f"{self.base}/api{path}", json=body or None, timeout=10
        )
        assert response.status_code == status, (method, path, response.text)
        return response.json()


def _events(client: WSReader | SSEReader) -> list[dict]:
    """The client's events as the server sent them, from either kind of client."""
    if isinstance(client, WSReader):
        return list(client.messages)
    return [json.loads(frame["data"]) for frame in list(client.frames)]


def _of(client: WSReader | SSEReader, type: str) -> list[dict]:
    return [event for event in _events(client) if event["type"] == type]


def _reasons(reason: dict) -> dict[str, list[str]]:
    return {entry["title"]: [r["code"] for r in entry["reasons"]] for entry in reason["excluded"]}


def test_an_evening_from_constraints_to_the_next_turn_reaches_every_client_once(live_tmdb):
    base, tmdb = live_tmdb
    for title, _, tmdb_id, media, runtime, genres in FILMS:
        tmdb.queue(
            f"/{media}/{tmdb_id}", Answer(200, _details(tmdb_id, title, media, runtime, genres))
        )
    room, tokens = live_room(base)
    members = {user_id: MemberApi(base, user_id, token) for user_id, token in tokens.items()}
    alice, bob, carol = members["alice"], members["bob"], members["carol"]
    screen = requests.post(f"{base}/api/rooms/{room['code']}/screen", timeout=5).json()["token"]
    room_id = room["id"]

    # Everyone connects before the evening starts: who is in follows who is connected.
    streams = [
        SSEReader(f"{base}/api/events/room/{room_id}?token={token}")
        for token in [*tokens.values(), screen]
    ]
    sockets = [WSReader(ws_url(base, room_id, user, token)) for user, token in tokens.items()]
    clients = [*sockets, *streams]
    for client in clients:
        client.start()
    try:
        wait_until(
            lambda: all(
                member["online"]
                for member in alice.call("GET", f"/rooms/{room_id}/tonight", 200)["attendance"]
            ),
            what="all three members to be connected",
        )

        # The queue, filled in by TMDB in the background.
        ids = {}
        for title, adder, tmdb_id, media, _, _ in FILMS:
            added = members[adder].call(
                "POST",
                "/queue",
                201,
                room_id=room_id,
                title=title,
                tmdb_id=tmdb_id,
                media_type=media,
            )
            ids[title] = added["id"]
        wait_until(
            lambda: all(
                item["enrichment"] == "enriched"
                for item in alice.call("GET", f"/queue/room/{room_id}", 200)
            ),
            seconds=20,
            what="TMDB's details of every film",
        )

        # Tonight: finish by 2.5 hours from now, in a time zone of its own; no thrillers; films.
        zone = timezone(timedelta(hours=5, minutes=30))
        finish_by = (datetime.now(zone) + timedelta(minutes=150)).replace(second=0, microsecond=0)
        tonight = bob.call(
            "PATCH",
            f"/rooms/{room_id}/tonight",
            200,
            finish_by=finish_by.isoformat(),
            genres_exclude=["Thriller"],
            media="movie",
        )
        constraints = {
            "finish_by": finish_by.isoformat(),
            "max_runtime_minutes": None,
            "genres_include": [],
            "genres_exclude": ["Thriller"],
            "media": "movie",
            "streamable_only": False,
        }
        assert tonight["constraints"] == constraints
        assert tonight["attendees"] == ["alice", "bob", "carol"]
        first_evening = tonight["evening"]["id"]

        for member in (alice, bob):
            seen = member.call("PUT", f"/queue/{ids['Open Water']}/seen/{member.user_id}", 200)
        assert seen == {"item_id": ids["Open Water"], "seen_by": ["alice", "bob"]}
        vetoed = carol.call("POST", f"/queue/{ids['Dry Season']}/veto", 201)
        assert vetoed["vetoes"] == [{"item_id": ids["Dry Season"], "by": "carol"}]

        # Votes, over REST and one as a WebSocket message; the third "up" makes a match.
        for member, title in [
            (alice, "Quiet Shore"),
            (carol, "Quiet Shore"),
            (carol, "Bright Lake"),
            (bob, "Dry Season"),
            (alice, "Paper Moon"),
        ]:
            member.call("POST", "/votes", 200, item_id=ids[title], vote="up")
        sockets[1].send({"type": "vote", "item_id": ids["Paper Moon"], "vote": "up"})
        wait_until(
            lambda: all(
                any(e["user_id"] == "bob" and e["upvotes"] == 2 for e in _of(c, "vote_update"))
                for c in clients
            ),
            what="bob's vote over the WebSocket to reach everyone",
        )
        assert all(_of(client, "match") == [] for client in clients)
        carol.call("POST", "/votes", 200, item_id=ids["Paper Moon"], vote="up")
        wait_until(
            lambda: all(_of(client, "match") for client in clients),
            what="the match to reach every client",
        )

        # The pick: the match, with every film left out and why.
        picked = alice.call("POST", f"/queue/room/{room_id}/select?mode=consensus", 201)
        assert picked["item_title"] == "Paper Moon"
        assert picked["reason"]["tier"] == "match"
        label = finish_by.strftime("%H:%M")
        excluded = {
            e["title"]: [r["text"] for r in e["reasons"]] for e in picked["reason"]["excluded"]
        }
        assert excluded == {
            "Long Night": [f"too long to finish by {label} (200 min)"],
            "Night Shift": ["a show, and tonight is films only"],
            "Cold Trail": ["genre Thriller excluded"],
            "Open Water": ["seen by 2 of 3"],
            "Dry Season": ["vetoed by Carol"],
        }
        assert picked["reason"]["attendees"] == ["alice", "bob", "carol"]
        assert picked["reason"]["constraints"]["finish_by"] == finish_by.isoformat()
        standing = alice.call("POST", f"/queue/room/{room_id}/select", 409)
        assert (standing["error"], standing["selection"]["id"]) == ("pick_standing", picked["id"])

        # Bob turns it down, spending his veto; the room picks again without it.
        again = bob.call("POST", f"/selections/{picked['id']}/turn-down", 201)
        assert again["item_title"] == "Quiet Shore"
        assert again["reason"]["tier"] == "share"
        assert again["reason"]["after_turn_down"] == {
            "selection_id": picked["id"],
            "item_id": ids["Paper Moon"],
            "title": "Paper Moon",
            "by": "bob",
        }
        assert again["reason"]["summary"].startswith("Paper Moon was turned down. ")
        assert _reasons(again["reason"])["Paper Moon"] == ["turned_down", "vetoed"]
        spent = bob.call("GET", f"/rooms/{room_id}/tonight", 200)
        assert [a["vetoes_left"] for a in spent["attendance"] if a["user_id"] == "bob"] == [0]
        assert ids["Paper Moon"] not in spent["matches"]

        # Watching it ends the evening: the next one starts with every veto back.
        alice.call("POST", f"/queue/{ids['Quiet Shore']}/watched", 201)
        tonight = bob.call("GET", f"/rooms/{room_id}/tonight", 200)
        assert tonight["evening"]["id"] != first_evening
        assert (tonight["vetoes"], tonight["matches"]) == ([], [])
        assert {a["user_id"]: a["vetoes_left"] for a in tonight["attendance"]} == {
            "alice": 1,
            "bob": 1,
            "carol": 1,
        }
        assert tonight["constraints"] == constraints

        # Carol's film was just watched: it is not her turn. Alice and bob are level (none of
        # theirs watched); bob's film was queued first.
        ledger = alice.call("GET", f"/rooms/{room_id}/ledger", 200)["members"]
        assert [(row["user_id"], row["watched"]) for row in ledger] == [
            ("alice", 0),
            ("bob", 0),
            ("carol", 1),
        ]
        preview = alice.call("GET", f"/queue/room/{room_id}/select/preview?mode=round_robin", 200)
        assert preview["standing"] is None
        assert preview["turn"] == "bob"
        turn = alice.call("POST", f"/queue/room/{room_id}/select?mode=round_robin", 201)
        assert (turn["item_title"], turn["item"]["added_by"]) == ("Dry Season", "bob")
        assert turn["reason"]["turn"] == "bob"

        wait_until(
            lambda: all(len(_of(client, "selection")) == 3 for client in clients),
            what="the third pick to reach every client",
        )
        received = [_events(client) for client in clients]
    finally:
        for client in clients:
            client.close()

    _every_client_got_the_same_events_once(received)
    for events in received:
        matches = [e for e in events if e["type"] == "match"]
        # Once when it became one, once when bob's veto (turning it down) ended it.
        assert [(m["item_id"], m["matched"], m["attendees"], m["matches"]) for m in matches] == [
            (ids["Paper Moon"], True, 3, [ids["Paper Moon"]]),
            (ids["Paper Moon"], False, 3, []),
        ]
        assert matches[0]["title"] == "Paper Moon"
        seen = [e for e in events if e["type"] == "seen_update"]
        assert [(s["item_id"], s["seen_by"]) for s in seen] == [
            (ids["Open Water"], ["alice"]),
            (ids["Open Water"], ["alice", "bob"]),
        ]
        evenings = [e["tonight"] for e in events if e["type"] == "evening_update"]
        assert evenings[0]["constraints"] == constraints
        assert evenings[1]["vetoes"] == [{"item_id": ids["Dry Season"], "by": "carol"}]
        assert evenings[2]["vetoes"][-1] == {"item_id": ids["Paper Moon"], "by": "bob"}
        assert len(evenings) == 4
        assert evenings[-1]["evening"]["id"] == tonight["evening"]["id"]
        assert evenings[-1]["vetoes"] == []
        picks = [e["selection"] for e in events if e["type"] == "selection"]
        assert [p["item_title"] for p in picks] == ["Paper Moon", "Quiet Shore", "Dry Season"]
        assert picks[0]["reason"]["excluded"] == picked["reason"]["excluded"]
        assert picks[1]["reason"]["after_turn_down"]["title"] == "Paper Moon"


def _every_client_got_the_same_events_once(received: list[list[dict]]) -> None:
    """Each change once, and the same numbers and kinds, in the same order, for every client
    (presence left out: a client sees the arrivals after its own)."""
    numbered = [
        [(e["seq"], e["type"]) for e in events if e.get("seq") and e["type"] not in PRESENCE]
        for events in received
    ]
    for events in numbered:
        assert events == numbered[0]
    seqs = [seq for seq, _ in numbered[0]]
    assert len(seqs) == len(set(seqs))
