"""MongoDB's change stream as a source for the change feed.

One change stream per server process, on the room events collection, started with the feed and
shared by all its clients. Every event any process writes arrives here, so clients of this
process hear about changes made by the others. The stream keeps its resume token and, after a
network error or a primary failover, resumes from it: nothing is lost, and anything seen twice
is dropped by the feed, which delivers each room's `seq` once.

The adapter from change documents to events is `event_from_change`; the rest is plumbing.
"""

import logging
import threading
from collections.abc import Callable
from typing import Any

from django.db import connection

from watchqueue_site.models import RoomEvent

logger = logging.getLogger(__name__)

RETRY_SECONDS = (0.1, 0.5, 1.0, 2.0, 5.0)
# The server no longer has the history a resume token points into (the oplog rolled past it),
# or refuses to resume the stream at all: it can only start afresh. The feed fills any gap this
# leaves from the events collection, by each room's seq.
HISTORY_LOST = {280, 286}  # ChangeStreamFatalError, ChangeStreamHistoryLost


def event_from_change(change: dict[str, Any]) -> dict[str, Any] | None:
    """The room event in a change document, or None for changes that are not new events.

    Events are only ever inserted; updates, replacements and deletions (the retention purge)
    say nothing to clients.
    """
    if change.get("operationType") != "insert":
        return None
    document = change.get("fullDocument") or {}
    try:
        room_id, seq, kind = document["room_id"], int(document["seq"]), document["type"]
    except (KeyError, TypeError, ValueError):
        logger.warning("Ignoring an event document without room_id, seq and type")
        return None
    payload = document.get("payload") or {}
    return {"type": kind, "room_id": room_id, "seq": seq, **payload}


class ChangeStreamWatcher:
    """Runs `collection.watch()` in a thread, handing each new event to `publish`."""

    def __init__(
        self, collection: Callable[[], Any], publish: Callable[[dict[str, Any]], None]
    ) -> None:
        self.collection = collection  # called in the stream's thread, where I/O is fine
        self.publish = publish
        self.resume_token: Any = None
        self._stop = threading.Event()
        self._stream: Any = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._stop.clear()
            self._thread = threading.Thread(target=self.run, name="change-stream", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        stream = self._stream
        if stream is not None:
            try:
                stream.close()
            except Exception:  # closing a broken stream may itself fail; we are leaving anyway
                logger.debug("Closing the change stream failed", exc_info=True)
        if self._thread is not None:
            self._thread.join(timeout)

    def run(self) -> None:
        failures = 0
        while not self._stop.is_set():
            try:
                self._follow()
                failures = 0
            except Exception as error:
                if self._stop.is_set():
                    return
                if getattr(error, "code", None) in HISTORY_LOST:
                    logger.warning("The change stream cannot resume (%s); starting afresh", error)
                    self.resume_token = None
                delay = RETRY_SECONDS[min(failures, len(RETRY_SECONDS) - 1)]
                failures += 1
                logger.warning("Change stream interrupted (%s); resuming in %.1f s", error, delay)
                self._stop.wait(delay)

    def _follow(self) -> None:
        pipeline = [{"$match": {"operationType": "insert"}}]
        options = {"resume_after": self.resume_token} if self.resume_token else {}
        # try_next() waits up to max_await_time_ms on the server for a change, so an idle
        # stream costs one round trip a second, and stop() is noticed within that second.
        watch = self.collection().watch
        with watch(pipeline, max_await_time_ms=1000, **options) as stream:
            self._stream = stream
            while not self._stop.is_set() and stream.alive:
                change = stream.try_next()
                # The stream's token moves on with every change, even one we ignore, and while
                # idle too (the server's post-batch token), so a resume after a long quiet
                # spell starts from now, well inside the oplog, rather than replaying.
                self.resume_token = stream.resume_token or self.resume_token
                if change is None:
                    continue
                if change.get("operationType") == "invalidate":
                    # The collection was dropped or renamed: start a fresh stream.
                    self.resume_token = None
                    return
                event = event_from_change(change)
                if event is not None:
                    self.publish(event)
            self._stream = None


def events_collection() -> Any:
    """The pymongo collection behind `RoomEvent` on the MongoDB connection."""

    return connection.get_collection(RoomEvent._meta.db_table)
