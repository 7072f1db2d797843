from django.apps import AppConfig

from realtime import daphne_requests


class RealtimeConfig(AppConfig):
    name = "realtime"

    def ready(self) -> None:
        from realtime.feed import feed
        from watchqueue_site.events import event_committed

        # Committed events go to this process's change feed, and from it to the live clients.
        event_committed.register(feed.publish_threadsafe)
        daphne_requests.install()
