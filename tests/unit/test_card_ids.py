"""Reading a row id back from a card's data."""

from __future__ import annotations

import pytest

from cluster.card_ids import (
    ITEM_GONE,
    MAX_CARD_ID,
    MEETING_GONE,
    card_id,
    check_card_ids,
    item_id_of,
    meeting_id_of,
    parse_card_id,
)
from cluster.errors import OUT_OF_DATE, Refusal


@pytest.mark.parametrize(("sent", "meant"), [(1, 1), ("1", 1), ("042", 42), (MAX_CARD_ID, MAX_CARD_ID)])
def test_an_id_our_cards_send_is_read_as_sent_whether_number_or_digits(sent: object, meant: int) -> None:
    assert parse_card_id(sent) == meant


@pytest.mark.parametrize(
    "sent",
    [0, -1, MAX_CARD_ID + 1, 2**63, True, 1.0, 1.5, "", " 1", "1 ", "+1", "1_0", "1e3", "\u0661", "\u00b2", "9" * 5000,
     [1], {"id": 1}, None],
)  # fmt: skip
def test_anything_else_names_no_row(sent: object) -> None:
    assert parse_card_id(sent) is None


def test_an_id_that_names_no_row_is_refused_as_an_out_of_date_card() -> None:
    with pytest.raises(Refusal) as refused:
        card_id(2**63)
    assert refused.value.message == OUT_OF_DATE


def test_a_click_is_refused_for_any_bad_id_but_a_missing_one_is_left_to_its_handler() -> None:
    check_card_ids({"referral_id": "12", "setting_id": "", "item_id": None, "verb": "x", "kind": [1]})
    with pytest.raises(Refusal):
        check_card_ids({"referral_id": "12", "row_id": -1})


def test_a_meeting_day_card_names_its_item_and_meeting_once_read_as_numbers() -> None:
    assert item_id_of({"item_id": "34"}) == 34
    assert meeting_id_of({"meeting_id": 12}) == 12


@pytest.mark.parametrize("sent", [{}, {"item_id": None}, {"item_id": ""}])
def test_a_card_that_names_no_item_is_told_the_item_no_longer_exists(sent: dict[str, object]) -> None:
    with pytest.raises(Refusal) as refused:
        item_id_of(sent)
    assert refused.value.message == ITEM_GONE


def test_a_card_that_names_no_meeting_is_told_the_meeting_no_longer_exists() -> None:
    with pytest.raises(Refusal) as refused:
        meeting_id_of({})
    assert refused.value.message == MEETING_GONE


def test_a_meeting_id_that_is_not_an_id_is_an_out_of_date_card() -> None:
    with pytest.raises(Refusal) as refused:
        meeting_id_of({"meeting_id": "12; DROP TABLE meeting"})
    assert refused.value.message == OUT_OF_DATE
