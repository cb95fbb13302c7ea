"""A decision's letter, as kept with the decision, for the people who may have it.

The letter was made when the decision was recorded (``usecases.meeting_day.decisions``); asking for it reads the stored
bytes, after checking the person reaches the referral's setting (its SENCO or delegate, the cluster's admin,
or a council officer). A decision without a letter (recorded before letters, or whose letter could not be
made then) has it made and kept now. The read is audited, as the letter names the setting's pupil by initials.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, bindparam
from sqlalchemy import select as sa_select
from sqlmodel import SQLModel

from cluster.commands.ledger import NO_DECISION as NO_DECISION  # the sentence a card's missing id gets too
from cluster.commands.ledger import OfferLetter
from cluster.errors import Refusal
from cluster.permissions import DECISION_LETTER, authorize
from store import audit
from store.db import take_turn, transaction
from store.models import Decision
from usecases.meeting_day.decisions import letter_of
from usecases.people import Actor

NO_LETTER = "The letter for this decision cannot be made just now. Your admin can look into it."

_T = SQLModel.metadata.tables
_DECISION, _REFERRAL, _LETTER = _T["decision"], _T["referral"], _T["decision_letter"]
_WHOSE = (
    sa_select(_DECISION.c.cluster_id, _REFERRAL.c.setting_id, _REFERRAL.c.reference, _REFERRAL.c.id)
    .select_from(_DECISION.join(_REFERRAL, _REFERRAL.c.id == _DECISION.c.referral_id))
    .where(_DECISION.c.id == bindparam("decision"))
)
_STORED = sa_select(_LETTER.c.filename, _LETTER.c.content).where(_LETTER.c.decision_id == bindparam("decision"))


@dataclass(frozen=True)
class Letter:
    """A decision letter: its file name and bytes (a Word document)."""

    decision_id: int
    reference: str
    filename: str
    content: bytes


def letter_for(
    engine: Engine, actor: Actor, command: OfferLetter, now: datetime, *, offer_only: bool = False
) -> Letter:
    """The stored letter of the decision the command names, if the actor reaches its setting; the reading is audited.

    ``offer_only``: the letter is only being offered again (Teams asks first), so the ``letter.read`` line
    waits for the person to accept it.
    """
    decision_id = command.decision_id
    with transaction(engine, serial=False) as session:
        connection = session.connection()
        whose = connection.execute(_WHOSE, {"decision": decision_id}).first()
        if whose is None:
            raise Refusal(NO_DECISION)
        cluster_id, setting_id, reference, referral_id = whose
        authorize(actor.grants, DECISION_LETTER, int(cluster_id), int(setting_id))
        stored = connection.execute(_STORED, {"decision": decision_id}).first()
        if stored is not None:
            filename, content = str(stored[0]), bytes(stored[1])
        else:
            take_turn(session, "referral", int(referral_id))
            decision = session.get(Decision, decision_id)
            made = letter_of(session, decision, actor) if decision is not None else None
            if made is None:
                raise Refusal(NO_LETTER)
            filename, content = made.filename, made.content
        if not offer_only:
            audit.record(session, now, actor.tag, "letter.read", f"decision:{decision_id}")
        return Letter(decision_id, str(reference or ""), filename, content)
