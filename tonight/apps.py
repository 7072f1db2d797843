from django.apps import AppConfig


class TonightConfig(AppConfig):
    name = "tonight"
    verbose_name = "Tonight"

    def ready(self) -> None:
        from rooms.services import member_joined, member_leaving
        from tonight.services import (
            matches_after_joining,
            matches_after_leaving,
            matches_after_vote,
        )
        from voting.services import vote_changed

        # A vote can make an item a match, or end one.
        vote_changed.register(matches_after_vote)
        # Without a departing member, items every remaining attendee voted up are matches.
        member_leaving.register(matches_after_leaving)
        # A newcomer counted in has not voted: what was a match may be one no longer.
        member_joined.register(matches_after_joining)
