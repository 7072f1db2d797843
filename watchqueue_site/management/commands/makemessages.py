"""makemessages that also finds the English of phrases (watchqueue_site.phrases): the text of
`phrase(key, text)` and the two forms of `plural_phrase(key, one, many)`. It leaves out what is
not the app's own source: collected static files, data, tests and benchmarks."""

from django.core.management.commands import makemessages

NOT_SOURCE = ["staticfiles/*", "data/*", "test-artifacts/*", "tests/*", "bench/*"]


class Command(makemessages.Command):
    xgettext_options = [
        *makemessages.Command.xgettext_options,
        "--keyword=phrase:2",
        "--keyword=plural_phrase:2,3",
    ]

    def handle(self, *args, **options):
        options["ignore_patterns"] = [*(options.get("ignore_patterns") or []), *NOT_SOURCE]
        return super().handle(*args, **options)
