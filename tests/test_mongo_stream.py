"""The MongoDB change stream source, checked without a server: the adapter on change documents
shaped as MongoDB's documentation shows them, and resuming from the token after errors, with a
stand-in for the collection (MongoDB itself is the one part not on this machine)."""

import threading

from bson import Timestamp
from pymongo.errors import AutoReconnect, NotPrimaryError, OperationFailure

from realtime.mongo_stream import ChangeStreamWatcher, event_from_change


def token(n: int) -> dict:
    return {"_data": f"8263{n:04d}"}


def insert(n: int, seq: int) -> dict:
    return {
        "_id": token(n),
        "operationType": "insert",
        "clusterTime": Timestamp(1700000000, n),
        "wallTime": None,
        "ns": {"db": "watchqueue", "coll": "realtime_roomevent"},
        "documentKey": {"_id": f"6b04{n:020d}"},
        "fullDocument": {
            "_id": f"6b04{n:020d}",
            "room_id": "6b04bc6a0b64ca43997f4d46",
            "seq": seq,
            "type": "vote_update",
            "payload": {"user_id": "bob", "vote": "up", "vote_score": seq},
            "created_at": None,
        },
    }


def test_an_insert_becomes_the_event_clients_receive():
    assert event_from_change(insert(1, 7)) == {
        "type": "vote_update",
        "room_id": "6b04bc6a0b64ca43997f4d46",
        "seq": 7,
        "user_id": "bob",
        "vote": "up",
        "vote_score": 7,
    }


def test_updates_replacements_deletions_and_invalidations_are_not_events():
    base = {"_id": token(9), "ns": {"db": "watchqueue", "coll": "realtime_roomevent"}}
    changes = [
        {
            **base,
            "operationType": "update",
            "documentKey": {"_id": "x"},
            "updateDescription": {"updatedFields": {"seq": 3}, "removedFields": []},
        },
        {**base, "operationType": "replace", "documentKey": {"_id": "x"}, "fullDocument": {}},
        {**base, "operationType": "delete", "documentKey": {"_id": "x"}},
        {"_id": token(9), "operationType": "invalidate"},
    ]
    assert [event_from_change(change) for change in changes] == [None, None, None, None]


def test_an_insert_without_the_event_fields_is_ignored():
    broken = insert(1, 1)
    del broken["fullDocument"]["seq"]
    assert event_from_change(broken) is None


class FakeStream:
    """Plays a list of changes, then an error or the end, like pymongo's ChangeStream."""

    def __init__(self, script: list, done: threading.Event) -> None:
        self.script, self.done, self.alive = list(script), done, True
        self.resume_token = None

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.alive = False

    def try_next(self):
        if not self.script:
            self.done.set()
            self.done.wait(5)
            return None
        step = self.script.pop(0)
        if isinstance(step, Exception):
            raise step
        if step == "idle":  # an empty batch: the server's post-batch token moves on
            self.resume_token = {"_data": f"post-{len(self.script)}"}
            return None
        self.resume_token = step["_id"]
        return step

    def close(self) -> None:
        self.alive = False


class FakeCollection:
    def __init__(self, scripts: list[list], done: threading.Event) -> None:
        self.scripts, self.done, self.calls = scripts, done, []

    def watch(self, pipeline, **options):
        self.calls.append(options.get("resume_after"))
        return FakeStream(self.scripts.pop(0) if self.scripts else [], self.done)


def follow(scripts: list[list]) -> tuple[list[int], list]:
    """Run a watcher over streams playing `scripts` in turn, until the last one is done; the
    seqs it published, and the resume token each stream was opened with."""
    done = threading.Event()
    collection = FakeCollection(scripts, done)
    published: list[dict] = []
    watcher = ChangeStreamWatcher(lambda: collection, published.append)
    watcher.start()
    assert done.wait(15)
    watcher.stop()
    return [event["seq"] for event in published], collection.calls


def test_the_stream_resumes_after_the_last_change_it_saw_and_restarts_after_invalidate():
    seqs, calls = follow(
        [
            [insert(1, 1), insert(2, 2), AutoReconnect("connection reset")],
            [NotPrimaryError("primary stepped down")],
            [insert(3, 3), {"_id": token(4), "operationType": "invalidate"}],
            [insert(5, 4)],
        ]
    )
    assert seqs == [1, 2, 3, 4]
    # Resumed after seq 2 twice (reset, then failover), fresh after the invalidate.
    assert calls == [None, token(2), token(2), None]


def test_an_idle_stream_resumes_from_the_servers_latest_token_not_its_last_change():
    seqs, calls = follow(
        [[insert(1, 1), "idle", AutoReconnect("connection reset")], [insert(2, 2)]]
    )
    assert seqs == [1, 2]
    assert calls == [None, {"_data": "post-1"}]


def test_a_stream_whose_history_is_lost_starts_afresh():
    lost = OperationFailure(
        "Resume of change stream was not possible, as the resume point may no longer be in "
        "the oplog.",
        286,
        {"ok": 0, "code": 286, "codeName": "ChangeStreamHistoryLost"},
    )
    seqs, calls = follow([[insert(1, 1), AutoReconnect("reset")], [lost], [insert(2, 2)]])
    assert seqs == [1, 2]
    assert calls == [None, token(1), None]
