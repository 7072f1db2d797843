from django.apps import AppConfig


class HistoryConfig(AppConfig):
    name = "history"

    def ready(self) -> None:
        from history.services import history_mark_watched, history_past_picks, history_seen
        from queues.services import item_watched
        from selection.services import past_picks
        from tonight.services import seen_in_history

        # An item marked watched becomes a history entry.
        item_watched.register(history_mark_watched)
        # Round robin takes turns by what the room watched.
        past_picks.register(history_past_picks)
        # Who rated a title, or was in when the room watched it, has seen it.
        seen_in_history.register(history_seen)
