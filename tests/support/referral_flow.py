"""Driving referral cards through the real endpoint, as a SENCO's clicks would."""

from __future__ import annotations

import json
from typing import Any

from cards import verbs
from tests.conftest import SENCO, Bot
from tests.support import activities as act
from tests.support.card_schema import actions_in

GOOD_INDIVIDUAL = {
    "pupil_initials": "JS",
    "year_group": "Y4",
    "pupil_ref": "ETR-0042",
    "primary_need": "CI",
    "need_code": "SLCN",
    "secondary_need": "SEMH",
    "summary": "Limited expressive language; struggles in whole-class teaching.",
    "outcomes": "Uses 3-word phrases to request help by July.",
    "current_provision": "Wave 2 language group since September; two APDR cycles with SALT advice.",
    "apdr_cycles": "2",
    "duration_terms": "3",
    "parental_consent": "true",
}
ROW_1 = {
    "provision": "Language group",
    "area_of_need": "CI",
    "delivered_by": "Teaching assistant",
    "minutes_per_session": "30",
    "sessions_per_week": "3",
    "group_size": "2",
    "weeks": "38",
    "hourly_rate": "15.00",
}
ROW_2 = {
    "provision": "SALT consultation",
    "area_of_need": "CI",
    "delivered_by": "Speech and language therapist",
    "minutes_per_session": "45",
    "sessions_per_week": "1",
    "group_size": "1",
    "weeks": "12",
    "hourly_rate": "62.33",
}
GOOD_PROJECT = {
    "title": "Nurture room for Key Stage 1",
    "summary": "A shared nurture provision for three schools.",
    "outcomes": "Boxall profiles improve for 8 of 10 pupils.\nNo fixed-term exclusions in Key Stage 1.",
    "impact_measures": "Boxall profiles each term; exclusions down.",
    "timeline": "January to July 2026.",
    "sustainability": "Staff trained; schools fund from 2026/27.",
}
GOOD_EHCP = {
    "pupil_initials": "AB",
    "year_group": "Y9",
    "pupil_ref": "HAY-991",
    "plan_reference": "EHCP-2024-1187",
    "section_f": "20 hours 1:1 TA support per week (F3).",
    "need_beyond_funding": "Specialist teacher for sensory regulation, 2 hours a week.",
    "outcomes": "Stays in class for whole lessons by Easter.",
    "amount": "4200.00",
    "period_start": "2026-01-05",
    "period_end": "2026-07-17",
}
GOOD_CAPITAL = {
    "category": "sensory",
    "works": "Convert a store room into a sensory room with lighting and soft furnishings.",
    "amount": "12500",
    "revenue_costs": "false",
    "maintenance": "false",
    "adult_or_he": "false",
    "mobility_equipment": "false",
    "had_hncg": "false",
    "strategic_fit": "Supports pupils with EHCPs to stay in mainstream.",
    "design_quality": "Designed with the OT.",
    "deliverability": "Contractor booked for Easter.",
    "value_for_money": "Three quotes obtained.",
    "environmental_impact": "LED lighting, reused furniture.",
    "stakeholder_engagement": "Parents and pupils consulted.",
}
GOOD_DISCUSSION = {"question": "How do other schools support a Y2 pupil refusing to enter class?"}


class Flow:
    """One person's clicks through the referral cards; each returns what Teams would show."""

    def __init__(self, bot: Bot, who: tuple[str, str] = SENCO) -> None:
        self.bot = bot
        self.who = who

    async def click(self, verb: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
        """Press a button; returns the invoke's answer (a card, or a message when refused)."""
        response = await self.bot.post(act.card_click(self.bot.connector.url, *self.who, verb, data or {}))
        assert response.status == 200, await response.text()
        body: dict[str, Any] = await response.json()
        return body

    async def card(self, verb: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
        """Press a button that must answer with a card."""
        body = await self.click(verb, data)
        assert body["type"] == "application/vnd.microsoft.card.adaptive", body
        card: dict[str, Any] = body["value"]
        return card

    async def refused(self, verb: str, data: dict[str, Any] | None = None) -> str:
        """Press a button that must be refused; returns the sentence shown."""
        body = await self.click(verb, data)
        assert body["type"] == "application/vnd.microsoft.activity.message", body
        return str(body["value"])

    async def say(self, text: str) -> None:
        await self.bot.post(act.personal_message(self.bot.connector.url, *self.who, text))

    async def start(self, kind: str) -> tuple[int, dict[str, Any]]:
        """new referral -> pick the kind; returns the referral id and its form."""
        picker = await self.card(verbs.REFERRAL_NEW)
        start = find_action(picker, verbs.REFERRAL_START, kind=kind)
        form = await self.card(verbs.REFERRAL_START, start["data"])
        save = find_action(form, verbs.REFERRAL_SAVE)
        return int(save["data"]["referral_id"]), form

    async def version(self, referral_id: int) -> Any:
        review = await self.card(verbs.REVIEW, {"referral_id": referral_id})
        submit = find_action(review, verbs.SUBMIT)
        return submit["data"]["version"]


def find_action(card: dict[str, Any], verb: str, **data: Any) -> dict[str, Any]:
    """The Action.Execute with this verb (and data values) anywhere in the card."""
    for action in actions_in(card):
        matches = all(str(action.get("data", {}).get(k)) == str(v) for k, v in data.items())
        if action.get("type") == "Action.Execute" and action.get("verb") == verb and matches:
            return action
    raise AssertionError(f"no {verb} {data} action in card: {json.dumps(card)[:2000]}")


def shows(card: dict[str, Any], text: str) -> bool:
    return text in json.dumps(card, ensure_ascii=False)


def beside(card: dict[str, Any], field: str) -> tuple[str, str]:
    """What the input ``field`` holds, and the warning shown right after it ("" if none), wherever it sits."""
    found: list[tuple[str, str]] = []

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for i, element in enumerate(node):
                if isinstance(element, dict) and element.get("id") == field:
                    after = node[i + 1] if i + 1 < len(node) else {}
                    warned = after.get("text", "") if after.get("color") == "Attention" else ""
                    found.append((str(element.get("value", "")), warned))
                walk(element)
        elif isinstance(node, dict):
            for value in node.values():
                walk(value)

    walk(card)
    assert len(found) == 1, f"{len(found)} inputs named {field} in card: {json.dumps(card)[:2000]}"
    return found[0]
