"""The time-driven jobs, in one list: what happens because time passed, not because someone
asked.

Every server process runs them on its tick (`ticker`, started when the process serves its
first connection), and `manage.py run_jobs` runs each once, for a deployment that prefers cron
or wants them done while no server runs. Several processes may run the same job at the same
moment: each job's effect happens once all the same, because the database decides.

- Ending due voting rounds: a conditional update closes each round once, and the pick's
  unique `round` backs it (`voting.services.round_close`). A read of the round finishes a due
  one on its way, through the same function.
- Expiring presence: the stale connection rows are deleted in the transaction that records
  the `user_left`, so only the process that deleted them records it.
- Purging old events: deleting what is already deleted deletes nothing.
"""

import asyncio
import contextlib
import contextvars
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from asgiref.sync import sync_to_async

from realtime.presence import REFRESH_SECONDS, presence_expire, presence_refresh
from voting.services import rounds_close_due
from watchqueue_site.events import events_purge_old

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    every_seconds: float
    run: Callable[[], int]  # returns how many things it did


JOBS = (
    # Often enough that a round's pick reaches the room within half a second of its deadline.
    Job("end due voting rounds", 0.5, rounds_close_due),
    # This process's connections are still open: keeps them counted by the others.
    Job("refresh this process's connections", REFRESH_SECONDS, presence_refresh),
    Job("expire connections of stopped processes", REFRESH_SECONDS, presence_expire),
    Job("purge old events", 300, events_purge_old),
)


def jobs_run_all() -> dict[str, int]:
    """Run every job once, now; what each did, by name."""
    return {job.name: job.run() for job in JOBS}


class Ticker:
    """Runs each job every `every_seconds` in the running event loop of a server process.

    The jobs run on the thread that runs the app's synchronous code, like a request, so they
    never race a request of this process on its database connection.
    """

    def __init__(self, jobs: tuple[Job, ...] = JOBS) -> None:
        self.jobs = jobs
        self.tick_seconds = min(job.every_seconds for job in jobs)
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        """Start ticking in the running event loop; idempotent."""
        if self._task is not None and not self._task.done():
            return
        # Outside the context of the request that happens to start it: in that context,
        # `sync_to_async` would send the jobs to the request's executor, gone once it ends.
        loop = asyncio.get_running_loop()
        self._task = loop.create_task(self._tick_forever(), context=contextvars.Context())

    async def stop(self) -> None:
        if self._task is None:
            return
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None

    async def _tick_forever(self) -> None:
        due = {job.name: 0.0 for job in self.jobs}
        while True:
            for job in self.jobs:
                now = time.monotonic()
                if now < due[job.name]:
                    continue
                due[job.name] = now + job.every_seconds
                try:
                    await sync_to_async(job.run)()
                except Exception:
                    logger.exception("The job %r failed; it runs again on its next tick", job.name)
            await asyncio.sleep(self.tick_seconds)


ticker = Ticker()
