"""Each validation rule, through the real endpoint: the card comes back with the message next to the field,
the person's input kept, and nothing from the bad submission stored."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from cards import verbs
from store.models import ProvisionLine, Referral, ReferralDocument
from tests.conftest import Bot
from tests.support.referral_flow import (
    GOOD_CAPITAL,
    GOOD_DISCUSSION,
    GOOD_EHCP,
    GOOD_INDIVIDUAL,
    GOOD_PROJECT,
    ROW_1,
    Flow,
    beside,
    shows,
)

GOOD = {
    "individual": GOOD_INDIVIDUAL,
    "project": GOOD_PROJECT,
    "ehcp": GOOD_EHCP,
    "capital": GOOD_CAPITAL,
    "discussion": GOOD_DISCUSSION,
}

DETAIL_RULES: list[tuple[str, str, str, str]] = [
    # kind, field, bad value, the message the SENCO reads
    ("individual", "pupil_initials", "", "Pupil's initials is required."),
    ("individual", "pupil_initials", "John Smith", "Give the pupil's initials only"),
    ("individual", "pupil_initials", "Tom", "in capitals"),
    ("individual", "year_group", "Y15", "Choose one of the options for year group."),
    ("individual", "pupil_ref", "John Smith 12/03/2015", "no name or date of birth"),
    ("individual", "primary_need", "", "Primary area of need is required."),
    ("individual", "need_code", "XYZ", "Choose one of the options for need code."),
    ("individual", "summary", "x" * 3001, "Summary of need is too long: at most 3000 characters (it has 3001)."),
    ("individual", "outcomes", "   ", "Outcomes sought, one per line is required."),
    ("individual", "outcomes", "\n".join(f"Outcome {n}" for n in range(9)), "Set at most 8 outcomes, one per line"),
    ("individual", "apdr_cycles", "-1", "Assess-plan-do-review cycles completed must be between 0 and 30"),
    ("individual", "apdr_cycles", "two", "Assess-plan-do-review cycles completed must be a whole number."),
    (
        "individual",
        "duration_terms",
        "4",
        "Duration must be 1 to 3 terms: every allocation is reviewed within a year.",
    ),
    ("individual", "parental_consent", "false", "Please confirm: parental consent"),
    ("project", "title", "", "Project title is required."),
    ("project", "partners", "999", "Partner settings: choose from the list."),
    ("project", "sustainability", "", "How the work continues after funding is required."),
    ("project", "outcomes", "", "Outcomes sought, one per line is required."),
    ("project", "outcomes", "\n\n".join(["Fewer exclusions"] * 9), "(there are 9)"),
    ("ehcp", "plan_reference", "", "EHC plan reference is required."),
    ("ehcp", "outcomes", "- One\n- Two\n- Three\n- Four\n- Five\n- Six\n- Seven\n- Eight\n- Nine", "at most 8"),
    ("ehcp", "amount", "-50", "“-50” is not an amount: an amount cannot be negative."),
    ("ehcp", "amount", "12.345", "“12.345” is not an amount: give at most two figures of pence after the point"),
    ("ehcp", "amount", "4,2500.25", "put commas only between groups of three digits, as in 42,500.25."),
    ("ehcp", "amount", "0", "Amount requested (£) must be between £0.01 and £500,000.00"),
    ("ehcp", "period_start", "next week", "Period from must be a date."),
    ("ehcp", "period_end", "2025-12-01", "The period must end after it starts."),
    ("ehcp", "period_end", "2027-03-01", "The period can be at most a year"),
    ("capital", "amount", "15000.01", "The Capital Fund gives at most £15,000 per setting."),
    ("capital", "category", "minibus", "Choose one of the options for category."),
    ("capital", "revenue_costs", "true", "The Capital Fund cannot pay revenue costs"),
    ("capital", "maintenance", "true", "Maintenance is not eligible: it is covered by DFC, CIF or SCA funding."),
    ("capital", "adult_or_he", "true", "settings for those aged 25 and over are not eligible"),
    ("capital", "mobility_equipment", "true", "Individual mobility equipment is not eligible"),
    ("capital", "had_hncg", "true", "already received High Needs Capital Grant funding"),
    ("capital", "value_for_money", "", "Value for money: your statement is required."),
    ("discussion", "question", "", "Your question for peers is required."),
    ("discussion", "pupil_initials", "Jonathan", "Give the pupil's initials only"),
]


def stored_details(engine: Engine) -> dict[str, Any]:
    with Session(engine) as session:
        return dict(session.exec(select(Referral)).one().details)


@pytest.mark.parametrize(
    ("kind", "field", "bad", "message"),
    DETAIL_RULES,
    ids=[f"{r[0]}-{r[1]}-{i}" for i, r in enumerate(DETAIL_RULES)],
)
async def test_a_bad_answer_comes_back_next_to_its_field_with_the_input_kept_and_nothing_stored(
    bot: Bot, central: Engine, kind: str, field: str, bad: str, message: str
) -> None:
    flow = Flow(bot)
    referral_id, _ = await flow.start(kind)
    await flow.card(verbs.REFERRAL_SAVE, {"referral_id": referral_id, **GOOD[kind]})
    before = stored_details(central)
    answers = {**GOOD[kind], field: bad}
    card = await flow.card(verbs.REFERRAL_SAVE, {"referral_id": referral_id, **answers})
    body = card["body"]
    text = json.dumps(body, ensure_ascii=False)
    assert message in text
    position = next(
        i
        for i, e in enumerate(body)
        if message in json.dumps(e, ensure_ascii=False)
        and e["type"] == "TextBlock"
        and e.get("color") == "Attention"
        and "Please fix" not in e.get("text", "")
    )
    # The message stands right after the field's input (or the container holding it).
    before_message = json.dumps(body[position - 1])
    assert f'"id": "{field}"' in before_message
    if bad.strip() and field not in ("parental_consent",):
        assert json.dumps(bad)[1:-1] in text or field in ("summary",), "the typed value is kept"
    assert stored_details(central) == before


ROW_RULES: list[tuple[str, str, str]] = [
    ("provision", "", "Provision is required."),
    ("minutes_per_session", "0", "Minutes per session must be between 5 and 480"),
    ("minutes_per_session", "1000", "Minutes per session must be between 5 and 480"),
    ("sessions_per_week", "0", "Sessions per week must be between 1 and 35"),
    ("group_size", "0", "Group size must be between 1 and 40"),
    ("weeks", "53", "Weeks must be between 1 and 52"),
    ("hourly_rate", "abc", "“abc” is not an amount: type pounds and pence in figures, as in 1,250.00."),
    (
        "hourly_rate",
        "3,2.50",
        "“3,2.50” is not an amount: put commas only between groups of three digits, as in 32.50.",
    ),
    ("hourly_rate", "900", "Hourly rate must be between £0.01 and £500.00."),
    ("area_of_need", "XX", "Choose one of the options for area of need."),
]


@pytest.mark.parametrize(("field", "bad", "message"), ROW_RULES)
async def test_a_bad_provision_row_is_refused_with_its_message_and_no_row_is_added(
    bot: Bot, central: Engine, field: str, bad: str, message: str
) -> None:
    flow = Flow(bot)
    referral_id, _ = await flow.start("individual")
    card = await flow.card(verbs.ROW_ADD, {"referral_id": referral_id, **{**ROW_1, field: bad}})
    assert shows(card, message)
    with Session(central) as session:
        assert session.exec(select(func.count()).select_from(ProvisionLine)).one() == 0


async def test_a_misplaced_comma_in_a_provision_map_cost_is_refused_beside_it_with_what_was_typed(
    bot: Bot, central: Engine
) -> None:
    flow = Flow(bot)
    referral_id, _ = await flow.start("individual")
    card = await flow.card(verbs.ROW_ADD, {"referral_id": referral_id, **{**ROW_1, "hourly_rate": "1,5.00"}})
    assert beside(card, "hourly_rate") == (
        "1,5.00",
        "“1,5.00” is not an amount: put commas only between groups of three digits, as in 15.00.",
    )
    await flow.card(verbs.ROW_ADD, {"referral_id": referral_id, **ROW_1})
    card = await flow.card(verbs.CONTRIBUTION_SAVE, {"referral_id": referral_id, "contribution": "1,00"})
    assert beside(card, "contribution")[1].startswith("“1,00” is not an amount")
    with Session(central) as session:
        assert [line.hourly_rate_pence for line in session.exec(select(ProvisionLine))] == [1500]
        assert session.exec(select(Referral)).one().contribution_pence == 0


async def test_a_contribution_larger_than_the_total_is_refused(bot: Bot, central: Engine) -> None:
    flow = Flow(bot)
    referral_id, _ = await flow.start("individual")
    await flow.card(verbs.ROW_ADD, {"referral_id": referral_id, **ROW_1})
    card = await flow.card(verbs.CONTRIBUTION_SAVE, {"referral_id": referral_id, "contribution": "500"})
    assert shows(card, "The contribution cannot be more than the total, £427.50.")
    with Session(central) as session:
        assert session.exec(select(Referral)).one().contribution_pence == 0


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("http://etruscan.sharepoint.com/x", "Report"),
        ("https://dropbox.com/x", "Report"),
        ("https://evil.example/sharepoint.com", "Report"),
        ("https://etruscan.sharepoint.com/x", ""),
    ],
)
async def test_only_sharepoint_or_onedrive_links_with_a_name_are_accepted(
    bot: Bot, central: Engine, url: str, name: str
) -> None:
    flow = Flow(bot)
    referral_id, _ = await flow.start("discussion")
    card = await flow.card(verbs.LINK_ADD, {"referral_id": referral_id, "link_name": name, "link_url": url})
    assert shows(card, "Document name is required.") if not name else shows(card, "SharePoint or OneDrive")
    with Session(central) as session:
        assert session.exec(select(ReferralDocument)).all() == []
