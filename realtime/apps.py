from django.apps import AppConfig

from realtime import daphne_requests


class RealtimeConfig(AppConfig):
    name = "realtime"

    def ready(self) -> None:
        from realtime.feed import feed
        from realtime.presence import online_user_ids
        from tonight.services import online_members
        from watchqueue_site.events import event_committed

        # Committed events go to this process's change feed, and from it to the live clients.
        event_committed.register(feed.publish_threadsafe)
        # Who is in tonight follows who is connected.
        online_members.register(online_user_ids)
        daphne_requests.install()
