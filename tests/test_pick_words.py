"""A pick's words in each reader's language: made once, stored and sent to every screen in
English with its phrases, and answered in the asker's language (Accept-Language) wherever the
API answers a request: the pick, a past pick, the preview, a refusal, a round's outcome, and the
page that checks a draw. The pages word the phrases themselves (test_i18n.py, in a browser)."""

import json
import re

import pytest
from django.test import Client
from django.utils import translation

from selection.models import Selection
from tests.events import recorded
from tests.factories import make_room
from tests.tonight_api import constrain, facts, ok, turn_down
from voting.models import VotingRound
from watchqueue_site.phrases import PHRASES, english, phrase_forms, words

GERMAN = {"HTTP_ACCEPT_LANGUAGE": "de-DE,de;q=0.9"}
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en-GB"}
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _room_with_two_too_long():
    setup = make_room("alice", "bob")
    facts(setup.add_item("Heat"), runtime_minutes=170)
    facts(setup.add_item("Arrival"), runtime_minutes=116)
    facts(setup.add_item("Paddington"), runtime_minutes=95)
    ok(constrain(setup, {"max_runtime_minutes": 100}))
    return setup


def _pick(setup, headers, user_id="alice"):
    return setup.client(user_id).post(f"/api/queue/room/{setup.room.pk}/select", **headers)


def _texts(reason: dict) -> dict[str, list[str]]:
    return {row["title"]: [r["text"] for r in row["reasons"]] for row in reason["excluded"]}


@pytest.mark.django_db
def test_a_pick_answers_in_the_askers_language_and_is_stored_and_shared_in_english():
    setup = _room_with_two_too_long()

    with recorded(setup.room) as events:
        response = _pick(setup, GERMAN)

    assert response.status_code == 201, response.content
    reason = response.json()["reason"]
    assert reason["summary"] == "Paddington war der einzige Film, der gewählt werden konnte."
    assert reason["rule"].startswith("Gewichtete Ziehung: Jeder Film wiegt")
    assert _texts(reason) == {
        "Heat": ["länger als 100 Min. (170 Min.)"],
        "Arrival": ["länger als 100 Min. (116 Min.)"],
    }
    # Everyone is sent the same pick: English words, and the phrases to word it in theirs.
    [event] = [e for e in events if e["type"] == "selection"]
    shared = event["selection"]["reason"]
    assert shared["summary"] == "Paddington was the only film that could be picked."
    assert shared["summary_phrase"] == {
        "phrase": "summary.only_one",
        "args": {"title": "Paddington"},
    }
    assert _texts(shared)["Heat"] == ["longer than 100 min (170 min)"]
    assert shared["excluded"][0]["reasons"][0]["args"] == {"limit": 100, "runtime": 170}
    # Stored in English; read back in whichever language asks.
    stored = Selection.objects.get().reason
    assert stored["summary"] == shared["summary"]
    assert _texts(stored) == _texts(shared)
    url = f"/api/selections/{response.json()['id']}"
    again = setup.client("bob").get(url, **ENGLISH).json()["reason"]
    assert again["summary"] == shared["summary"]
    assert again["rule"] == stored["rule"]
    german = setup.client("bob").get(url, **GERMAN).json()["reason"]
    assert german["summary"] == reason["summary"]
    assert _texts(german) == _texts(reason)


@pytest.mark.django_db
def test_a_chance_is_written_with_the_languages_decimal_comma():
    setup = make_room("alice", "bob")
    setup.add_item("Heat")
    setup.add_item("Arrival")

    summary = ok(_pick(setup, GERMAN), 201)["reason"]["summary"]

    assert re.fullmatch(
        r"(Heat|Arrival) hat die gewichtete Ziehung gewonnen, mit einer Chance von 50,0 %\.",
        summary,
    ), summary
    stored = Selection.objects.get().reason["summary"]
    assert re.fullmatch(r"(Heat|Arrival) won the weighted draw with a 50\.0% chance\.", stored)


@pytest.mark.django_db
def test_nothing_eligible_is_refused_in_the_askers_language_with_the_same_code():
    setup = _room_with_two_too_long()
    facts(setup.room.queue_items.get(title="Paddington"), runtime_minutes=101)

    german = _pick(setup, GERMAN)
    english_answer = _pick(setup, ENGLISH)

    assert german.status_code == english_answer.status_code == 409
    assert german.json()["error"] == english_answer.json()["error"] == "nothing_eligible"
    assert german.json()["detail"] == "Nichts kann gewählt werden: 3 zu lang."
    assert english_answer.json()["detail"] == "Nothing can be picked: 3 too long."
    assert _texts(german.json())["Heat"] == ["länger als 100 Min. (170 Min.)"]
    assert _texts(english_answer.json())["Heat"] == ["longer than 100 min (170 min)"]
    assert not Selection.objects.exists()


@pytest.mark.django_db
def test_the_preview_and_a_refused_turn_down_speak_the_askers_language():
    setup = _room_with_two_too_long()
    preview = (
        setup.client("bob").get(f"/api/queue/room/{setup.room.pk}/select/preview", **GERMAN).json()
    )
    assert _texts(preview)["Arrival"] == ["länger als 100 Min. (116 Min.)"]
    chosen = ok(_pick(setup, ENGLISH), 201)

    refused = turn_down_in(setup, chosen["id"], GERMAN)

    assert refused.status_code == 409
    assert refused.json()["detail"] == (
        "Heute Abend kann nichts anderes gewählt werden, also bleibt es bei Paddington."
        " Die anderen: 2 zu lang."
    )
    assert turn_down(setup, chosen["id"]).json()["detail"] == (
        "Nothing else can be picked tonight, so Paddington stands. The others: 2 too long."
    )


def turn_down_in(setup, selection_id: str, headers: dict):
    return setup.client("alice").post(f"/api/selections/{selection_id}/turn-down", **headers)


@pytest.mark.django_db
def test_a_turned_down_pick_says_so_before_the_new_summary_in_each_language():
    setup = make_room("alice", "bob")
    setup.add_item("Heat")
    setup.add_item("Arrival")
    first = ok(_pick(setup, ENGLISH), 201)

    again = ok(turn_down_in(setup, first["id"], GERMAN), 201)

    other = "Arrival" if first["item_title"] == "Heat" else "Heat"
    title = first["item_title"]
    assert again["reason"]["summary"] == (
        f"{title} wurde abgelehnt. {other} war der einzige Film, der gewählt werden konnte."
    )
    assert Selection.objects.get(pk=again["id"]).reason["summary"] == (
        f"{title} was turned down. {other} was the only film that could be picked."
    )


@pytest.mark.django_db
def test_a_rounds_outcome_is_stored_in_english_and_read_in_the_askers_language():
    setup = _room_with_two_too_long()
    facts(setup.room.queue_items.get(title="Paddington"), runtime_minutes=101)
    client = setup.client("alice")
    assert client.post(f"/api/rooms/{setup.room.pk}/round", **GERMAN).status_code == 201

    with recorded(setup.room) as events:
        ended = client.post(f"/api/rooms/{setup.room.pk}/round/end", **GERMAN)

    assert ended.status_code == 200
    assert ended.json()["outcome"] == "Nichts kann gewählt werden: 3 zu lang."
    [event] = events
    assert event["round"]["outcome"] == "Nothing can be picked: 3 too long."
    assert event["round"]["outcome_phrase"]["phrase"] == "nothing.eligible"
    assert VotingRound.objects.get().outcome == "Nothing can be picked: 3 too long."
    read = client.get(f"/api/rooms/{setup.room.pk}/round", **GERMAN).json()
    assert read["outcome"] == "Nichts kann gewählt werden: 3 zu lang."


@pytest.mark.django_db
def test_the_draw_check_page_speaks_the_readers_language():
    setup = make_room("alice", "bob")
    setup.add_item("Heat")
    chosen = ok(_pick(setup, ENGLISH), 201)
    client = Client()
    client.cookies[f"wq_{setup.room.pk}"] = setup.tokens["bob"]

    page = client.get(f"/r/{setup.room.pk}/picks/{chosen['id']}", **GERMAN)

    assert page.status_code == 200
    text = page.content.decode()
    assert "Heat war der einzige Film, der gewählt werden konnte." in text
    assert "Gewichtete Ziehung: Jeder Film wiegt" in text


# The phrases themselves


def _sample(found) -> dict:
    names = set(PLACEHOLDER.findall(found.one)) | set(PLACEHOLDER.findall(found.many or ""))
    return {name: 2 if name == "count" else f"<{name}>" for name in names}


@pytest.mark.parametrize("key", sorted(PHRASES))
def test_every_phrase_is_german_with_the_same_placeholders(key):
    found = PHRASES[key]
    args = _sample(found)
    said = found(**args)
    with translation.override("de"):
        german = words(said)
        forms = phrase_forms()[key]
    assert set(PLACEHOLDER.findall(" ".join(forms))) == set(args), forms
    # Only the phrases that are the same in both languages may word the same.
    if key not in {"summary.sentence", "list.separator"}:
        assert german != english(said), key


def test_the_german_script_catalog_carries_every_phrase_and_the_english_none(client):
    german = client.get("/jsi18n/de.js").content.decode()
    english_catalog = client.get("/jsi18n/en.js").content.decode()

    start = german.index("globalThis.django.phrases = ") + len("globalThis.django.phrases = ")
    forms = json.loads(german[start : german.index(";\n", start)])
    assert set(forms) == set(PHRASES) | {"list.separator"}
    assert forms["excluded.too_long"] == ["länger als %(limit)s Min. (%(runtime)s Min.)"]
    assert forms["excluded.others"] == ["%(count)s weiteren Person", "%(count)s weiteren Personen"]
    assert "django.phrases" not in english_catalog
