"""The Board's decision: its form on an application's card, and the notice the setting is sent."""

from __future__ import annotations

from collections.abc import Mapping

from cards import verbs
from cards.capital.common import (
    Element,
    action_set,
    application_data,
    errors_at,
    form_inputs,
    on_day,
    open_button,
    section,
)
from cards.common import Card, button, card, heading, text
from cluster.capital_fund import MAX_GRANT_PENCE, ApplicationView, Stage, Viewer
from cluster.commands.capital import RecordBoardDecision
from cluster.forms import Field, FieldType
from cluster.provision import format_pence

BOARD_FIELDS: tuple[Field, ...] = (
    Field(
        "board",
        "The Board's decision",
        FieldType.CHOICE,
        required=False,
        choices=(("approve", "Approved"), ("decline", "Declined")),
    ),
    Field(
        "amount", "Amount approved (£)", FieldType.MONEY, required=False, hint="Up to what was asked, at most £15,000"
    ),
    Field("conditions", "Conditions", FieldType.MULTILINE, required=False, max_length=2000),
    Field("reasons", "Reasons (needed when declining)", FieldType.MULTILINE, required=False, max_length=2000),
)


def board_section(
    view: ApplicationView, viewer: Viewer, values: Mapping[str, str], errors: Mapping[str, str]
) -> list[Element]:
    """The Board's part of an application's card: its decision, or the officer's form while it waits."""
    board = view.progress.board
    if board is None and not (viewer.officer and view.stage is Stage.WITH_BOARD):
        return []
    body: list[Element] = [section("The Place, Planning and Sufficiency Board")]
    if board is not None:
        if board.approved:
            body.append(
                text(f"Approved: {format_pence(board.amount_pence)} on {on_day(view.board_on)}.", weight="Bolder")
            )
            if board.conditions:
                body.append(text(f"Conditions: {board.conditions}"))
        else:
            body.append(text(f"Declined on {on_day(view.board_on)}.", color="Attention"))
        if board.reasons:
            body.append(text(board.reasons))
        return body
    typed = dict(values) or {"board": "approve", "amount": f"{min(view.asked_pence, MAX_GRANT_PENCE) / 100:.2f}"}
    body += errors_at(errors, "board_form")
    body += form_inputs(BOARD_FIELDS, typed, errors)
    body.append(
        action_set(
            button(
                "Record the Board's decision",
                verbs.CAPITAL_BOARD,
                application_data(RecordBoardDecision, view),
                inputs=True,
            )
        )
    )
    return body


def board_notice_card(view: ApplicationView) -> Card:
    """To the setting: the Board's decision on its application, and what happens next."""
    board = view.progress.board
    assert board is not None
    body: list[Element] = [heading(f"The Board's decision on {view.reference}")]
    if board.approved:
        body.append(text(f"Approved: {format_pence(board.amount_pence)}.", weight="Bolder"))
        if board.conditions:
            body.append(text(f"Conditions: {board.conditions}"))
        body.append(
            text(
                "Mark the project started when work begins, and completed when it is done; send the paid "
                "invoices here. The money is released after a quality-assurance visit."
            )
        )
    else:
        body.append(text("Declined by the Board.", weight="Bolder"))
    if board.reasons:
        body.append(text(board.reasons))
    return card(body, [open_button(view)])
