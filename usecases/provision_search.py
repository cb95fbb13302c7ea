"""Finding a provision in the council's Costed Provision Document from a provision map's row form (issue 21).

Teams asks as the SENCO types (:func:`search_provision`, one query with a limit whatever the document's size);
a client without that search asks with a button instead, and the row form lists the matches
(:func:`row_form_source`). Both search the referral's own version of the document once it is priced from one,
else today's version.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Engine
from sqlmodel import Session

from cluster.commands.referrals import SearchProvision
from cluster.provision_document import DocumentEntry
from cluster.provision_map import MAX_CHOICES, ProvisionSource, choice_title
from store import provision_lookup as lookup
from store.db import transaction
from store.models import Referral
from usecases.people import Actor


def _choices(found: list[DocumentEntry]) -> tuple[tuple[str, str], ...]:
    return tuple((choice_title(entry), str(entry.id)) for entry in found)


def search_provision(
    engine: Engine, actor: Actor, command: SearchProvision, now: datetime
) -> tuple[tuple[str, str], ...]:
    """Up to 15 of the document version's provisions matching what was typed, as (title, value) choices.

    The permission (finding a provision) was checked by the router and names no rows: the document is the
    council's price list, the same for every cluster. A version that is not there finds nothing.
    """
    del actor, now  # who asks and when do not change the council's prices
    with transaction(engine, read_only=True) as session:
        return _choices(lookup.entries(session, command.document_id, command.query, MAX_CHOICES))


def source_for(
    session: Session, referral: Referral, today: date, find: str = "", entry_id: int | None = None
) -> ProvisionSource:
    """The version a referral's row form searches, named, with the matches for ``find`` or the row's own entry."""
    document_id = referral.provision_document_id or lookup.current_document(session, today)
    if document_id is None:
        return ProvisionSource(None, "", (), find)
    found: list[DocumentEntry] = []
    if find:
        found = lookup.entries(session, document_id, find, MAX_CHOICES)
    chosen = lookup.entry(session, entry_id) if entry_id is not None else None
    if chosen is not None and all(e.id != chosen.id for e in found):
        found.insert(0, chosen)
    return ProvisionSource(document_id, lookup.document_label(session, document_id), _choices(found), find)


def row_form_source(
    engine: Engine, referral_id: int, today: date, find: str = "", entry_id: int | None = None
) -> ProvisionSource:
    """What the row form shows of the council's document (the caller has opened the referral for editing)."""
    with transaction(engine, read_only=True) as session:
        referral = session.get(Referral, referral_id)
        if referral is None:
            return ProvisionSource(None, "", (), find)
        return source_for(session, referral, today, find, entry_id)
