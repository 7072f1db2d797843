from django.core.management.base import BaseCommand, CommandError

from realtime.dbstatus import database_status


class Command(BaseCommand):
    help = (
        "Report the database: on MongoDB the replica set, the indexes, the change stream and "
        "the oplog window; on SQLite the file and its indexes; and the server processes with "
        "live clients. Exits with an error when something is wrong."
    )

    def handle(self, *args: object, **options: object) -> None:
        report = database_status()
        self.stdout.write("\n".join(report.lines))
        if report.problems:
            raise CommandError(f"{len(report.problems)} problem(s): " + "; ".join(report.problems))
