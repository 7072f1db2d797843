from django.apps import AppConfig


class SelectionConfig(AppConfig):
    name = "selection"

    def ready(self) -> None:
        from selection.services import selection_for_round
        from voting.services import round_pick

        # A voting round ends in the room's pick.
        round_pick.register(selection_for_round)
