from django.apps import AppConfig


class TMDBConfig(AppConfig):
    """TMDB: the client, search, and filling queue items in. No models of its own."""

    name = "tmdb"
    verbose_name = "TMDB"

    def ready(self) -> None:
        from queues.services import metadata_wanted
        from tmdb.enrichment import enrichment_schedule

        metadata_wanted.register(enrichment_schedule)
