"""Reading a row id back from a card's data."""

from __future__ import annotations

import pytest

from cluster.card_ids import MAX_CARD_ID, card_id, check_card_ids, parse_card_id
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
