from django.apps import AppConfig


class TonightConfig(AppConfig):
    name = "tonight"
    verbose_name = "Tonight"
