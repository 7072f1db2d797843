from django.apps import AppConfig


class WatchQueueSiteConfig(AppConfig):
    """The core as an app, for the model it owns: the event outbox."""

    name = "watchqueue_site"
    verbose_name = "WatchQueue"
