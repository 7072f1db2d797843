from django.apps import AppConfig


class HistoryConfig(AppConfig):
    name = "history"

    def ready(self) -> None:
        from history.ledger import room_ledger
        from history.services import history_mark_watched, history_seen
        from queues.services import item_watched
        from selection.services import room_ledger as ledger_hook
        from tonight.services import seen_in_history

        # An item marked watched becomes a history entry.
        item_watched.register(history_mark_watched)
        # Round robin takes turns by each member's ledger; the fairness boost reads it too.
        ledger_hook.register(room_ledger)
        # Who rated a title, or was in when the room watched it, has seen it.
        seen_in_history.register(history_seen)
