from django.apps import AppConfig


class VotingConfig(AppConfig):
    name = "voting"

    def ready(self) -> None:
        from rooms.services import member_leaving, room_closing
        from voting.services import rounds_end_for_closed_room, votes_withdraw_all

        # A member who leaves takes their votes back, so the counts others see stay true.
        member_leaving.register(votes_withdraw_all)
        # A closing room ends its running round, with no pick.
        room_closing.register(rounds_end_for_closed_room)
