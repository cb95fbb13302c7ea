"""Referral intake cards: what the SENCO and the admins see, and what each button sends."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cards import verbs
from cards.referrals import (
    PRIVACY_NOTE,
    ROUNDING_RULE,
    details_form_card,
    input_for,
    kind_picker_card,
    my_referrals_card,
    review_card,
    rows_card,
    submitted_card,
)
from cluster.forms import Field, FieldType
from cluster.provision import ProvisionRow
from cluster.referrals import CONTRIBUTION_FIELD, PROVISION_FIELDS, Kind, State
from tests.support.card_schema import actions_in, schema_errors
from tests.support.gallery import (
    DETAIL_ERRORS,
    EHCP,
    INDIVIDUAL,
    PROJECT,
    ROW_ERRORS,
    ROW_TYPED,
    SUBMITTED,
    TYPED,
    gallery,
    referral,
    referral_gallery,
)

CARDS = gallery()
REFERRAL_CARDS = referral_gallery()


def elements(node: Any) -> list[dict[str, Any]]:
    """Every element of a card in reading order (containers, columns and show-cards included)."""
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        if "type" in node:
            found.append(node)
        for key in ("body", "items", "columns", "actions", "card"):
            if key in node:
                found += elements(node[key])
    elif isinstance(node, list):
        for item in node:
            found += elements(item)
    return found


def inputs(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["id"]: e for e in elements(card) if e["type"].startswith("Input.")}


def buttons(card: dict[str, Any], verb: str) -> list[dict[str, Any]]:
    return [a for a in actions_in(card) if a["type"] == "Action.Execute" and a["verb"] == verb]


def texts(card: dict[str, Any]) -> str:
    return json.dumps(card, ensure_ascii=False)


def siblings_after(card: dict[str, Any], input_id: str) -> dict[str, Any]:
    """The element right after an input, in the same container."""
    for e in elements(card):
        for key in ("body", "items"):
            items = e.get(key, [])
            for i, item in enumerate(items):
                if item.get("id") == input_id:
                    return dict(items[i + 1])
    raise AssertionError(f"no input {input_id}")


def test_an_error_is_shown_right_after_its_field() -> None:
    card = details_form_card(INDIVIDUAL, TYPED, DETAIL_ERRORS)
    for name, message in DETAIL_ERRORS.items():
        after = siblings_after(card, name)
        assert after == {**after, "type": "TextBlock", "text": message, "color": "Attention", "wrap": True}
    assert "Please fix 3 things below." in texts(card)


def test_a_field_without_an_error_is_followed_by_the_next_field() -> None:
    card = details_form_card(INDIVIDUAL, TYPED, DETAIL_ERRORS)
    assert siblings_after(card, "year_group")["id"] == "pupil_ref"


def test_typed_values_are_kept_when_errors_are_shown() -> None:
    details = inputs(details_form_card(INDIVIDUAL, TYPED, DETAIL_ERRORS))
    assert details["pupil_initials"]["value"] == "John Smith"
    assert details["summary"]["value"] == "Limited expressive language."
    assert details["year_group"]["value"] == "Y4"
    assert details["parental_consent"]["value"] == "false"
    assert "value" not in details["outcomes"]
    rows = inputs(rows_card(PROJECT, ROW_TYPED, ROW_ERRORS, None, (103,), "900"))
    assert rows["hourly_rate"]["value"] == "14,50p"
    assert rows["provision"]["value"] == "Lego therapy"
    assert rows["contribution"]["value"] == "900"


def test_a_form_shown_without_typed_values_shows_what_is_stored() -> None:
    details = inputs(details_form_card(INDIVIDUAL, {}, {}))
    assert details["pupil_initials"]["value"] == "JS"
    assert details["apdr_cycles"]["value"] == 2
    assert details["parental_consent"]["value"] == "true"
    partners = inputs(details_form_card(PROJECT, {}, {}))["partners"]
    assert partners["value"] == "3,9"
    assert partners["isMultiSelect"] is True


def test_the_rows_card_shows_each_rows_cost_and_the_running_total_to_the_penny() -> None:
    rows = (
        ProvisionRow("Speech and language group", "CI", "Teaching assistant", 30, 3, 2, 38, 15_00),
        ProvisionRow("Precision teaching", "CL", "Teaching assistant", 20, 5, 3, 38, 12_37),
    )
    view = referral(rows=rows, contribution_pence=50_00)
    shown = texts(rows_card(view, {}, {}, None, (1, 2)))
    assert "30 min × 3/week × 38 weeks, group of 2 at £15.00/h" in shown
    assert "£427.50" in shown
    assert "£261.14" in shown  # 20/60 × 5 × 38 × £12.37 ÷ 3 = £261.1444…
    assert '"title": "Total of rows", "value": "£688.64"' in shown
    assert '"title": "Amount requested", "value": "£638.64"' in shown
    assert ROUNDING_RULE in shown


def test_each_row_has_one_button_that_opens_it_and_names_it() -> None:
    card = rows_card(INDIVIDUAL, {}, {}, None, (101, 102))
    edits = buttons(card, verbs.ROW_EDIT)
    assert [b["data"] for b in edits] == [
        {"verb": verbs.ROW_EDIT, "referral_id": 14, "row_id": 101},
        {"verb": verbs.ROW_EDIT, "referral_id": 14, "row_id": 102},
    ]
    assert [b["title"] for b in edits] == [
        "Change or remove row 1: Speech and language group",
        "Change or remove row 2: Play therapy",
    ]
    assert not buttons(card, verbs.ROW_REMOVE), "a row is removed from its own form, not from the list"
    assert buttons(card, verbs.ROW_ADD) and not buttons(card, verbs.ROW_SAVE)


def test_a_row_opened_from_the_list_can_be_saved_or_removed() -> None:
    card = rows_card(INDIVIDUAL, {}, {}, 102, (101, 102))
    assert [(b["title"], b["data"]["row_id"]) for b in buttons(card, verbs.ROW_SAVE)] == [("Save row 2", 102)]
    assert [(b["title"], b["data"]["row_id"]) for b in buttons(card, verbs.ROW_REMOVE)] == [("Remove row 2", 102)]
    assert "Change row 2: Play therapy" in texts(card)


def test_editing_a_row_fills_the_form_with_it_and_offers_save_row() -> None:
    card = rows_card(INDIVIDUAL, {}, {}, 102, (101, 102))
    form = inputs(card)
    assert form["provision"]["value"] == "Play therapy"
    assert form["hourly_rate"]["value"] == "42.50"
    assert [b["data"]["row_id"] for b in buttons(card, verbs.ROW_SAVE)] == [102]
    assert not buttons(card, verbs.ROW_ADD)


def test_the_row_form_does_not_block_saving_the_contribution_on_the_same_card() -> None:
    form = inputs(rows_card(INDIVIDUAL, {}, {}, None, (101, 102)))
    assert not any(form[f.name].get("isRequired") for f in PROVISION_FIELDS)


def test_the_submit_button_is_absent_while_something_is_missing() -> None:
    problems = ["Timeline is required.", "Add at least one row of costs."]
    incomplete = review_card(PROJECT, problems)
    assert not buttons(incomplete, verbs.SUBMIT)
    for problem in problems:
        assert problem in texts(incomplete)
    ready = review_card(INDIVIDUAL, [])
    assert [b["data"] for b in buttons(ready, verbs.SUBMIT)] == [
        {"verb": verbs.SUBMIT, "referral_id": 14, "version": 3}
    ]


def test_a_returned_referral_shows_the_reason_on_its_review() -> None:
    card = REFERRAL_CARDS["referral_review_returned"]
    assert "no row for the speech therapist's time" in texts(card)
    assert buttons(card, verbs.SUBMIT)


def test_withdrawing_from_the_review_asks_for_confirmation_first() -> None:
    card = review_card(INDIVIDUAL, [])
    show = [a for a in card["actions"] if a["type"] == "Action.ShowCard"]
    assert [a["title"] for a in show] == ["Withdraw"]
    assert buttons(show[0]["card"], verbs.WITHDRAW)
    assert not [a for a in card["actions"] if a.get("verb") == verbs.WITHDRAW]


def test_the_submitted_card_shows_the_reference_meeting_date_and_deadline() -> None:
    shown = texts(submitted_card(SUBMITTED))
    assert '"text": "CEN-2526-014"' in shown
    assert "Thursday 11 December 2025" in shown
    assert "Thursday 4 December 2025, 23:59" in shown
    assert "£710.00" in shown
    assert "You can edit it until the deadline" in shown


def test_money_inputs_are_text_inputs_prefilled_in_pounds() -> None:
    amount = inputs(details_form_card(EHCP, {}, {}))["amount"]
    assert (amount["type"], amount["value"]) == ("Input.Text", "4850.00")
    rows = inputs(rows_card(INDIVIDUAL, {}, {}, 102, (101, 102)))
    assert (rows["hourly_rate"]["type"], rows["hourly_rate"]["value"]) == ("Input.Text", "42.50")
    assert (rows["contribution"]["type"], rows["contribution"]["value"]) == ("Input.Text", "100.00")
    for name, card in REFERRAL_CARDS.items():
        for input_id, element in inputs(card).items():
            if input_id in ("amount", "hourly_rate", CONTRIBUTION_FIELD.name):
                assert element["type"] == "Input.Text", name


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        (Field("a", "A"), "x", {"type": "Input.Text", "maxLength": 200, "value": "x"}),
        (Field("a", "A", FieldType.MULTILINE, max_length=9), None, {"isMultiline": True, "maxLength": 9}),
        (Field("a", "A", FieldType.INTEGER, minimum=1, maximum=3), "2", {"type": "Input.Number", "min": 1, "value": 2}),
        (Field("a", "A", FieldType.MONEY), "12.50", {"type": "Input.Text", "value": "12.50"}),
        (Field("a", "A", FieldType.CHOICE, choices=(("x", "X"),)), "x", {"style": "compact", "value": "x"}),
        (Field("a", "A", FieldType.MULTICHOICE, choices=(("x", "X"), ("y", "Y"))), "x,y", {"isMultiSelect": True}),
        (Field("a", "A", FieldType.CONFIRM), "true", {"type": "Input.Toggle", "valueOn": "true", "value": "true"}),
        (Field("a", "A", FieldType.FLAG, required=False), None, {"valueOff": "false", "value": "false"}),
        (Field("a", "A", FieldType.DATE), "2026-01-05", {"type": "Input.Date", "value": "2026-01-05"}),
    ],
)
def test_each_field_type_has_its_input(field: Field, value: str | None, expected: dict[str, Any]) -> None:
    element = input_for(field, value, None)[0]
    assert element == {**element, **expected}
    assert (element["id"], element["label"]) == ("a", "A")
    assert element.get("isRequired", False) is field.required
    assert schema_errors({"type": "AdaptiveCard", "version": "1.5", "body": [element]}) == []


def test_a_number_out_of_range_is_explained_by_the_client_too() -> None:
    duration = inputs(details_form_card(INDIVIDUAL, {}, {}))["duration_terms"]
    assert (duration["min"], duration["max"]) == (1, 3)
    assert duration["errorMessage"] == "Duration must be 1 to 3 terms: every allocation is reviewed within a year."
    assert inputs(details_form_card(INDIVIDUAL, {}, {}))["apdr_cycles"]["errorMessage"] == (
        "Assess-plan-do-review cycles completed: enter a whole number from 0 to 30."
    )


def test_a_number_typed_wrongly_is_not_put_into_a_number_input() -> None:
    element = input_for(Field("weeks", "Weeks", FieldType.INTEGER), "lots", "Weeks must be a whole number.")
    assert "value" not in element[0]
    assert element[1]["text"] == "Weeks must be a whole number."


def test_the_pupils_school_reference_appears_only_on_cards_for_personal_chat() -> None:
    pupil_ref = str(INDIVIDUAL.details["pupil_ref"])
    showing = {name for name, card in CARDS.items() if pupil_ref in texts(card)}
    assert showing, "the SENCO should see the pupil reference on their own referral"
    assert all(name.startswith("referral_") for name in showing)  # cards/referrals.py: personal chat only
    assert {"referral_review_ready", "referral_full", "referral_details_individual"} <= showing
    for lean in ("referral_mine", "referral_to_check", "referral_admin_notice", "referral_returned_notice"):
        assert lean not in showing, f"{lean} shows more than it needs"


def test_only_pupil_kinds_carry_the_privacy_note() -> None:
    for kind in Kind:
        card = details_form_card(referral(kind), {}, {})
        assert (PRIVACY_NOTE in texts(card)) is (kind in (Kind.INDIVIDUAL, Kind.EHCP))


def test_the_privacy_note_is_dark_text_on_a_warning_panel_not_yellow_text() -> None:
    card = details_form_card(referral(Kind.INDIVIDUAL), {}, {})
    [panel] = [e for e in elements(card) if e.get("type") == "Container" and PRIVACY_NOTE in texts(e)]
    assert panel["style"] == "warning"
    assert all("color" not in block for block in panel["items"]), "the theme's default text colour is readable"
    assert panel["items"][0]["weight"] == "Bolder"


def test_the_hourly_rate_asks_for_pounds_per_hour() -> None:
    card = rows_card(referral(Kind.INDIVIDUAL), {}, {}, None, [1, 2])
    placeholder = inputs(card)["hourly_rate"]["placeholder"]
    assert "per hour" in placeholder and "1250" not in placeholder


def test_the_step_indicator_counts_the_rows_step_only_for_costed_kinds() -> None:
    assert "Step 1 of 4" in texts(details_form_card(referral(Kind.PROJECT), {}, {}))
    assert "Step 1 of 3" in texts(details_form_card(referral(Kind.CAPITAL), {}, {}))


def test_the_kind_picker_carries_a_single_setting_and_asks_when_there_are_several() -> None:
    one = kind_picker_card([(4, "Etruscan Primary School")], "k1")
    starts = buttons(one, verbs.REFERRAL_START)
    assert [b["data"]["kind"] for b in starts] == [k.value for k in Kind]
    assert all(b["data"]["setting_id"] == 4 and b["data"]["once"] == "k1" for b in starts)
    two = kind_picker_card([(4, "Etruscan"), (9, "Waterside")], "k2")
    assert inputs(two)["setting_id"]["choices"] == [
        {"title": "Etruscan", "value": "4"},
        {"title": "Waterside", "value": "9"},
    ]
    assert all("setting_id" not in b["data"] for b in buttons(two, verbs.REFERRAL_START))


def test_buttons_that_only_move_between_steps_send_no_inputs_so_a_half_filled_form_never_blocks_them() -> None:
    card = details_form_card(INDIVIDUAL, {}, {})
    assert buttons(card, verbs.MY_REFERRALS)[0]["associatedInputs"] == "None"
    assert "associatedInputs" not in buttons(card, verbs.REFERRAL_SAVE)[0]


REQUIRED_DATA = {
    verbs.REFERRAL_OPEN: {"referral_id"},
    verbs.REFERRAL_SAVE: {"referral_id", "version"},
    verbs.REFERRAL_ROWS: {"referral_id"},
    verbs.ROW_ADD: {"referral_id"},
    verbs.ROW_EDIT: {"referral_id", "row_id"},
    verbs.ROW_SAVE: {"referral_id", "row_id"},
    verbs.ROW_REMOVE: {"referral_id", "row_id"},
    verbs.CONTRIBUTION_SAVE: {"referral_id"},
    verbs.DOCUMENTS: {"referral_id"},
    verbs.LINK_ADD: {"referral_id"},
    verbs.DOCUMENT_REMOVE: {"referral_id", "document_id"},
    verbs.REVIEW: {"referral_id"},
    verbs.SUBMIT: {"referral_id", "version"},
    verbs.WITHDRAW: {"referral_id"},
    verbs.ACCEPT: {"referral_id"},
    verbs.RETURN: {"referral_id"},
    verbs.EXPORT: {"referral_id"},
    verbs.REFERRAL_START: {"kind", "once"},
}


@pytest.mark.parametrize("name", sorted(REFERRAL_CARDS))
def test_every_referral_button_carries_the_data_its_verb_needs(name: str) -> None:
    card = REFERRAL_CARDS[name]
    typed = set(inputs(card))  # Teams merges inputs into the data
    for action in actions_in(card):
        if action["type"] == "Action.Execute":
            missing = REQUIRED_DATA.get(action["verb"], set()) - set(action["data"]) - typed
            assert not missing, f"{action['title']} ({action['verb']}) lacks {missing}"
            assert action["fallback"]["data"] == action["data"]


def test_my_referrals_for_30_referrals_stays_under_28_kb() -> None:
    views = [
        referral(
            list(Kind)[i % 5],
            list(State)[i % 4],
            id=100 + i,
            reference=f"CEN-2526-{i:03d}" if i % 4 else None,
            setting=("St Peter's Church of England Academy", "Etruscan Primary School")[i % 2],
        )
        for i in range(30)
    ]
    card = my_referrals_card(views)
    assert len(buttons(card, verbs.REFERRAL_OPEN)) == 30
    assert len(json.dumps(card).encode()) < 28 * 1024
    assert schema_errors(card) == []


def test_my_referrals_withdraws_only_what_may_be_withdrawn_after_asking_which() -> None:
    card = REFERRAL_CARDS["referral_mine"]
    picker = next(a for a in card["actions"] if a["type"] == "Action.ShowCard")["card"]
    choices = inputs(picker)["referral_id"]["choices"]
    assert "CEN-2526-019" not in json.dumps(choices)  # withdrawn already
    assert any(c["title"].startswith("Draft · Individual Pupil Need · JS Year 4") for c in choices)
    assert buttons(picker, verbs.WITHDRAW)


def test_an_empty_list_says_so() -> None:
    assert "no referrals yet" in texts(my_referrals_card([]))
    assert "Nothing to check" in texts(REFERRAL_CARDS["referral_to_check_empty"])


def test_the_admins_list_has_a_reason_box_per_referral_and_shows_what_is_missing() -> None:
    card = REFERRAL_CARDS["referral_to_check"]
    assert {"reason_14", "reason_16", "reason_20"} <= set(inputs(card))
    assert "Add at least one row of costs." in texts(card)
    assert all(b["associatedInputs"] == "None" for b in buttons(card, verbs.ACCEPT))
