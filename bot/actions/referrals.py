"""Referral intake in personal chat: each action calls one use case and picks the next card.

A step's form that comes back with mistakes is drawn again by the handler that shows that step (its
``form=``): the details by :func:`open_referral`, the costs by :func:`show_rows`, the documents by
:func:`show_documents`, each reading what was typed and the mistakes from the turn.
"""

from __future__ import annotations

import secrets

from bot.actions.provision_map import row_source
from bot.actions.registry import ACTIONS
from bot.actions.turn import Reply, Turn
from cards import referrals as rc
from cards import verbs
from cards.common import plain
from cards.files import file_offer
from cluster import permissions as p
from cluster.card_ids import parse_card_id
from cluster.commands.inputs import Nothing
from cluster.commands.referrals import (
    AddLink,
    ExportReferral,
    OneReferral,
    OpenReferral,
    RemoveDocument,
    RemoveRow,
    ReturnReferral,
    SaveDetails,
    SaveRow,
    SetContribution,
    ShowDocuments,
    ShowRows,
    StartReferral,
    SubmitReferral,
    WithdrawReferral,
)
from cluster.errors import Refusal
from cluster.forms import as_typed
from cluster.referrals import CONTRIBUTION_FIELD, COSTED, NO_COST_ROWS, NO_ROWS, ReferralView, State, form_fields
from reports.referral_pack import pack_filename
from usecases import referral_checks as checks
from usecases import referrals as uc
from usecases.lists import Page

SAY_WHICH = "Say which referral: for example “export CEN-2526-014”."


def _details(turn: Turn, view: ReferralView) -> Reply:
    """The details step: what was typed when it comes back with mistakes, else what is stored."""
    values = turn.values or rc.input_values(form_fields(view.kind, view.partner_choices), view.details)
    return Reply(card=rc.details_form_card(view, values, turn.errors))


def _rows(
    turn: Turn, view: ReferralView, row_values: dict[str, str] | None = None, editing: int | None = None
) -> Reply:
    stored = as_typed((CONTRIBUTION_FIELD,), {"contribution": view.contribution_pence})["contribution"]
    source = row_source(turn, view, row_values or {})
    return Reply(card=rc.rows_card(view, row_values or {}, {}, editing, view.row_ids, stored, source))


def _to_check(waiting: Page[ReferralView], notice: str | None = None) -> Reply:
    return Reply(card=rc.to_check_card(waiting.items, waiting.more, notice))


# --- starting ---


@ACTIONS.personal("new referral", p.START_REFERRAL)
@ACTIONS.verb(verbs.REFERRAL_NEW, p.START_REFERRAL)
def new_referral(turn: Turn, _: Nothing) -> Reply:
    """Pick the setting and the kind; the card carries a one-off key so a repeated click makes one draft."""
    return Reply(card=rc.kind_picker_card(uc.picker(turn.actor), secrets.token_hex(12)))


@ACTIONS.verb(verbs.REFERRAL_START, p.START_REFERRAL, StartReferral)
def start_referral(turn: Turn, command: StartReferral) -> Reply:
    """Create the draft and show its form."""
    view = uc.start(turn.engine, turn.actor, command, turn.now())
    return _details(turn, view)


@ACTIONS.verb(verbs.REFERRAL_OPEN, p.READ_REFERRAL, OpenReferral)
def open_referral(turn: Turn, command: OpenReferral) -> Reply:
    """The referral where its editor left off, if the person may still change it, else its read-only card.

    A draft with nothing missing opens at its review (with Submit); a draft whose details are done but
    that has no cost rows opens at its costs; otherwise, when a button asks for the details
    (``step: details``), or when the details come back with mistakes, at the details form.
    ``step: documents`` (with a ``page``) shows its documents: the documents step to its editor, a list to
    open to anyone else who may read it.
    """
    opened = uc.open_referral(turn.engine, turn.actor, command, turn.now())
    view = opened.view
    if command.step == "documents":
        page = command.page or 1
        return Reply(card=rc.documents_card(view, {}, {}, page) if opened.edit else rc.document_list_card(view, page))
    if not opened.edit:
        return Reply(card=rc.referral_card(view, opened.editable))
    if command.step != "details" and not turn.errors and view.state is State.DRAFT:
        missing = view.missing
        if not missing:
            return Reply(card=rc.review_card(view, missing))
        if missing == [NO_ROWS]:
            return _rows(turn, view)
    return _details(turn, view)


@ACTIONS.verb(verbs.REFERRAL_SAVE, p.EDIT_REFERRAL, SaveDetails, form=open_referral)
def save_details(turn: Turn, command: SaveDetails) -> Reply:
    """Save the details step and move on: to the costs of a costed kind, else to the documents."""
    view = uc.save_details(turn.engine, turn.actor, command, turn.now())
    if view.kind in COSTED:
        return _rows(turn, view)
    return Reply(card=rc.documents_card(view, {}, {}))


# --- provision map ---


@ACTIONS.verb(verbs.ROW_EDIT, p.EDIT_REFERRAL, ShowRows)
@ACTIONS.verb(verbs.REFERRAL_ROWS, p.EDIT_REFERRAL, ShowRows)
def show_rows(turn: Turn, command: ShowRows) -> Reply:
    """The costed provision map step, with the row the card names (if any) in the form.

    A forged click on a kind without costs is refused, not drawn. A row or a contribution with mistakes
    comes back here as typed, each mistake beside its field.
    """
    view = uc.open_for_edit(turn.engine, turn.actor, command, turn.now())
    if view.kind not in COSTED:
        raise Refusal(NO_COST_ROWS)
    editing = command.row_id if command.row_id in view.row_ids else None
    if not turn.mistakes:
        if editing is None:
            return _rows(turn, view)
        return _rows(turn, view, rc.row_input_values(view.rows[view.row_ids.index(editing)]), editing)
    typed = turn.values
    contribution = typed.pop(CONTRIBUTION_FIELD.name, None)
    if contribution is None:
        contribution = as_typed((CONTRIBUTION_FIELD,), {"contribution": view.contribution_pence})["contribution"]
    source = row_source(turn, view, typed)
    return Reply(card=rc.rows_card(view, typed, turn.errors, editing, view.row_ids, contribution, source))


@ACTIONS.verb(verbs.ROW_ADD, p.EDIT_REFERRAL, SaveRow, form=show_rows)
def add_row(turn: Turn, command: SaveRow) -> Reply:
    """Add a row; mistakes come back in the row form."""
    return _rows(turn, uc.add_row(turn.engine, turn.actor, command, turn.now()))


@ACTIONS.verb(verbs.ROW_SAVE, p.EDIT_REFERRAL, SaveRow, form=show_rows)
def save_row(turn: Turn, command: SaveRow) -> Reply:
    """Save an edited row."""
    return _rows(turn, uc.edit_row(turn.engine, turn.actor, command, turn.now()))


@ACTIONS.verb(verbs.ROW_REMOVE, p.EDIT_REFERRAL, RemoveRow)
def remove_row(turn: Turn, command: RemoveRow) -> Reply:
    """Remove a row."""
    return _rows(turn, uc.remove_row(turn.engine, turn.actor, command, turn.now()))


@ACTIONS.verb(verbs.CONTRIBUTION_SAVE, p.EDIT_REFERRAL, SetContribution, form=show_rows)
def save_contribution(turn: Turn, command: SetContribution) -> Reply:
    """Save the school's own contribution."""
    return _rows(turn, uc.set_contribution(turn.engine, turn.actor, command, turn.now()))


# --- documents ---


@ACTIONS.verb(verbs.DOCUMENTS, p.EDIT_REFERRAL, ShowDocuments)
def show_documents(turn: Turn, command: ShowDocuments) -> Reply:
    """The supporting documents step, at the page the button asks for (a link with mistakes comes back here)."""
    view = uc.open_for_edit(turn.engine, turn.actor, command, turn.now())
    return Reply(card=rc.documents_card(view, turn.values, turn.errors, command.page or 1))


@ACTIONS.verb(verbs.LINK_ADD, p.EDIT_REFERRAL, AddLink, form=show_documents)
def add_link(turn: Turn, command: AddLink) -> Reply:
    """Add a SharePoint or OneDrive link, and show the last page, where it is now."""
    view = uc.add_link(turn.engine, turn.actor, command, turn.now())
    return Reply(card=rc.documents_card(view, {}, {}, rc.document_pages(view)))


@ACTIONS.verb(verbs.DOCUMENT_REMOVE, p.EDIT_REFERRAL, RemoveDocument)
def remove_document(turn: Turn, command: RemoveDocument) -> Reply:
    """Remove a document, staying on the page it was on."""
    view = uc.remove_document(turn.engine, turn.actor, command, turn.now())
    return Reply(card=rc.documents_card(view, {}, {}, command.page or 1))


# --- review, submit, withdraw ---


@ACTIONS.verb(verbs.REVIEW, p.EDIT_REFERRAL, OneReferral)
def review(turn: Turn, command: OneReferral) -> Reply:
    """Everything on one card, with Submit once nothing is missing."""
    view = uc.open_for_edit(turn.engine, turn.actor, command, turn.now())
    return Reply(card=rc.review_card(view, view.missing))


@ACTIONS.verb(verbs.SUBMIT, p.EDIT_REFERRAL, SubmitReferral)
def submit(turn: Turn, command: SubmitReferral) -> Reply:
    """Submit to the next meeting; the admins hear about it in their personal chats."""
    outcome = uc.submit(turn.engine, turn.actor, command, turn.now())
    turn.deliver_soon()
    return Reply(card=rc.submitted_card(outcome.view))


@ACTIONS.verb(verbs.WITHDRAW, p.EDIT_REFERRAL, WithdrawReferral)
def withdraw(turn: Turn, command: WithdrawReferral) -> Reply:
    """Withdraw the referral; the admins hear of it if it was submitted."""
    outcome = uc.withdraw(turn.engine, turn.actor, command, turn.now())
    turn.deliver_soon()
    return Reply(card=rc.withdrawn_card(outcome.view))


@ACTIONS.personal("my referrals", p.MY_REFERRALS)
@ACTIONS.verb(verbs.MY_REFERRALS, p.MY_REFERRALS)
def my_referrals(turn: Turn, _: Nothing) -> Reply:
    """Drafts and submitted referrals of the person's settings, with their state."""
    page = uc.mine(turn.engine, turn.actor, turn.now())
    return Reply(card=rc.my_referrals_card(page.items, page.more))


# --- the admin's completeness check ---


@ACTIONS.personal("referrals to check", p.CHECK_REFERRALS)
@ACTIONS.verb(verbs.TO_CHECK, p.CHECK_REFERRALS)
def to_check(turn: Turn, _: Nothing) -> Reply:
    """Submitted referrals waiting for the admin."""
    return _to_check(checks.to_check(turn.engine, turn.actor, turn.now()))


@ACTIONS.verb(verbs.ACCEPT, p.CHECK_REFERRALS, OneReferral)
def accept(turn: Turn, command: OneReferral) -> Reply:
    """Accept onto the agenda; the referrer is told, and the admin sees what is still to check."""
    checked = checks.accept(turn.engine, turn.actor, command, turn.now())
    turn.deliver_soon()
    return _to_check(checked.waiting, rc.checked_line(checked.view, checked.done))


@ACTIONS.verb(verbs.RETURN, p.CHECK_REFERRALS, ReturnReferral)
def return_referral(turn: Turn, command: ReturnReferral) -> Reply:
    """Return as incomplete with a reason; the referrer is told and can fix and resubmit."""
    checked = checks.return_to_referrer(turn.engine, turn.actor, command, turn.now())
    turn.deliver_soon()
    return _to_check(checked.waiting, rc.checked_line(checked.view, checked.done))


# --- the referral pack ---


@ACTIONS.personal("export", p.READ_REFERRAL, ExportReferral, argument="reference")
@ACTIONS.verb(verbs.EXPORT, p.READ_REFERRAL, ExportReferral)
def export(turn: Turn, command: ExportReferral) -> Reply:
    """Offer the referral pack as a Word document (Teams asks the person to accept the file)."""
    target: int | str
    if command.referral_id is not None:
        target = command.referral_id
    elif command.reference:
        target = parse_card_id(command.reference) or command.reference
    else:
        raise Refusal(SAY_WHICH)
    # Only offered here: the export's one audit line is written when the person accepts (bot.teams.file_desk).
    view = uc.for_export(turn.engine, turn.actor, target, turn.now(), offer_only=True)
    write = turn.services.export
    if write is None:
        raise AssertionError("the app has no writer of referral packs")
    # python-docx takes a while for a long referral: this runs on a worker thread, so other turns go on.
    data = write(view, turn.now(), turn.actor.name)
    consent = file_offer(pack_filename(view), len(data), {"referral_id": view.id})
    text = (
        f"Here is the referral pack for {plain(view.reference or 'your draft')}. "
        "Accept the file to save it to your OneDrive."
    )
    return Reply(text=text, attachments=(consent,))
