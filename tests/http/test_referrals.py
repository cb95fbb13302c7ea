"""Referral intake through the real /api/messages: every kind created, edited, withdrawn and submitted."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from cards import verbs
from cluster.clock import LONDON, FixedClock
from cluster.permissions import EDIT_REFERRAL, READ_REFERRAL
from store.models import AuditEvent, ProvisionLine, Referral, ReferralDocument
from tests.conftest import ADMIN, CHAIR, SENCO, SENCO_2, TAC, Bot
from tests.support import activities as act
from tests.support.card_schema import actions_in
from tests.support.referral_flow import (
    GOOD_CAPITAL,
    GOOD_DISCUSSION,
    GOOD_EHCP,
    GOOD_INDIVIDUAL,
    GOOD_PROJECT,
    ROW_1,
    ROW_2,
    Flow,
    find_action,
    shows,
)


def referrals(engine: Engine) -> list[Referral]:
    with Session(engine) as session:
        return list(session.exec(select(Referral)))


def rows_of(engine: Engine, referral_id: int) -> int:
    with Session(engine) as session:
        return session.exec(
            select(func.count()).select_from(ProvisionLine).where(ProvisionLine.referral_id == referral_id)
        ).one()


async def fill_individual(flow: Flow) -> int:
    referral_id, _ = await flow.start("individual")
    rows = await flow.card(verbs.REFERRAL_SAVE, {"referral_id": referral_id, **GOOD_INDIVIDUAL})
    assert shows(rows, "Add row")
    await flow.card(verbs.ROW_ADD, {"referral_id": referral_id, **ROW_1})
    await flow.card(verbs.ROW_ADD, {"referral_id": referral_id, **ROW_2})
    return referral_id


async def test_a_senco_submits_an_individual_pupil_need_referral_with_two_rows(bot: Bot, central: Engine) -> None:
    await bot.post(act.personal_install(bot.connector.url, *ADMIN))
    flow = Flow(bot)
    referral_id = await fill_individual(flow)
    rows = await flow.card(verbs.CONTRIBUTION_SAVE, {"referral_id": referral_id, "contribution": "100"})
    # 30/60 x 3 x 38 x £15.00 / 2 = £427.50; 45/60 x 1 x 12 x £62.33 = £560.97 (560.97 exactly)
    assert shows(rows, "£427.50") and shows(rows, "£560.97") and shows(rows, "£988.47")
    assert shows(rows, "£888.47"), "requested = total less the school's £100 contribution"
    docs = await flow.card(verbs.DOCUMENTS, {"referral_id": referral_id})
    docs = await flow.card(
        verbs.LINK_ADD,
        {
            "referral_id": referral_id,
            "link_name": "SALT report",
            "link_url": "https://etruscan.sharepoint.com/x.pdf",
        },
    )
    assert shows(docs, "SALT report")
    review = await flow.card(verbs.REVIEW, {"referral_id": referral_id})
    submit = find_action(review, verbs.SUBMIT)
    done = await flow.card(verbs.SUBMIT, submit["data"])
    assert shows(done, "CEN-2526-001")
    assert shows(done, "Thursday 11 December 2025")
    assert shows(done, "Thursday 4 December 2025, 23:59")
    [stored] = referrals(central)
    assert stored.state == "submitted" and stored.reference == "CEN-2526-001"
    notices = await bot.connector.wait_for(2)
    to_admin = [c for c in notices if c.conversation_id == act.personal_conversation(ADMIN[0]) and c.cards]
    assert to_admin and "CEN-2526-001" in to_admin[-1].all_json()


async def test_the_same_submit_delivered_twice_submits_once_with_one_reference(bot: Bot, central: Engine) -> None:
    flow = Flow(bot)
    referral_id = await fill_individual(flow)
    version = await flow.version(referral_id)
    first = await flow.card(verbs.SUBMIT, {"referral_id": referral_id, "version": version})
    second = await flow.card(verbs.SUBMIT, {"referral_id": referral_id, "version": version})
    assert shows(first, "CEN-2526-001") and shows(second, "CEN-2526-001")
    with Session(central) as session:
        submits = session.exec(select(AuditEvent).where(AuditEvent.action == "referral.submit")).all()
    assert len(submits) == 1


async def test_a_double_click_on_a_kind_creates_one_draft(bot: Bot, central: Engine) -> None:
    flow = Flow(bot)
    picker = await flow.card(verbs.REFERRAL_NEW)
    start = find_action(picker, verbs.REFERRAL_START, kind="discussion")
    await flow.card(verbs.REFERRAL_START, start["data"])
    await flow.card(verbs.REFERRAL_START, start["data"])
    assert len(referrals(central)) == 1


@pytest.mark.parametrize(
    ("kind", "answers"),
    [("project", GOOD_PROJECT), ("ehcp", GOOD_EHCP), ("capital", GOOD_CAPITAL), ("discussion", GOOD_DISCUSSION)],
)
async def test_every_other_kind_can_be_filled_in_and_submitted(
    bot: Bot, central: Engine, kind: str, answers: dict[str, str]
) -> None:
    flow = Flow(bot)
    referral_id, _ = await flow.start(kind)
    await flow.card(verbs.REFERRAL_SAVE, {"referral_id": referral_id, **answers})
    if kind == "project":
        await flow.card(verbs.ROW_ADD, {"referral_id": referral_id, **ROW_1})
    done = await flow.card(verbs.SUBMIT, {"referral_id": referral_id, "version": await flow.version(referral_id)})
    assert shows(done, "CEN-2526-001")
    [stored] = referrals(central)
    assert stored.kind == kind and stored.state == "submitted"


async def test_a_referral_can_be_edited_until_the_deadline_and_then_it_cannot(
    bot: Bot, central: Engine, clock: FixedClock
) -> None:
    flow = Flow(bot)
    referral_id, _ = await flow.start("discussion")
    await flow.card(verbs.REFERRAL_SAVE, {"referral_id": referral_id, **GOOD_DISCUSSION})
    await flow.card(verbs.SUBMIT, {"referral_id": referral_id, "version": await flow.version(referral_id)})
    changed = {**GOOD_DISCUSSION, "question": "A better question?"}
    await flow.card(verbs.REFERRAL_SAVE, {"referral_id": referral_id, **changed})
    assert referrals(central)[0].details["question"] == "A better question?"
    assert referrals(central)[0].state == "submitted"
    clock.set(clock.now().replace(month=12, day=5))
    refusal = await flow.refused(verbs.REFERRAL_SAVE, {"referral_id": referral_id, **GOOD_DISCUSSION})
    assert "deadline" in refusal and "passed" in refusal
    assert referrals(central)[0].details["question"] == "A better question?"


async def test_a_submission_after_the_deadline_goes_to_the_following_meeting(
    bot: Bot, central: Engine, clock: FixedClock
) -> None:
    clock.set(clock.now().replace(month=12, day=5))
    flow = Flow(bot)
    referral_id, _ = await flow.start("discussion")
    await flow.card(verbs.REFERRAL_SAVE, {"referral_id": referral_id, **GOOD_DISCUSSION})
    done = await flow.card(verbs.SUBMIT, {"referral_id": referral_id, "version": await flow.version(referral_id)})
    assert shows(done, "Thursday 5 February 2026")


async def test_withdrawing_a_referral_keeps_it_listed_as_withdrawn(bot: Bot, central: Engine) -> None:
    flow = Flow(bot)
    referral_id = await fill_individual(flow)
    await flow.card(verbs.WITHDRAW, {"referral_id": referral_id})
    await flow.card(verbs.WITHDRAW, {"referral_id": referral_id})
    assert referrals(central)[0].state == "withdrawn"
    mine = await flow.card(verbs.MY_REFERRALS)
    assert shows(mine, "Withdrawn")
    refusal = await flow.refused(verbs.REFERRAL_SAVE, {"referral_id": referral_id, **GOOD_INDIVIDUAL})
    assert "withdrawn" in refusal.lower()


async def test_my_referrals_lists_drafts_and_submitted_referrals_with_their_state(bot: Bot) -> None:
    flow = Flow(bot)
    await flow.start("capital")
    referral_id, _ = await flow.start("discussion")
    await flow.card(verbs.REFERRAL_SAVE, {"referral_id": referral_id, **GOOD_DISCUSSION})
    await flow.card(verbs.SUBMIT, {"referral_id": referral_id, "version": await flow.version(referral_id)})
    await flow.say("my referrals")
    [call] = await bot.connector.wait_for(1)
    text = call.all_json()
    assert "Draft" in text and "CEN-2526-001" in text and "Inclusive Environments Capital Fund" in text


async def test_rows_can_be_edited_and_removed_and_the_total_follows(bot: Bot, central: Engine) -> None:
    flow = Flow(bot)
    referral_id = await fill_individual(flow)
    rows = await flow.card(verbs.REFERRAL_ROWS, {"referral_id": referral_id})
    # Each row has one button, which opens it in the form; Remove is there, beside Save.
    opened = await flow.card(verbs.ROW_EDIT, find_action(rows, verbs.ROW_EDIT)["data"])
    remove = find_action(opened, verbs.ROW_REMOVE)
    assert remove["title"] == "Remove row 1"
    rows = await flow.card(verbs.ROW_REMOVE, remove["data"])
    assert rows_of(central, referral_id) == 1
    edit = find_action(rows, verbs.ROW_EDIT)
    form = await flow.card(verbs.ROW_EDIT, edit["data"])
    save = find_action(form, verbs.ROW_SAVE)
    rows = await flow.card(verbs.ROW_SAVE, {**save["data"], **{**ROW_2, "weeks": "6"}})
    assert rows_of(central, referral_id) == 1
    assert shows(rows, "£280.49"), "45/60 x 1 x 6 x £62.33 = £280.485, rounded half up"


async def test_a_tac_member_reads_a_referral_and_the_read_is_audited(bot: Bot, central: Engine) -> None:
    senco = Flow(bot)
    referral_id = await fill_individual(senco)
    # A draft is the school's own: the team sees it once it is submitted.
    refusal = await Flow(bot, TAC).refused(verbs.REFERRAL_OPEN, {"referral_id": referral_id})
    assert refusal == READ_REFERRAL.refusal
    await senco.click(verbs.SUBMIT, {"referral_id": referral_id, "version": await senco.version(referral_id)})
    card = await Flow(bot, TAC).card(verbs.REFERRAL_OPEN, {"referral_id": referral_id})
    assert shows(card, "ETR-0042")
    assert find_action(card, verbs.EXPORT)
    with Session(central) as session:
        reads = session.exec(select(AuditEvent).where(AuditEvent.action == "referral.read")).all()
    assert [r.actor for r in reads] and all(r.subject == f"referral:{referral_id}" for r in reads)


async def test_another_schools_senco_cannot_see_or_change_a_referral(bot: Bot, central: Engine) -> None:
    referral_id = await fill_individual(Flow(bot))
    other = Flow(bot, SENCO_2)
    refusal = await other.refused(verbs.REFERRAL_OPEN, {"referral_id": referral_id})
    assert refusal == READ_REFERRAL.refusal
    refusal = await other.refused(verbs.REFERRAL_SAVE, {"referral_id": referral_id, **GOOD_INDIVIDUAL})
    assert refusal == EDIT_REFERRAL.refusal
    refusal = await other.refused(verbs.WITHDRAW, {"referral_id": referral_id})
    assert referrals(central)[0].state == "draft"


async def test_only_a_senco_or_delegate_can_start_a_referral(bot: Bot) -> None:
    refusal = await Flow(bot, CHAIR).refused(verbs.REFERRAL_NEW)
    assert refusal == "Only a setting's SENCO or delegate can make or change its referrals."


async def test_the_admin_returns_an_incomplete_referral_and_the_senco_fixes_and_resubmits(
    bot: Bot, central: Engine
) -> None:
    await bot.post(act.personal_install(bot.connector.url, *SENCO))
    flow = Flow(bot)
    referral_id = await fill_individual(flow)
    await flow.card(verbs.SUBMIT, {"referral_id": referral_id, "version": await flow.version(referral_id)})
    admin = Flow(bot, ADMIN)
    check = await admin.card(verbs.TO_CHECK)
    assert shows(check, "CEN-2526-001")
    refusal = await admin.refused(verbs.RETURN, {"referral_id": referral_id})
    assert "reason" in refusal
    await admin.card(
        verbs.RETURN, {"referral_id": referral_id, f"reason_{referral_id}": "Please attach the SALT report."}
    )
    assert referrals(central)[0].state == "returned"
    told = await bot.connector.wait_for(2)
    assert any("Please attach the SALT report." in c.all_json() for c in told)
    review = await flow.card(verbs.REVIEW, {"referral_id": referral_id})
    assert shows(review, "Please attach the SALT report.")
    done = await flow.card(verbs.SUBMIT, find_action(review, verbs.SUBMIT)["data"])
    assert shows(done, "CEN-2526-001"), "a resubmission keeps its reference"
    await admin.card(verbs.ACCEPT, {"referral_id": referral_id})
    assert referrals(central)[0].state == "accepted"
    refusal = await flow.refused(verbs.REFERRAL_SAVE, {"referral_id": referral_id, **GOOD_INDIVIDUAL})
    assert "on the agenda" in refusal


def said(card: dict[str, Any]) -> str:
    """The sentence at the top of the admin's list, under its heading: what the click did."""
    return str(card["body"][1]["text"])


async def test_the_admins_accept_and_return_say_what_they_did_and_a_stale_click_says_nothing_changed(
    bot: Bot, central: Engine
) -> None:
    flow = Flow(bot)
    first, second = await fill_individual(flow), await fill_individual(flow)
    for referral_id in (first, second):
        await flow.card(verbs.SUBMIT, {"referral_id": referral_id, "version": await flow.version(referral_id)})
    admin = Flow(bot, ADMIN)

    accepted = await admin.card(verbs.ACCEPT, {"referral_id": first})
    assert said(accepted) == "CEN-2526-001 accepted onto the 11 December meeting's agenda; Sam Senco is told."
    again = await admin.card(verbs.ACCEPT, {"referral_id": first})  # a doubled click, or a second admin's
    assert said(again) == "CEN-2526-001 was already accepted onto the 11 December meeting's agenda: nothing changed."

    reason = {"referral_id": second, f"reason_{second}": "Please attach the SALT report."}
    returned = await admin.card(verbs.RETURN, reason)
    assert said(returned) == "CEN-2526-002 returned to Sam Senco with your reason."
    assert shows(returned, "Nothing to check.")
    stale = await admin.card(verbs.ACCEPT, {"referral_id": second})
    assert said(stale).startswith("CEN-2526-002 was already returned to Sam Senco: nothing changed.")
    stale = await admin.card(verbs.RETURN, {**reason, f"reason_{second}": "Another reason."})
    assert said(stale).startswith("CEN-2526-002 was already returned to Sam Senco: nothing changed.")
    by_id = {r.id: r for r in referrals(central)}
    assert (by_id[first].state, by_id[second].state) == ("accepted", "returned")
    assert by_id[second].returned_reason == "Please attach the SALT report.", "the first reason stands"


async def test_only_the_clusters_admin_checks_referrals(bot: Bot) -> None:
    referral_id = await fill_individual(Flow(bot))
    refusal = await Flow(bot, CHAIR).refused(verbs.ACCEPT, {"referral_id": referral_id})
    assert refusal == "Only the cluster's admin can check referrals."


async def test_a_capital_application_outside_its_window_is_kept_as_a_draft(
    bot: Bot, central: Engine, clock: FixedClock
) -> None:
    clock.set(clock.now().replace(year=2026, month=1, day=15))
    flow = Flow(bot)
    referral_id, _ = await flow.start("capital")
    await flow.card(verbs.REFERRAL_SAVE, {"referral_id": referral_id, **GOOD_CAPITAL})
    refusal = await flow.refused(verbs.SUBMIT, {"referral_id": referral_id, "version": await flow.version(referral_id)})
    assert refusal.startswith(
        "Capital Fund applications for this year are taken from 1 September 2025 to 31 December 2025"
    )
    assert referrals(central)[0].state == "draft"


async def test_submitting_with_something_missing_says_what(bot: Bot, central: Engine) -> None:
    flow = Flow(bot)
    referral_id, _ = await flow.start("individual")
    await flow.card(verbs.REFERRAL_SAVE, {"referral_id": referral_id, **GOOD_INDIVIDUAL})
    version = await flow.click(verbs.REVIEW, {"referral_id": referral_id})
    assert "Add at least one row of costs." in json.dumps(version)
    refusal = await flow.refused(verbs.SUBMIT, {"referral_id": referral_id, "version": referrals(central)[0].version})
    assert "Add at least one row of costs." in refusal
    assert referrals(central)[0].state == "draft"


async def test_text_commands_open_the_same_cards(bot: Bot) -> None:
    flow = Flow(bot)
    await flow.say("new referral")
    [call] = await bot.connector.wait_for(1)
    assert "Individual Pupil Need" in call.all_json()


async def test_a_file_sent_in_chat_is_kept_with_the_open_referral(bot: Bot, central: Engine) -> None:
    flow = Flow(bot)
    referral_id, _ = await flow.start("discussion")
    bot.connector.files["plan.pdf"] = (b"%PDF-1.4 a small plan", "application/pdf")
    message = act.personal_message(bot.connector.url, *SENCO, "")
    message["attachments"] = [
        {
            "contentType": "application/vnd.microsoft.teams.file.download.info",
            "name": "plan.pdf",
            "content": {"downloadUrl": f"{bot.connector.url}/files/plan.pdf", "uniqueId": "1", "fileType": "pdf"},
        }
    ]
    await bot.post(message)
    [call] = await bot.connector.wait_for(1)
    assert "plan.pdf" in call.all_json()
    with Session(central) as session:
        [doc] = session.exec(select(ReferralDocument)).all()
    assert doc.referral_id == referral_id and doc.content == b"%PDF-1.4 a small plan" and doc.size_bytes == 21


async def test_a_file_that_is_not_what_it_says_is_refused_and_not_kept(bot: Bot, central: Engine) -> None:
    flow = Flow(bot)
    await flow.start("discussion")
    bot.connector.files["plan.pdf"] = (b"MZ\x90\x00 an executable", "application/pdf")
    message = act.personal_message(bot.connector.url, *SENCO, "")
    message["attachments"] = [
        {
            "contentType": "application/vnd.microsoft.teams.file.download.info",
            "name": "plan.pdf",
            "content": {"downloadUrl": f"{bot.connector.url}/files/plan.pdf", "uniqueId": "1", "fileType": "pdf"},
        }
    ]
    await bot.post(message)
    [call] = await bot.connector.wait_for(1)
    assert call.text.startswith("I could not keep plan.pdf")
    with Session(central) as session:
        assert session.exec(select(ReferralDocument)).all() == []


async def test_export_offers_the_referral_pack_and_uploads_it_when_accepted(bot: Bot, central: Engine) -> None:
    flow = Flow(bot)
    referral_id = await fill_individual(flow)
    await flow.card(verbs.SUBMIT, {"referral_id": referral_id, "version": await flow.version(referral_id)})
    await flow.say("export CEN-2526-001")
    calls = await bot.connector.wait_for(2)
    consent = [
        a
        for c in calls
        for a in c.body.get("attachments") or []
        if a["contentType"] == "application/vnd.microsoft.teams.card.file.consent"
    ]
    assert consent, [c.body for c in calls]
    accept = act.card_click(bot.connector.url, *SENCO, "x")
    accept["name"] = "fileConsent/invoke"
    accept["value"] = {
        "type": "fileUpload",
        "action": "accept",
        "context": consent[0]["content"]["acceptContext"],
        "uploadInfo": {
            "contentUrl": "https://etruscan-my.sharepoint.com/pack.docx",
            "name": "CEN-2526-001 referral pack.docx",
            "uploadUrl": f"{bot.connector.url}/upload/pack.docx",
            "uniqueId": "u-1",
            "fileType": "docx",
        },
    }
    response = await bot.post(accept)
    assert response.status == 200
    data, _headers = bot.connector.uploads["pack.docx"]
    assert data.startswith(b"PK")
    import io

    import docx  # type: ignore[import-untyped]

    text = "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)
    assert "CEN-2526-001" in text
    calls = await bot.connector.wait_for(3)
    assert any(
        a["contentType"] == "application/vnd.microsoft.teams.card.file.info"
        for c in calls
        for a in c.body.get("attachments") or []
    )


def test_the_clock_in_these_tests_is_before_the_autumn_2_deadline(clock: FixedClock) -> None:
    assert clock.now().tzinfo == LONDON and clock.now().day == 20


async def test_opening_a_finished_draft_shows_its_review_with_submit(bot: Bot) -> None:
    flow = Flow(bot)
    referral_id = await fill_individual(flow)
    opened = await flow.card(verbs.REFERRAL_OPEN, {"referral_id": referral_id})
    assert shows(opened, "Review: Individual Pupil Need") and shows(opened, "Step 4 of 4")
    find_action(opened, verbs.SUBMIT, referral_id=referral_id)
    details = await flow.card(verbs.REFERRAL_OPEN, {"referral_id": referral_id, "step": "details"})
    assert shows(details, "Step 1 of 4"), "Edit details still opens the details"
    find_action(details, verbs.REFERRAL_SAVE)


async def test_opening_a_draft_opens_at_its_first_unfinished_step(bot: Bot) -> None:
    flow = Flow(bot)
    referral_id, _ = await flow.start("individual")
    opened = await flow.card(verbs.REFERRAL_OPEN, {"referral_id": referral_id})
    assert shows(opened, "Step 1 of 4"), "nothing entered yet: the details"
    await flow.card(verbs.REFERRAL_SAVE, {"referral_id": referral_id, **GOOD_INDIVIDUAL})
    opened = await flow.card(verbs.REFERRAL_OPEN, {"referral_id": referral_id})
    assert shows(opened, "Step 2 of 4") and shows(opened, "Add row"), "details done, no costs yet: the costs"
    assert not any(a.get("verb") == verbs.SUBMIT for a in actions_in(opened))


async def test_a_submitted_referral_still_opens_at_its_details_for_editing(bot: Bot) -> None:
    flow = Flow(bot)
    referral_id = await fill_individual(flow)
    await flow.card(verbs.SUBMIT, {"referral_id": referral_id, "version": await flow.version(referral_id)})
    opened = await flow.card(verbs.REFERRAL_OPEN, {"referral_id": referral_id})
    assert shows(opened, "Step 1 of 4")


async def test_the_costs_step_of_a_discussion_is_refused_not_an_apology(bot: Bot, central: Engine) -> None:
    flow = Flow(bot)
    referral_id, _ = await flow.start("discussion")
    refusal = await flow.refused(verbs.REFERRAL_ROWS, {"referral_id": referral_id})
    assert refusal == "This kind of referral has no cost rows."
