"""Text is what it looks like: titles that only look different are duplicates, names cannot
hide or reorder characters, and an avatar is one emoji."""

import importlib

import pytest

from queues.models import QueueItem
from rooms.models import Member, Room
from tests.factories import client_for
from watchqueue_site.fields import BIDI, INVISIBLE, NOT_ONE_EMOJI
from watchqueue_site.models import RoomEvent
from watchqueue_site.text import title_key


def written() -> tuple[int, int, int, int]:
    return (
        Room.objects.count(),
        Member.objects.count(),
        QueueItem.objects.count(),
        RoomEvent.objects.count(),
    )


def create(name: str = "Movie night", member_name: str = "Alice", avatar: str = "🦊"):
    body = {"name": name, "members": [{"user_id": "alice", "name": member_name, "avatar": avatar}]}
    return client_for(None).post("/api/rooms", body, format="json")


@pytest.mark.django_db
@pytest.mark.parametrize("spelling", ["He\u200bat", "ＨＥＡＴ", "\ufeffHeat", "HE\u00adAT"])
def test_a_title_that_only_looks_like_heat_is_a_duplicate_of_heat(trio, spelling):
    setup, _ = trio
    client = setup.client("alice")
    heat = client.post("/api/queue", {"room_id": setup.room.pk, "title": "Heat"}, format="json")
    assert heat.status_code == 201
    before = written()
    body = {"room_id": setup.room.pk, "title": spelling}
    response = client.post("/api/queue", body, format="json")
    assert response.status_code == 409, response.json()
    assert response.json()["error"] == "duplicate_item"
    assert response.json()["existing_item"]["id"] == heat.json()["id"]
    assert written() == before


@pytest.mark.django_db
def test_renaming_an_item_to_a_full_width_spelling_of_another_is_a_duplicate(trio):
    setup, _ = trio
    setup.add_item("Heat")
    other = setup.add_item("Ronin")
    response = setup.client("alice").patch(
        f"/api/queue/{other.pk}", {"title": "ＨＥＡＴ"}, format="json"
    )
    assert response.status_code == 409
    other.refresh_from_db()
    assert other.title == "Ronin"


@pytest.mark.django_db
def test_a_title_keeps_no_zero_width_space_it_was_sent_with(trio):
    setup, _ = trio
    response = setup.client("alice").post(
        "/api/queue", {"room_id": setup.room.pk, "title": "Ro\u200bnin"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["title"] == "Ronin"


def test_the_title_key_folds_compatibility_forms_case_and_invisible_characters():
    assert title_key("He\u200bat") == title_key("ＨＥＡＴ") == title_key(" heat ") == "heat"
    assert title_key("Straße") == title_key("STRASSE")
    assert title_key("Amélie") == title_key("Ame\u0301lie")
    assert title_key("Heat 2") != title_key("Heat")


@pytest.mark.django_db
def test_a_member_name_with_a_right_to_left_override_is_refused():
    before = written()
    response = create(member_name="\u202eecilA")
    assert response.status_code == 400
    assert response.json()["fields"] == {"members.0.name": [BIDI]}
    assert written() == before


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["Movie\u200bnight", "Movie\u2060night", "Movie\u3164night"])
def test_a_room_name_with_an_invisible_character_is_refused(name):
    before = written()
    response = create(name=name)
    assert response.status_code == 400
    assert response.json()["fields"] == {"name": [INVISIBLE]}
    assert written() == before


@pytest.mark.django_db
@pytest.mark.parametrize("avatar", ["<b>x</b>", "x", "🎬🎬", "🇩", "\u200d", "🎬\u200b"])
def test_an_avatar_that_is_not_one_emoji_is_refused(avatar):
    before = written()
    response = create(avatar=avatar)
    assert response.status_code == 400
    assert response.json()["fields"] == {"members.0.avatar": [NOT_ONE_EMOJI]}
    assert written() == before


@pytest.mark.django_db
@pytest.mark.parametrize("avatar", ["🎬", "👩‍👩‍👧", "🇩🇪", "👍🏽", "❤️", "1️⃣", "🏳️‍🌈", ""])
def test_one_emoji_is_an_avatar_flags_and_zwj_sequences_included(avatar):
    response = create(avatar=avatar)
    assert response.status_code == 201, response.json()
    assert response.json()["member"]["avatar"] == avatar


@pytest.mark.django_db
def test_a_name_may_hold_an_emoji_joined_by_zwj():
    response = create(member_name="Alice 👩‍👩‍👧")
    assert response.status_code == 201
    assert response.json()["member"]["name"] == "Alice 👩‍👩‍👧"


@pytest.mark.django_db
def test_the_migration_recomputes_stored_keys_and_keeps_both_of_a_pair_now_equal(trio):
    """Rows written under the old folding: the full-width HEAT had its own key."""
    from django.apps import apps

    migration = importlib.import_module("queues.migrations.0003_title_key_unicode")
    setup, _ = trio
    heat = setup.add_item("Heat")
    wide = setup.add_item("Ronin")
    watched = setup.add_item("Alien")
    QueueItem.objects.filter(pk=wide.pk).update(title="ＨＥＡＴ", title_key="ｈｅａｔ")
    QueueItem.objects.filter(pk=watched.pk).update(
        title="ＡＬＩＥＮ", title_key="ａｌｉｅｎ", status="watched"
    )

    migration.recompute(apps, None)

    keys = dict(QueueItem.objects.values_list("pk", "title_key"))
    assert keys[heat.pk] == "heat"
    assert keys[wide.pk] == f"heat\u200b{wide.pk}"
    assert keys[watched.pk] == "alien"
    response = setup.client("alice").post(
        "/api/queue", {"room_id": setup.room.pk, "title": "heat"}, format="json"
    )
    assert response.status_code == 409
