"""The feed's per-client ordering: each event once, in seq order, and a slow client told so."""

import asyncio

import pytest

from realtime.feed import Lagging, Message, Subscriber


def event(seq: int, type: str = "vote_update") -> Message:
    return Message.of({"type": type, "room_id": "r", "seq": seq})


def taken(subscriber: Subscriber) -> list[int]:
    return [m.seq for m in subscriber.buffer]


def test_events_are_taken_once_and_in_order_whatever_order_they_arrive_in():
    subscriber = Subscriber(room_id="r", delivered=3)
    for seq in (2, 3, 5, 4, 4, 6, 5):
        subscriber.offer(event(seq))
    assert taken(subscriber) == [4, 5, 6]


def test_an_event_after_a_gap_waits_until_the_gap_is_filled():
    subscriber = Subscriber(room_id="r", delivered=0)
    subscriber.offer(event(2))
    assert taken(subscriber) == []
    subscriber.offer(event(1))
    assert taken(subscriber) == [1, 2]


def test_a_filtered_stream_still_counts_the_events_it_skips():
    subscriber = Subscriber(room_id="r", delivered=0, types=frozenset({"queue_update"}))
    subscriber.offer(event(1, "vote_update"))
    subscriber.offer(event(2, "queue_update"))
    subscriber.offer(event(3, "vote_update"))
    assert taken(subscriber) == [2]
    assert subscriber.delivered == 3


def test_a_client_that_falls_behind_its_buffer_is_told_instead_of_losing_events():
    subscriber = Subscriber(room_id="r", delivered=0, limit=3)
    for seq in range(1, 5):
        subscriber.offer(event(seq))
    assert subscriber.lagging

    async def read():
        return await subscriber.get()

    with pytest.raises(Lagging):
        asyncio.run(read())


def test_a_reader_waits_for_the_next_event():
    async def scenario():
        subscriber = Subscriber(room_id="r", delivered=0)
        reader = asyncio.ensure_future(subscriber.get())
        await asyncio.sleep(0.01)
        assert not reader.done()
        subscriber.offer(event(1))
        return await asyncio.wait_for(reader, 1)

    assert asyncio.run(scenario()).seq == 1


def test_messages_are_serialized_once_as_compact_json():
    message = Message.of({"type": "vote_update", "room_id": "r", "seq": 1, "name": "Zoë"})
    assert message.text == '{"type":"vote_update","room_id":"r","seq":1,"name":"Zoë"}'


def test_a_pushed_to_subscriber_is_called_on_each_arrival_and_never_waits():
    calls = []
    subscriber = Subscriber(room_id="r", delivered=0, on_ready=lambda: calls.append(len(calls)))
    subscriber.offer(event(2))
    assert calls == []  # waiting for 1, nothing to take yet
    subscriber.offer(event(1))
    assert [subscriber.take().seq, subscriber.take().seq, subscriber.take()] == [1, 2, None]
    assert calls == [0, 1]
    assert subscriber._ready is None  # no event made for a subscriber that is pushed to


def test_a_pushed_to_subscriber_that_lags_is_called_and_then_refuses():
    calls = []
    subscriber = Subscriber(room_id="r", delivered=0, limit=2, on_ready=lambda: calls.append(1))
    for seq in range(1, 4):
        subscriber.offer(event(seq))
    assert subscriber.lagging
    assert len(calls) == 3
    with pytest.raises(Lagging):
        subscriber.take()
