"""The payments, setting facts, citywide and clusters cards send what their commands read, and ``act as`` has
its declared place: a card and its handler cannot disagree on a field."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import create_engine

from bot.actions.catalogue import ACTIONS
from bot.actions.demo import NOT_IN_DEMO
from bot.actions.registry import Where
from bot.actions.router import Router
from bot.actions.turn import Request, Services
from cards import verbs
from cards.citywide import SECTIONS
from cards.clusters import FORM
from cards.settings import settings_card
from cluster import permissions as p
from cluster.capital import SettingRow
from cluster.clock import Clock
from cluster.commands.clusters import AddCluster
from cluster.commands.inputs import input_keys, parse
from cluster.commands.ledger import MarkPaid
from cluster.commands.setting_facts import OUT_OF_DATE, SaveSettingFacts
from cluster.errors import InvalidInput, Refusal
from usecases.people import Actor


def _inputs(card: dict[str, Any]) -> dict[str, str]:
    found: dict[str, str] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if str(node.get("type", "")).startswith("Input.") and "id" in node:
                found[node["id"]] = node.get("value", "")
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card.get("body", []))
    return found


def test_the_clusters_form_has_exactly_the_inputs_the_add_command_reads() -> None:
    assert {key for key, *_ in FORM} == input_keys(AddCluster)


def test_the_setting_facts_cards_toggles_are_read_back_as_each_settings_facts() -> None:
    rows = [SettingRow(12, "Central", "Abbey", True, False), SettingRow(40, "Central", "Moorpark", False, True)]
    sent = {**_inputs(settings_card("Central", rows)), "verb": verbs.SETTINGS_SAVE}
    assert parse(SaveSettingFacts, sent).changes() == {
        12: {"mainstream": True, "received_hncg": False},
        40: {"mainstream": False, "received_hncg": True},
    }
    with pytest.raises(Refusal, match=OUT_OF_DATE):
        parse(SaveSettingFacts, {**sent, "hncg_12": "maybe"}).changes()


def test_a_payment_reads_the_inputs_named_after_its_instalment() -> None:
    command = parse(MarkPaid, {"instalment_id": 7, "paid_on_7": "2026-01-06", "reference_7": " BACS-1 "})
    assert command == MarkPaid(instalment_id=7, paid_on=date(2026, 1, 6), reference="BACS-1")
    with pytest.raises(InvalidInput) as typo:
        parse(MarkPaid, {"instalment_id": 7, "paid_on_7": "6th Jan", "reference_7": "BACS-1"})
    assert typo.value.errors == {"paid_on_7": "The day it was paid must be a date."}
    assert typo.value.values["paid_on_7"] == "6th Jan"
    with pytest.raises(Refusal, match=r"That instalment no longer exists\."):
        parse(MarkPaid, {"paid_on_7": "2026-01-06"})


def test_every_citywide_section_button_is_one_the_command_reads() -> None:
    from cards.citywide import citywide_card
    from cluster.citywide import City, Figures

    city = City(as_of=date(2026, 1, 6), year="2025/26", clusters=(Figures(name="Central"),))
    card = citywide_card(city, "money")
    sections = {a["data"].get("section") for a in card["body"][-1]["actions"]}
    assert sections == set(SECTIONS) - {"money"}


def test_act_as_is_declared_demo_only_and_refused_when_it_reaches_the_router() -> None:
    declaration = ACTIONS.get(Where.PERSONAL, "act as")
    assert declaration is not None and declaration.permission is p.DEMO_ONLY
    engine = create_engine("sqlite://")
    router = Router(Services(engine, Clock()), ACTIONS)
    stranger = Actor("aad-stranger", "Stella Stranger", None, frozenset())
    assert router.dispatch(Request(stranger, "personal", "a:1", "act as Isaiah Langer")).text == NOT_IN_DEMO
