"""The MongoDB deployment, checked as far as this machine allows: how transactions that MongoDB
aborts are retried, on errors shaped as MongoDB documents them; the database status report on
`replSetGetStatus` and `listIndexes` answers from MongoDB's documentation; the compose file.
The tests marked mongodb_only run against a real replica set when TEST_MONGODB_URL names one."""

import threading
import time
from datetime import datetime, timedelta
from io import StringIO

import pytest
from bson import Timestamp
from django.core.management import call_command
from django.db import DatabaseError, IntegrityError
from pymongo.errors import DuplicateKeyError, OperationFailure

from realtime import dbstatus
from watchqueue_site import db

# A write conflict inside a transaction, as the server reports it (code 112, WriteConflict,
# labelled so that drivers know the whole transaction may be retried).
WRITE_CONFLICT = {
    "errorLabels": ["TransientTransactionError"],
    "ok": 0.0,
    "errmsg": "Write conflict during plan execution and yielding is disabled.",
    "code": 112,
    "codeName": "WriteConflict",
}
UNKNOWN_COMMIT = {
    "errorLabels": ["UnknownTransactionCommitResult"],
    "ok": 0.0,
    "errmsg": "operation exceeded time limit",
    "code": 50,
    "codeName": "MaxTimeMSExpired",
}


def conflict() -> DatabaseError:
    """The error a service sees: django-mongodb-backend wraps pymongo's in a DatabaseError."""
    try:
        raise OperationFailure(WRITE_CONFLICT["errmsg"], 112, WRITE_CONFLICT)
    except OperationFailure as failure:
        try:
            raise DatabaseError from failure
        except DatabaseError as wrapped:
            return wrapped


class Flaky:
    """A service that fails `failures` times with `error`, then answers."""

    def __init__(self, failures: int, error: Exception) -> None:
        self.failures, self.error, self.calls = failures, error, 0

    def __call__(self, value: int) -> int:
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error
        return value * 2


@pytest.fixture(autouse=True)
def no_pause(monkeypatch):
    monkeypatch.setattr(db, "RETRY_PAUSE_SECONDS", 0)


def test_a_write_conflict_is_transient_wrapped_or_not():
    assert db.is_transient(conflict())
    assert db.is_transient(OperationFailure("conflict", 112, WRITE_CONFLICT))


@pytest.mark.parametrize(
    "error",
    [
        OperationFailure(UNKNOWN_COMMIT["errmsg"], 50, UNKNOWN_COMMIT),
        DuplicateKeyError("E11000 duplicate key error", 11000),
        DatabaseError("database is locked"),
        ValueError("no"),
    ],
    ids=["unknown-commit-result", "duplicate-key", "sqlite", "other"],
)
def test_nothing_else_is(error):
    assert not db.is_transient(error)


def test_a_service_aborted_by_a_conflict_runs_again_until_it_commits():
    service = Flaky(3, conflict())
    assert db.retry_on_conflict(service)(21) == 42
    assert service.calls == 4


def test_a_service_that_keeps_conflicting_gives_up_with_the_error():
    service = Flaky(99, conflict())
    with pytest.raises(DatabaseError):
        db.retry_on_conflict(service)(1)
    assert service.calls == db.RETRY_ATTEMPTS


@pytest.mark.parametrize(
    "error",
    [IntegrityError("duplicate"), OperationFailure("unknown", 50, UNKNOWN_COMMIT)],
    ids=["duplicate", "unknown-commit-result"],
)
def test_a_duplicate_or_an_unknown_commit_is_not_run_again(error):
    """A duplicate is an answer, and a commit of unknown outcome may have happened."""
    service = Flaky(1, error)
    with pytest.raises(type(error)):
        db.retry_on_conflict(service)(1)
    assert service.calls == 1


def test_inside_another_services_transaction_the_conflict_goes_up_to_it(monkeypatch):
    monkeypatch.setattr(db, "in_atomic_block", lambda: True)
    service = Flaky(1, conflict())
    with pytest.raises(DatabaseError):
        db.retry_on_conflict(service)(1)
    assert service.calls == 1


# manage.py dbstatus


def status_of(*members: tuple[str, str, int]) -> dict:
    """A `replSetGetStatus` answer as MongoDB's documentation shows one, trimmed."""
    return {
        "set": "rs0",
        "date": datetime(2026, 12, 1, 9, 0, 0),
        "myState": 1,
        "members": [
            {
                "_id": index,
                "name": name,
                "health": 1 if state != "(not reachable/healthy)" else 0,
                "state": {"PRIMARY": 1, "SECONDARY": 2}.get(state, 8),
                "stateStr": state,
                "uptime": 3600,
                "optime": {"ts": Timestamp(1_764_579_600 - behind, 1), "t": 1},
                "optimeDate": datetime(2026, 12, 1, 9, 0, 0) - timedelta(seconds=behind),
                "syncSourceHost": "" if state == "PRIMARY" else "mongo1:27017",
            }
            for index, (name, state, behind) in enumerate(members)
        ],
        "ok": 1,
    }


def test_a_healthy_replica_set_reports_its_members_and_their_lag():
    report = dbstatus.Report()
    dbstatus.replica_set(
        status_of(
            ("mongo1:27017", "PRIMARY", 0),
            ("mongo2:27018", "SECONDARY", 0),
            ("mongo3:27019", "SECONDARY", 4),
        ),
        report,
    )
    assert report.lines == [
        "Replica set rs0: 3 members",
        "  mongo1:27017: PRIMARY",
        "  mongo2:27018: SECONDARY, 0 s behind the primary",
        "  mongo3:27019: SECONDARY, 4 s behind the primary",
    ]
    assert report.problems == []


def test_a_replica_set_without_a_primary_is_a_problem():
    report = dbstatus.Report()
    dbstatus.replica_set(
        status_of(("mongo1:27017", "(not reachable/healthy)", 0), ("mongo2:27018", "SECONDARY", 0)),
        report,
    )
    assert "  mongo1:27017: (not reachable/healthy), unreachable" in report.lines
    assert report.problems == [
        "mongo1:27017 is (not reachable/healthy)",
        "the replica set has no primary: writes and transactions will fail",
    ]


def test_indexes_are_listed_with_their_uniqueness_and_filter():
    # listIndexes as MongoDB answers it, for the partial unique index the queue's rule rests on.
    listed = [
        {"v": 2, "key": {"_id": 1}, "name": "_id_"},
        {
            "v": 2,
            "key": {"room_id": 1, "title_key": 1},
            "name": "queue_unique_open_title",
            "unique": True,
            "partialFilterExpression": {
                "status": {"$in": ["queued", "watching"]},
                "room_id": {"$type": "string"},
                "title_key": {"$type": "string"},
            },
        },
    ]
    report = dbstatus.Report()
    dbstatus.indexes("queues_queueitem", listed, report)
    assert report.lines[:3] == [
        "  queues_queueitem:",
        "    _id_ (_id 1)",
        "    queue_unique_open_title unique (room_id 1, title_key 1) where "
        "{'status': {'$in': ['queued', 'watching']}, 'room_id': {'$type': 'string'}, "
        "'title_key': {'$type': 'string'}}",
    ]


def test_the_oplog_window_is_how_far_back_a_stream_can_resume():
    report = dbstatus.Report()
    dbstatus.oplog_window(
        {"ts": Timestamp(1_764_500_000, 1)}, {"ts": Timestamp(1_764_536_000, 7)}, report
    )
    assert report.lines == ["Oplog: 10.0 h of history for a change stream to resume from"]
    empty = dbstatus.Report()
    dbstatus.oplog_window(None, None, empty)
    assert empty.problems == ["no oplog: change streams need a replica set"]


def dbstatus_text() -> str:
    out = StringIO()
    call_command("dbstatus", stdout=out)
    return out.getvalue()


@pytest.mark.sqlite_only
@pytest.mark.django_db
def test_dbstatus_on_sqlite_lists_the_unique_indexes_the_rules_rest_on():
    text = dbstatus_text()
    assert "journal mode wal" in text
    assert "queue_unique_open_title unique (room_id 1, title_key 1) where" in text
    assert "unique (item_id 1, member_id 1)" in text  # one vote per member and item
    assert "round_one_open_per_room unique (room_id 1)" in text
    assert "Server processes with live WebSocket clients: 0" in text


@pytest.mark.mongodb_only
@pytest.mark.django_db
def test_dbstatus_on_the_replica_set_finds_a_primary_the_indexes_and_a_change_stream():
    text = dbstatus_text()
    assert "PRIMARY" in text
    assert "queue_unique_open_title unique" in text
    assert "vote_unique_member_item unique" in text
    assert "Change stream on the events collection opens: yes" in text


# Against a real replica set (TEST_MONGODB_URL)


@pytest.mark.mongodb_only
@pytest.mark.django_db
def test_the_integrity_rules_are_unique_indexes_made_by_the_migrations():
    from django.db import connection

    def index(collection: str, name: str) -> dict:
        return connection.get_collection(collection).index_information()[name]

    open_only = {"$in": ["queued", "watching"]}
    title = index("queues_queueitem", "queue_unique_open_title")
    tmdb = index("queues_queueitem", "queue_unique_open_tmdb_id")
    assert (title["unique"], title["partialFilterExpression"]["status"]) == (True, open_only)
    assert (tmdb["unique"], tmdb["partialFilterExpression"]["status"]) == (True, open_only)
    assert index("voting_vote", "vote_unique_member_item")["unique"]
    assert index("voting_votinground", "round_one_open_per_room")["unique"]
    assert index("realtime_roomevent", "event_unique_room_seq")["unique"]
    codes = connection.get_collection("rooms_room").index_information()
    assert any(spec["key"] == [("code", 1)] and spec.get("unique") for spec in codes.values())


@pytest.mark.mongodb_only
@pytest.mark.django_db
def test_the_change_stream_of_the_replica_set_hands_over_each_new_event():
    from realtime.mongo_stream import ChangeStreamWatcher, events_collection
    from tests.factories import make_room

    arrived: list[dict] = []
    seen = threading.Event()
    watcher = ChangeStreamWatcher(events_collection, lambda e: (arrived.append(e), seen.set()))
    watcher.start()
    time.sleep(1.0)  # the stream opens before the change it must see
    setup = make_room("alice")
    item = setup.add_item("Heat")
    assert seen.wait(10)
    time.sleep(0.5)
    watcher.stop()
    mine = [e for e in arrived if e["room_id"] == setup.room.pk and e["type"] == "queue_update"]
    assert [e["item"]["id"] for e in mine] == [item.pk]


@pytest.mark.mongodb_only
@pytest.mark.django_db
def test_concurrent_votes_on_one_item_all_land_with_exact_counts():
    """Write conflicts between the votes' transactions are retried, not lost or doubled."""
    from tests.factories import make_room, race
    from voting.services import vote_cast

    user_ids = [f"m{i}" for i in range(8)]
    setup = make_room(*user_ids)
    item = setup.add_item("Heat")
    results = race(
        8, lambda i: vote_cast(item_id=item.pk, by=setup.members[user_ids[i]], value="up")
    )
    assert [kind for kind, _ in results] == ["ok"] * 8
    item.refresh_from_db()
    assert (item.upvotes, item.vote_score) == (8, 8)


# The services, each run again after an injected conflict (on SQLite, whose rollback is real)


@pytest.fixture
def conflict_once(monkeypatch):
    """Make the first room event a service records fail as a write conflict would."""

    def install(module) -> list[str]:
        real, failed = module.event_record, []

        def record(room, type, payload):
            if not failed:
                failed.append(type)
                raise conflict()
            return real(room, type, payload)

        monkeypatch.setattr(module, "event_record", record)
        return failed

    return install


@pytest.mark.django_db(transaction=True)
def test_a_removal_retried_after_a_conflict_removes_once(conflict_once):
    from queues import services
    from queues.models import QueueItem
    from tests.events import recorded
    from tests.factories import make_room

    setup = make_room("alice")
    item = setup.add_item("Heat")
    failed = conflict_once(services)
    with recorded(setup.room) as events:
        services.queue_item_remove(item=item, by=setup.host)
    assert failed == ["queue_update"]
    assert not QueueItem.objects.filter(pk=item.pk).exists()
    assert [e["action"] for e in events] == ["removed"]


@pytest.mark.django_db(transaction=True)
def test_a_status_change_retried_after_a_conflict_is_made_and_told(conflict_once):
    from queues import services
    from queues.models import QueueItem
    from tests.events import recorded
    from tests.factories import make_room

    setup = make_room("alice")
    item = setup.add_item("Heat")
    conflict_once(services)
    with recorded(setup.room) as events:
        services.queue_item_set_status(item=item, by=setup.host, status="watching")
    assert QueueItem.objects.get(pk=item.pk).status == "watching"
    assert [e["item"]["status"] for e in events] == ["watching"]


@pytest.mark.django_db(transaction=True)
def test_a_vote_retried_after_a_conflict_counts_once(conflict_once):
    from tests.factories import make_room
    from voting import services

    setup = make_room("alice", "bob")
    item = setup.add_item("Heat")
    conflict_once(services)
    _, voted, changed = services.vote_cast(item_id=item.pk, by=setup.members["bob"], value="up")
    item.refresh_from_db()
    assert (changed, voted.upvotes, item.upvotes, item.vote_score) == (True, 1, 1, 1)
