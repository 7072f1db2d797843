from django.core.management.base import BaseCommand

from realtime.jobs import jobs_run_all


class Command(BaseCommand):
    help = (
        "Run each time-driven job once: end due voting rounds, expire the presence of stopped "
        "server processes, purge old events. Servers run them on their own; this is for cron."
    )

    def handle(self, *args: object, **options: object) -> None:
        for name, count in jobs_run_all().items():
            self.stdout.write(f"{name}: {count}")
