from django.apps import AppConfig


class WebConfig(AppConfig):
    """The site's pages: home, join, a room, its history and its TV screen.

    They belong to no one domain: each page shows several (rooms, the queue, votes, picks,
    history) and changes them only through the same REST API and event stream that every other
    client uses.
    """

    name = "web"
    verbose_name = "Web pages"
