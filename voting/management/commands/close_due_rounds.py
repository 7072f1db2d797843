from django.core.management.base import BaseCommand

from voting.services import rounds_close_due


class Command(BaseCommand):
    help = "Close every voting round past its deadline and make its pick (safe to run anywhere)."

    def handle(self, *args: object, **options: object) -> None:
        closed = rounds_close_due()
        self.stdout.write(f"Closed {closed} voting round(s).")
