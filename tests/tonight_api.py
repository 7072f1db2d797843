"""What the tests of tonight and its pick share: the calls they make through the REST API as a
member would, the facts TMDB would fill in, and what a refused write must leave as it was."""

from datetime import datetime, timedelta

from django.utils import timezone

from queues.models import QueueItem
from rooms.models import Member
from selection.models import Selection
from tests.factories import RoomSetup
from tonight.models import Attendance, Evening, Match, SeenMark, Veto
from voting.services import vote_cast
from watchqueue_site.models import RoomEvent
from watchqueue_site.phrases import english

NO_CONSTRAINTS = {
    "finish_by": None,
    "max_runtime_minutes": None,
    "genres_include": [],
    "genres_exclude": [],
    "media": "both",
    "streamable_only": False,
}
MODES = ["weighted_random", "highest_votes", "round_robin", "consensus"]


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.content
    return response.json()


# Tonight


def url(setup: RoomSetup, path: str = "") -> str:
    return f"/api/rooms/{setup.room.pk}/tonight{path}"


def read(setup: RoomSetup, user_id: str = "alice") -> dict:
    return ok(setup.client(user_id).get(url(setup)))


def constrain(setup: RoomSetup, body, user_id: str = "alice"):
    return setup.client(user_id).patch(url(setup), body, format="json")


def say(setup: RoomSetup, user_id: str, value: bool | None, by: str | None = None):
    return setup.client(by or user_id).put(
        url(setup, f"/attendees/{user_id}"), {"in": value}, format="json"
    )


def veto(setup: RoomSetup, item: QueueItem, user_id: str):
    return setup.client(user_id).post(f"/api/queue/{item.pk}/veto")


def withdraw(setup: RoomSetup, item: QueueItem, user_id: str):
    return setup.client(user_id).delete(f"/api/queue/{item.pk}/veto")


def seen(
    setup: RoomSetup, item: QueueItem, user_id: str, by: str | None = None, method: str = "put"
):
    return getattr(setup.client(by or user_id), method)(f"/api/queue/{item.pk}/seen/{user_id}")


def mark_seen(setup: RoomSetup, item: QueueItem, *user_ids: str) -> None:
    for user_id in user_ids:
        ok(seen(setup, item, user_id))


def up(setup: RoomSetup, item: QueueItem, *user_ids: str, value: str = "up") -> None:
    for user_id in user_ids:
        vote_cast(item_id=item.pk, by=setup.members[user_id], value=value)


def member(setup: RoomSetup, user_id: str) -> Member:
    """The member as the database has them now, for a service called in another thread."""
    return Member.objects.get(pk=setup.members[user_id].pk)


def attendance(body: dict) -> dict[str, dict]:
    return {row["user_id"]: row for row in body["attendance"]}


def evening_events(events: list[dict]) -> list[dict]:
    return [event["tonight"] for event in events if event["type"] == "evening_update"]


def match_event(item: QueueItem, matched: bool, attendees: int, matches: list[str]) -> dict:
    return {
        "type": "match",
        "item_id": item.pk,
        "title": item.title,
        "matched": matched,
        "attendees": attendees,
        "matches": matches,
    }


def tonight_rows() -> tuple[int, int, int, int, int, int]:
    """What a refused write about tonight must leave as it was."""
    return (
        Evening.objects.count(),
        Attendance.objects.count(),
        Veto.objects.count(),
        SeenMark.objects.count(),
        Match.objects.count(),
        RoomEvent.objects.count(),
    )


def in_hours(hours: float, offset: str = "+01:00") -> str:
    """An ISO time `hours` from now, written with `offset` ("+05:30")."""
    sign = -1 if offset.startswith("-") else 1
    hh, mm = offset[1:].split(":")
    zone = timezone.get_fixed_timezone(sign * (int(hh) * 60 + int(mm)))
    moment = (timezone.now() + timedelta(hours=hours)).astimezone(zone).replace(microsecond=0)
    return moment.isoformat()


def in_minutes(minutes: int, offset_minutes: int) -> str:
    """An ISO time `minutes` from now, written with an offset of `offset_minutes`."""
    zone = timezone.get_fixed_timezone(offset_minutes)
    moment = timezone.now() + timedelta(minutes=minutes)
    return moment.astimezone(zone).replace(microsecond=0).isoformat()


def local_hhmm(iso: str) -> str:
    """The clock time of an ISO time in its own offset, as reasons write it."""
    return datetime.fromisoformat(iso).strftime("%H:%M")


# Picks


def facts(item: QueueItem, **fields) -> QueueItem:
    """What TMDB enrichment would fill in: runtime, genres, where it streams."""
    QueueItem.objects.filter(pk=item.pk).update(**fields)
    item.refresh_from_db()
    return item


def streams(*names: str) -> dict:
    return {"region": "GB", "link": None, "stream": list(names), "rent": [], "buy": []}


def pick(setup: RoomSetup, mode: str | None = None, user_id: str = "alice"):
    query = f"?mode={mode}" if mode else ""
    return setup.client(user_id).post(f"/api/queue/room/{setup.room.pk}/select{query}")


def picked(setup: RoomSetup, mode: str | None = None, user_id: str = "alice") -> dict:
    return ok(pick(setup, mode, user_id), 201)


def preview(setup: RoomSetup, mode: str | None = None, user_id: str = "alice") -> dict:
    query = f"?mode={mode}" if mode else ""
    return ok(setup.client(user_id).get(f"/api/queue/room/{setup.room.pk}/select/preview{query}"))


def turn_down(setup: RoomSetup, selection_id: str, user_id: str = "alice"):
    return setup.client(user_id).post(f"/api/selections/{selection_id}/turn-down")


def plain(excluded: list[dict]) -> list[dict]:
    """An English answer's `excluded` with each reason as its `code` and `text`; each reason's
    phrase must say its text."""
    for row in excluded:
        for reason in row["reasons"]:
            assert english(reason) == reason["text"], reason
    return [
        {**row, "reasons": [{"code": r["code"], "text": r["text"]} for r in row["reasons"]]}
        for row in excluded
    ]


def reasons(body: dict) -> dict[str, list[dict]]:
    """title -> reasons (`code` and `text`), from an English answer's `excluded` (a pick's
    reason, a preview, a 409)."""
    return {row["title"]: row["reasons"] for row in plain(body["excluded"])}


def codes(body: dict) -> dict[str, list[str]]:
    return {title: [r["code"] for r in rows] for title, rows in reasons(body).items()}


def eligible(body: dict) -> list[str]:
    return [row["title"] for row in body["candidates"]]


def picks_written() -> tuple[int, int, int, int, int]:
    """What a refused pick or turn-down must leave as it was."""
    return (
        Selection.objects.count(),
        Selection.objects.exclude(turned_down_at=None).count(),
        Veto.objects.count(),
        Evening.objects.count(),
        RoomEvent.objects.count(),
    )
