"""A referral's documents a page at a time: the documents step for its editor, a list for its readers.

A referral holds up to 20 documents; all of them in full would take a card past Teams' 40 KB, so the
documents card shows them a page at a time, each in full with its Open button.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from cards import verbs
from cards.common import Card, button, card, heading, text
from cards.referrals.fields import DOCUMENTS_PER_PAGE, LINK_FIELDS, _error_summary, _file_line, _inputs
from cards.referrals.parts import (
    ATTACH_HELP,
    _action_set,
    _details_data,
    _documents_data,
    _open_data,
    _short,
    _step,
    _subtitle,
)
from cluster.commands.inputs import data_for
from cluster.commands.referrals import (
    AddLink,
    OneReferral,
    RemoveDocument,
    ShowDocuments,
    ShowRows,
)
from cluster.referrals import (
    COSTED,
    KIND_TITLES,
    Document,
    ReferralView,
)

Element = dict[str, Any]


def document_pages(view: ReferralView) -> int:
    """How many pages the referral's documents take (one, when it has none)."""
    return max(1, -(-len(view.documents) // DOCUMENTS_PER_PAGE))


def _document(view: ReferralView, number: int, doc: Document, page: int | None) -> Element:
    """One document, numbered as its buttons name it; ``page`` (when it may be removed) is where Remove returns."""
    title = f"{number}. {_short(doc.name)}"
    actions: list[Element] = []
    if doc.is_link and doc.url:
        actions.append({"type": "Action.OpenUrl", "title": f"Open {title}", "url": doc.url})
    if page is not None:
        data = data_for(RemoveDocument, referral_id=view.id, document_id=doc.id, page=page)
        actions.append(button(f"Remove {title}", verbs.DOCUMENT_REMOVE, data))
    items = [
        text(f"{number}. {doc.name}", weight="Bolder"),
        text(_file_line(doc), subtle=True, size="Small", spacing="None"),
    ]
    if actions:
        items.append(_action_set(actions))
    return {"type": "Container", "separator": True, "items": items}


def _document_page(
    view: ReferralView, page: int, removable: bool, turn: Callable[[str, int], Element]
) -> list[Element]:
    """The documents on ``page`` (cut to the pages there are), with Previous and Next made by ``turn``."""
    page = min(max(page, 1), document_pages(view))
    first = (page - 1) * DOCUMENTS_PER_PAGE
    shown = view.documents[first : first + DOCUMENTS_PER_PAGE]
    if not shown:
        return [text("No documents yet.", subtle=True)]
    elements: list[Element] = []
    total = len(view.documents)
    if total > DOCUMENTS_PER_PAGE:
        elements.append(text(f"Documents {first + 1}–{first + len(shown)} of {total}", subtle=True))
    elements += [_document(view, n, doc, page if removable else None) for n, doc in enumerate(shown, start=first + 1)]
    turns: list[Element] = []
    if page > 1:
        before = first - DOCUMENTS_PER_PAGE
        turns.append(turn(f"Previous documents ({before + 1}–{first})", page - 1))
    if first + len(shown) < total:
        after = first + len(shown)
        turns.append(turn(f"Next documents ({after + 1}–{min(after + DOCUMENTS_PER_PAGE, total)})", page + 1))
    if turns:
        elements.append(_action_set(turns))
    return elements


def documents_card(view: ReferralView, values: Mapping[str, str], errors: Mapping[str, str], page: int = 1) -> Card:
    """Step 3: the referral's documents a page at a time, how to attach a file, and a form to add a link.

    The Add link button carries the page, so a mistake comes back on the page the person was looking at.
    """
    body: list[Element] = [heading(f"Documents: {KIND_TITLES[view.kind]}"), _subtitle(view)]
    body += [_step(view.kind, "Documents"), *_error_summary(errors)]
    body += _document_page(
        view,
        page,
        True,
        lambda title, n: button(title, verbs.DOCUMENTS, data_for(ShowDocuments, referral_id=view.id, page=n)),
    )
    body += [text(ATTACH_HELP, spacing="Medium"), *_inputs(LINK_FIELDS, values, errors)]
    body.append(
        _action_set(
            [button("Add link", verbs.LINK_ADD, data_for(AddLink, referral_id=view.id, page=page), inputs=True)]
        )
    )
    if view.kind in COSTED:
        back = button("Back", verbs.REFERRAL_ROWS, data_for(ShowRows, referral_id=view.id))
    else:
        back = button("Back", verbs.REFERRAL_OPEN, _details_data(view))
    return card(body, [button("Continue", verbs.REVIEW, data_for(OneReferral, referral_id=view.id)), back])


def document_list_card(view: ReferralView, page: int) -> Card:
    """A referral's documents for someone who reads it (an admin, the team): a page at a time, to open."""
    body: list[Element] = [heading(f"Documents: {view.title}"), _subtitle(view)]
    body += _document_page(
        view, page, False, lambda title, n: button(title, verbs.REFERRAL_OPEN, _documents_data(view, n))
    )
    return card(body, [button("Back to the referral", verbs.REFERRAL_OPEN, _open_data(view))])
