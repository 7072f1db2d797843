"""What `manage.py dbstatus` reports, for troubleshooting a deployment.

On MongoDB: the replica set (each member's state and how far it lags the primary), the indexes
of every collection (the unique ones the app's integrity rests on among them), whether a change
stream opens on the events collection (the feed of every server process needs one) and how much
history the oplog keeps for a stream to resume from. On SQLite: the file, its journal mode and
its indexes. On both: the server processes with live clients now.

The report is built from the documents the server answers, by small functions that take those
documents, so it can be checked on the shapes MongoDB's documentation gives.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db import connection
from django.utils import timezone

from realtime.models import LiveConnection
from realtime.mongo_stream import events_collection
from realtime.presence import STALE_SECONDS

HEALTHY_STATES = {"PRIMARY", "SECONDARY", "ARBITER"}


@dataclass
class Report:
    lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def add(self, line: str = "") -> None:
        self.lines.append(line)

    def problem(self, line: str) -> None:
        self.problems.append(line)
        self.lines.append(f"PROBLEM: {line}")


def replica_set(status: dict[str, Any], report: Report) -> None:
    """Summarise a `replSetGetStatus` answer."""
    members = status.get("members", [])
    primary = next((m for m in members if m.get("stateStr") == "PRIMARY"), None)
    report.add(f"Replica set {status.get('set', '?')}: {len(members)} members")
    for member in members:
        state = member.get("stateStr", "?")
        lag = ""
        if primary is not None and member is not primary and member.get("optimeDate"):
            seconds = (primary["optimeDate"] - member["optimeDate"]).total_seconds()
            lag = f", {max(0, seconds):.0f} s behind the primary"
        health = "" if member.get("health", 1) == 1 else ", unreachable"
        report.add(f"  {member.get('name', '?')}: {state}{lag}{health}")
        if state not in HEALTHY_STATES:
            report.problem(f"{member.get('name', '?')} is {state}")
    if primary is None:
        report.problem("the replica set has no primary: writes and transactions will fail")


def indexes(collection: str, listed: list[dict[str, Any]], report: Report) -> None:
    """Summarise a `listIndexes` answer for one collection."""
    report.add(f"  {collection}:")
    for index in listed:
        keys = ", ".join(f"{name} {direction}" for name, direction in index["key"].items())
        unique = " unique" if index.get("unique") else ""
        only = index.get("partialFilterExpression")
        where = f" where {only}" if only else ""
        report.add(f"    {index['name']}{unique} ({keys}){where}")


def oplog_window(first: dict[str, Any] | None, last: dict[str, Any] | None, report: Report) -> None:
    """How far back a change stream can resume: the oplog's first to last entry."""
    if not first or not last:
        report.problem("no oplog: change streams need a replica set")
        return
    hours = (last["ts"].time - first["ts"].time) / 3600
    report.add(f"Oplog: {hours:.1f} h of history for a change stream to resume from")


def live_processes(report: Report) -> None:
    fresh = timezone.now() - timedelta(seconds=STALE_SECONDS)
    rows = LiveConnection.objects.filter(seen_at__gte=fresh).values_list("process", flat=True)
    counts: dict[str, int] = {}
    for process in rows:
        counts[process] = counts.get(process, 0) + 1
    report.add(f"Server processes with live WebSocket clients: {len(counts)}")
    for process, count in sorted(counts.items()):
        report.add(f"  {process}: {count} connection{'s' if count != 1 else ''}")


def _mongodb(report: Report) -> None:
    connection.ensure_connection()
    client, database = connection.connection, connection.database
    report.add(f"Database: MongoDB {client.server_info()['version']}, {database.name}")
    try:
        replica_set(client.admin.command("replSetGetStatus"), report)
    except Exception as error:
        report.problem(f"not a replica set ({error}); transactions and change streams need one")
    report.add("Indexes:")
    for name in sorted(database.list_collection_names()):
        indexes(name, list(database[name].list_indexes()), report)
    try:
        with events_collection().watch(max_await_time_ms=200) as stream:
            stream.try_next()
            opened = "yes" if stream.resume_token else "yes (no token yet)"
        report.add(f"Change stream on the events collection opens: {opened}")
    except Exception as error:
        report.problem(f"a change stream does not open on the events collection: {error}")
    oplog = client.local["oplog.rs"]
    first = oplog.find_one(sort=[("$natural", 1)])
    last = oplog.find_one(sort=[("$natural", -1)])
    oplog_window(first, last, report)


def _sqlite(report: Report) -> None:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        mode = cursor.fetchone()[0]
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        tables = [row[0] for row in cursor.fetchall() if not row[0].startswith("sqlite_")]
        listed = {}
        for table in tables:
            cursor.execute(f'PRAGMA index_list("{table}")')
            found = []
            for _, name, unique, _, _ in cursor.fetchall():
                cursor.execute(f'PRAGMA index_info("{name}")')
                columns = [row[2] for row in cursor.fetchall()]
                cursor.execute("SELECT sql FROM sqlite_master WHERE name = %s", [name])
                sql = (cursor.fetchone() or [None])[0] or ""
                where = sql[sql.upper().index(" WHERE ") + 7 :] if " WHERE " in sql.upper() else ""
                found.append(
                    {
                        "name": name,
                        "key": dict.fromkeys(columns, 1),
                        "unique": bool(unique),
                        "partialFilterExpression": where,
                    }
                )
            listed[table] = found
    report.add(f"Database: SQLite {connection.settings_dict['NAME']}, journal mode {mode}")
    if mode != "wal":
        report.problem("SQLite is not in WAL mode: readers and the writer will block each other")
    report.add("Indexes:")
    for table, found in listed.items():
        if found:
            indexes(table, found, report)


def database_status() -> Report:
    report = Report()
    if connection.vendor == "mongodb":
        _mongodb(report)
    else:
        _sqlite(report)
    live_processes(report)
    return report
