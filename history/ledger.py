"""Placeholder until the ledger lands."""

from rooms.models import Room
from selection.algorithms import LedgerEntry


def room_ledger(room: Room) -> list[LedgerEntry]:
    return []
