"""Django's SQLite backend, with its connections kept open for the next request.

Under ASGI, Django opens a connection per request and closes it when the request ends. For a
SQLite file in WAL mode that is expensive: opening registers Django's SQL functions and runs
the PRAGMAs, and closing the last connection checkpoints the write-ahead log and deletes it,
so the next request recreates it. Here a closed connection goes back to a small pool (rolled
back if a transaction was left open) and the next `connect()` takes it from there. Nothing
else changes: Django still closes and reconnects when it means to, and a connection is used
by one thread at a time.

Bought, with `speedups.asgi`: bench/realtime.py at 60 votes/s went from a p50 of 456 ms to
17 ms. bench/rest.py compares it with Django's own persistent connections (`CONN_MAX_AGE`).
"""

import sqlite3
import threading

from django.db.backends.sqlite3 import base, creation

POOL_SIZE = 8


class _Pool:
    def __init__(self) -> None:
        self._idle: dict[str, list] = {}
        self._lock = threading.Lock()

    def take(self, name: str):
        with self._lock:
            idle = self._idle.get(name)
            return idle.pop() if idle else None

    def give(self, name: str, connection) -> None:
        try:
            if connection.in_transaction:
                connection.rollback()
        except sqlite3.Error:
            connection.close()
            return
        with self._lock:
            idle = self._idle.setdefault(name, [])
            if len(idle) < POOL_SIZE:
                idle.append(connection)
                return
        connection.close()

    def drain(self, name: str) -> None:
        with self._lock:
            idle = self._idle.pop(name, [])
        for connection in idle:
            connection.close()


pool = _Pool()


class DatabaseCreation(creation.DatabaseCreation):
    """Closes pooled connections to a test database before its file is replaced or removed."""

    def _create_test_db(self, verbosity, autoclobber, keepdb=False):
        pool.drain(str(self._get_test_db_name()))
        return super()._create_test_db(verbosity, autoclobber, keepdb)

    def _destroy_test_db(self, test_database_name, verbosity):
        pool.drain(str(test_database_name))
        super()._destroy_test_db(test_database_name, verbosity)


class DatabaseWrapper(base.DatabaseWrapper):
    creation_class = DatabaseCreation

    def _pool_key(self) -> str | None:
        return None if self.is_in_memory_db() else str(self.settings_dict["NAME"])

    def get_new_connection(self, conn_params):
        key = self._pool_key()
        connection = pool.take(key) if key else None
        return connection if connection is not None else super().get_new_connection(conn_params)

    def _close(self):
        key = self._pool_key()
        # Closed inside an atomic block, Django keeps the connection object to fail the block
        # with: that one is really closed, never handed to someone else.
        if self.connection is None or key is None or self.in_atomic_block:
            return super()._close()
        with self.wrap_database_errors:
            pool.give(key, self.connection)
