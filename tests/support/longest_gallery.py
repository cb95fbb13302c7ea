"""The cards that show what a person typed, with every typed field at its longest in accented and wide text.

Each field is filled to the length its form allows (``cluster.forms.Field.max_length``, or the card input's
``maxLength``), in text whose characters take two or three bytes in UTF-8, so the size check in
tests/unit/test_card_access.py measures the largest card a person can make the bot send.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from cards.budget import budget_card
from cards.capital import application_card
from cards.clusters import clusters_card
from cards.meeting_day.decision_form import decision_form_card
from cards.meetings import MEETINGS_SHOWN, meetings_admin_card
from cards.payments import payments_card
from cards.referrals import (
    LINK_FIELDS,
    details_form_card,
    document_list_card,
    documents_card,
    referral_card,
    review_card,
    rows_card,
)
from cards.reviews import review_form_card
from cluster.capital_fund import MAX_COMMENT, MAX_REASONS
from cluster.forms import Field, FieldType
from cluster.referrals import FORMS, PROVISION_FIELDS, Document, Kind, State
from cluster.review_form import REVIEW_FIELDS
from tests.support.capital_gallery import OFFICER, RECOMMENDED, TODAY
from tests.support.gallery import (
    CLOSED,
    DECISION_ERRORS,
    PAYMENTS,
    POSITION,
    RATED_VIEW,
    REVIEW,
    ROWS,
    SLOT,
    referral,
)
from usecases.referrals import MAX_DOCUMENTS, MAX_ROWS

# A link as stored: an address is ASCII (anything else is percent-encoded), at the input's 1,000 characters.
LONGEST_LINK = "https://teams.microsoft.com/l/meetup-join/" + "a1%2F" * 191 + "abc"
# A SharePoint link as the link form takes it, at its longest: ASCII (anything else is percent-encoded).
_LINK_FIELD = {f.name: f for f in LINK_FIELDS}["link_url"]
_SHAREPOINT = "https://etruscan.sharepoint.com/sites/send/"
LONGEST_DOCUMENT_LINK = _SHAREPOINT + "%C3%A9" * ((_LINK_FIELD.max_length - len(_SHAREPOINT)) // 6)
# Two-byte accented letters and three-byte CJK, with spaces so lines can wrap.
_SAMPLE = "Élève à l'école: café, naïveté, façade; 漢字かな交じり文 "


def long_text(length: int) -> str:
    """``length`` characters of accented and wide text."""
    return (_SAMPLE * (length // len(_SAMPLE) + 1))[:length]


def _longest(field: Field) -> Any:
    if field.type is FieldType.MULTICHOICE:
        return [value for value, _ in field.choices]
    if field.choices:
        return field.choices[-1][0]
    if field.type is FieldType.INTEGER:
        return field.maximum or 1
    if field.type is FieldType.MONEY:
        return 500_000_00
    if field.type in (FieldType.CONFIRM, FieldType.FLAG):
        return True
    if field.type is FieldType.DATE:
        return "2026-07-22"
    return long_text(field.max_length)


def _typed(fields: tuple[Field, ...]) -> dict[str, str]:
    typed = {}
    for f in fields:
        value = _longest(f)
        if f.type is FieldType.MONEY:
            typed[f.name] = "500000.00"
        elif isinstance(value, list):
            typed[f.name] = ",".join(value)
        else:
            typed[f.name] = "true" if value is True else str(value)
    return typed


def _long_row() -> Any:
    provision = next(f for f in PROVISION_FIELDS if f.name == "provision")
    delivered = next(f for f in PROVISION_FIELDS if f.name == "delivered_by")
    return replace(ROWS[0], provision=long_text(provision.max_length), delivered_by=long_text(delivered.max_length))


def _documents() -> tuple[Document, ...]:
    """As many documents as a referral may hold, each a link (a link takes more room than a file) at its longest."""
    name = {f.name: f for f in LINK_FIELDS}["link_name"].max_length
    return tuple(
        Document(n, f"{n} {long_text(name)}"[:name], True, LONGEST_DOCUMENT_LINK, None, None)
        for n in range(1, MAX_DOCUMENTS + 1)
    )


def _referral(kind: Kind, state: State = State.SUBMITTED) -> Any:
    details = {f.name: _longest(f) for f in FORMS[kind]}
    rows = (_long_row(),) * MAX_ROWS if kind in (Kind.INDIVIDUAL, Kind.PROJECT) else ()
    return referral(
        kind,
        state,
        details=details,
        rows=rows,
        documents=_documents(),
        reference="CEN-2526-014",
        returned_reason=long_text(1000),
    )


def longest_gallery() -> dict[str, dict[str, Any]]:
    """Every card that echoes typed text, at the longest a person can type."""
    cards: dict[str, dict[str, Any]] = {}
    for kind in Kind:
        view = _referral(kind)
        cards[f"longest_review_{kind.value}"] = review_card(view, [])
        cards[f"longest_referral_{kind.value}"] = referral_card(view, editable=True)
        errors = {f.name: f"{f.label} is too long: at most {f.max_length} characters." for f in FORMS[kind]}
        cards[f"longest_details_{kind.value}"] = details_form_card(view, _typed(FORMS[kind]), errors)
        link_errors = {f.name: f"{f.label} is too long: at most {f.max_length} characters." for f in LINK_FIELDS}
        cards[f"longest_documents_{kind.value}"] = documents_card(view, _typed(LINK_FIELDS), link_errors)
        cards[f"longest_document_list_{kind.value}"] = document_list_card(view, 1)
    cards["longest_rows"] = rows_card(
        _referral(Kind.INDIVIDUAL),
        _typed(PROVISION_FIELDS),
        {f.name: f"{f.label} is too long." for f in PROVISION_FIELDS},
        None,
        tuple(range(101, 101 + MAX_ROWS)),
        "500000.00",
    )
    review_typed = {**_typed(REVIEW_FIELDS), "recommendation": "adjust"}
    cards["longest_review_form"] = review_form_card(
        RATED_VIEW, review_typed, {f.name: f"{f.label} is too long." for f in REVIEW_FIELDS}
    )
    cards["longest_decision_form"] = decision_form_card(
        CLOSED,
        500_000_00,
        {
            "outcome": "approved_reduced",
            "amount": "500000.00",
            "conditions": long_text(2000),
            "feedback": long_text(2000),
            "information_needed": long_text(2000),
        },
        DECISION_ERRORS,
        REVIEW,
        POSITION,
    )
    cards["longest_meetings_admin"] = meetings_admin_card(
        "Central",
        [replace(SLOT, id=n, title=long_text(80), online_link=LONGEST_LINK) for n in range(MEETINGS_SHOWN + 8)],
        {"new_title": long_text(80), "new_link": long_text(1000)},
        {"new_day": "Choose the meeting's date."},
    )
    cards["longest_clusters"] = clusters_card(
        (),
        {"settings": "line 200: " + long_text(200)},
        {"name": long_text(80), "code": "ÉÉÉÉÉÉÉÉ", "settings": long_text(12_000), "meetings": long_text(4000)},
    )
    cards["longest_payments"] = payments_card(
        PAYMENTS,
        values={f"reference_{i.id}": long_text(64) for i in PAYMENTS.due},
        errors={f"reference_{i.id}": "Give the finance system's payment reference." for i in PAYMENTS.due},
    )
    cards["longest_budget"] = budget_card(
        "Central",
        None,
        None,
        None,
        None,
        None,
        can_set=True,
        values={"baseline": long_text(40), "label": long_text(40)},
        errors={"baseline": "High-needs baseline: enter an amount in pounds and pence, such as 1250.00."},
    )
    cards["longest_capital_board"] = application_card(
        RECOMMENDED,
        OFFICER,
        TODAY,
        values={"board": "decline", "reasons": long_text(MAX_REASONS), "comment": long_text(MAX_COMMENT)},
        errors={"board_form": "Give the Board's reasons."},
    )
    return cards
