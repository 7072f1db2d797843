"""makemessages that also finds the English of phrases (watchqueue_site.phrases): the text of
`phrase(key, text)` and the two forms of `plural_phrase(key, one, many)`."""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [
        *makemessages.Command.xgettext_options,
        "--keyword=phrase:2",
        "--keyword=plural_phrase:2,3",
    ]
