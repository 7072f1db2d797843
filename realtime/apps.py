from django.apps import AppConfig

from realtime import daphne_requests


class RealtimeConfig(AppConfig):
    name = "realtime"

    def ready(self) -> None:
        daphne_requests.install()
