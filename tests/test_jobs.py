"""The time-driven jobs: one list, run on every server process's tick and by `run_jobs`, each
with its effect once however many processes run it at the same moment."""

import asyncio
import json
import subprocess
import sys
from collections import Counter
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from queues.services import queue_item_add
from realtime.jobs import Job, Ticker
from realtime.models import LiveConnection
from realtime.presence import STALE_SECONDS
from selection.models import Selection
from tests.events import recorded
from tests.factories import make_room
from tests.live_server import ROOT, django_shell, migrate, server_env
from voting.models import RoundStatus, VotingRound
from watchqueue_site.models import RoomEvent

ROOMS = 30

# Rooms whose round is past its deadline, with a film queued, and a connection of Bob's that a
# process stopped refreshing long ago; the first room's events are past the retention window.
SETUP = f"""
from datetime import timedelta
from django.utils import timezone
from queues.services import queue_item_add
from realtime.models import LiveConnection
from rooms.services import room_create
from voting.models import VotingRound
from watchqueue_site.models import RoomEvent

past = timezone.now() - timedelta(hours=1)
for n in range({ROOMS}):
    people = [{{"name": "Alice"}}, {{"name": "Bob"}}]
    room, alice, _ = room_create(name=f"Room {{n}}", members=people)
    queue_item_add(room=room, by=alice, title="Heat")
    VotingRound.objects.create(room=room, started_by="alice", started_at=past, ends_at=past)
    bob = room.members.get(user_id="bob")
    LiveConnection.objects.create(room=room, member=bob, process="gone:1:x", seen_at=past)
    if n == 0:
        RoomEvent.objects.filter(room_id=room.pk).update(created_at=past - timedelta(days=30))
"""

OUTCOME = """
import json
from collections import Counter
from realtime.models import LiveConnection
from selection.models import Selection
from voting.models import VotingRound
from watchqueue_site.models import RoomEvent

print(json.dumps({
    "open_rounds": VotingRound.objects.filter(status="open").count(),
    "picks_per_round": Counter(Selection.objects.values_list("round_id", flat=True)),
    "round_ends_per_room": Counter(
        RoomEvent.objects.filter(type="voting_round_end").values_list("room_id", flat=True)
    ),
    "user_left_per_room": Counter(
        RoomEvent.objects.filter(type="user_left").values_list("room_id", flat=True)
    ),
    "connections": LiveConnection.objects.count(),
    "rooms_with_events": RoomEvent.objects.values("room_id").distinct().count(),
}))
"""


def _reported(output: str) -> dict[str, int]:
    return {
        name: int(count)
        for name, _, count in (line.rpartition(": ") for line in output.splitlines())
    }


@pytest.mark.slow
def test_two_processes_running_the_jobs_at_once_do_each_thing_once(tmp_path):
    env = server_env(tmp_path)
    migrate(env)
    django_shell(env, SETUP)

    command = [sys.executable, "manage.py", "run_jobs"]
    runs = [
        subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=120)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0]

    outcome = json.loads(django_shell(env, OUTCOME).strip().splitlines()[-1])
    assert outcome["open_rounds"] == 0
    assert sorted(outcome["picks_per_round"].values()) == [1] * ROOMS
    assert sorted(outcome["round_ends_per_room"].values()) == [1] * ROOMS
    assert sorted(outcome["user_left_per_room"].values()) == [1] * ROOMS
    assert outcome["connections"] == 0
    # The first room's old events are gone; the others', and its new ones, are kept.
    assert outcome["rooms_with_events"] == ROOMS
    # Between them, the two processes ended every round and expired every connection once.
    reports = [_reported(output) for output in outputs]
    assert sum(r["end due voting rounds"] for r in reports) == ROOMS
    assert sum(r["expire connections of stopped processes"] for r in reports) == ROOMS


def test_run_jobs_ends_due_rounds_and_says_what_each_job_did(db):
    setup = make_room("alice", "bob")
    queue_item_add(room=setup.room, by=setup.members["alice"], title="Heat")
    past = timezone.now() - timedelta(minutes=5)
    voting_round = VotingRound.objects.create(
        room=setup.room, started_by="alice", started_at=past, ends_at=past
    )
    out = StringIO()
    with recorded(setup.room) as events:
        call_command("run_jobs", stdout=out)

    assert _reported(out.getvalue()) == {
        "end due voting rounds": 1,
        "refresh this process's connections": 0,
        "expire connections of stopped processes": 0,
        "purge old events": 0,
    }
    voting_round.refresh_from_db()
    assert voting_round.status == RoundStatus.CLOSED
    assert Selection.objects.get(round=voting_round).item_title == "Heat"
    assert [e["type"] for e in events] == ["selection", "voting_round_end"]
    assert events[1]["selection"]["item_title"] == "Heat"

    again = StringIO()
    with recorded(setup.room) as nothing_more:
        call_command("run_jobs", stdout=again)
    assert set(_reported(again.getvalue()).values()) == {0}
    assert nothing_more == []


def test_the_jobs_purge_events_past_retention_and_expire_stale_connections(db, settings):
    setup = make_room("alice", "bob")
    bob = setup.members["bob"]
    old = timezone.now() - timedelta(seconds=settings.EVENT_RETENTION_SECONDS + 60)
    RoomEvent.objects.filter(room_id=setup.room.pk).update(created_at=old)
    LiveConnection.objects.create(
        room=setup.room,
        member=bob,
        process="gone:1:x",
        seen_at=timezone.now() - timedelta(seconds=STALE_SECONDS + 1),
    )

    out = StringIO()
    with recorded(setup.room) as events:
        call_command("run_jobs", stdout=out)

    reported = _reported(out.getvalue())
    assert reported["expire connections of stopped processes"] == 1
    assert reported["purge old events"] >= 1
    kept = list(RoomEvent.objects.filter(room_id=setup.room.pk).values_list("type", flat=True))
    assert kept == ["user_left"]  # the one the expiry just recorded
    bob_as_told = {"user_id": "bob", "name": "Bob", "avatar": ""}
    assert events == [{"type": "user_left", "user": bob_as_told, "users": []}]
    assert not LiveConnection.objects.exists()


def test_the_ticker_runs_each_job_on_its_own_interval_and_survives_a_failing_one():
    runs: Counter[str] = Counter()

    def counting(name: str):
        def run() -> int:
            runs[name] += 1
            return 1

        return run

    def failing() -> int:
        runs["failing"] += 1
        raise RuntimeError("this job breaks every time")

    ticker = Ticker(
        (
            Job("often", 0.05, counting("often")),
            Job("rarely", 10, counting("rarely")),
            Job("failing", 0.05, failing),
        )
    )

    async def tick_for_a_while() -> None:
        ticker.start()
        ticker.start()  # a second start changes nothing
        await asyncio.sleep(0.5)
        await ticker.stop()

    asyncio.run(tick_for_a_while())
    assert runs["rarely"] == 1
    assert runs["often"] >= 4
    assert runs["failing"] >= 4
