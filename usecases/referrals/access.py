"""Who may do what to a referral, and the pieces every referral change shares.

Who acts is the :class:`~usecases.people.Actor` identified at the start of the turn: the settings someone
refers for come from its grants, not from another query. A change takes the referral's turn
(:func:`take_referral`, after its cluster's when the cluster's agenda or numbering is at stake), checks the
referral may still change (:func:`check_edit`), counts and audits the change (:func:`edited`), and owes its
notice in the same transaction (:func:`told`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from cards.common import Card
from cards.referrals.notices import accepted_notice_card, admin_notice_card, returned_notice_card, withdrawn_card
from cluster import keys
from cluster import referrals as rules
from cluster.clock import LONDON
from cluster.commands.referrals import REFERRAL_GONE
from cluster.errors import Refusal
from cluster.permissions import EDIT_REFERRAL, READ_REFERRAL, START_REFERRAL, Forbidden, covers
from cluster.referrals import Kind, ReferralView, State
from store import audit
from store.db import take_turn
from store.models import CapitalWindow, Meeting, Referral
from store.outbox import owe_notice
from store.referral_views import view_of
from store.repo import get_or_refuse
from usecases.people import Actor

NOT_A_REFERRER = START_REFERRAL.refusal
NOT_FOUND = REFERRAL_GONE
ERASED = "This referral's pupil details were removed, so it can no longer be changed. Start a new referral."


@dataclass(frozen=True)
class ReferralChanged:
    """A referral after a change, and who heard about it in their personal chat (owed in the change's transaction).

    A change delivered again (the same click twice) tells nobody again: ``notify`` is empty then.
    """

    view: ReferralView
    notify: tuple[int, ...] = ()


NOTICES: dict[keys.ReferralChange, Callable[[ReferralView], Card]] = {
    "submitted": admin_notice_card,  # to the cluster's admins: a new referral to check
    "withdrawn": withdrawn_card,  # to the cluster's admins, when it had been submitted
    "accepted": accepted_notice_card,  # to the referrer
    "returned": returned_notice_card,  # to the referrer, with the reason
}
"""The notice each change of a referral owes: a change cannot be told without its card."""


def told(
    session: Session, referral: Referral, change: keys.ReferralChange, people: tuple[int, ...], now: datetime
) -> ReferralChanged:
    """The outcome of a change, owing its notice (:data:`NOTICES`) to ``people`` in the change's own transaction.

    The key names the referral, the change and the version it made (``notice:referral:7:accepted:v4``), so
    the notice is owed once whatever repeats.
    """
    session.flush()
    view = view_of(session, referral)
    if people:
        key = keys.referral_notice(referral.id or 0, change, referral.version)
        owe_notice(session, key, now, NOTICES[change](view), people)
    return ReferralChanged(view, people)


# --- who may do what ---------------------------------------------------------------------------------


def referrer_setting_ids(actor: Actor) -> frozenset[int]:
    """The settings the actor is SENCO or delegate of, from the grants identified at the start of the turn."""
    return frozenset(g.setting_id for g in actor.grants if g.setting_id is not None and START_REFERRAL.holds(g.role))


def can_edit(actor: Actor, referral: Referral) -> bool:
    """The setting's own SENCO and delegates (and who else the permission reaches) may change it."""
    return covers(actor.grants, EDIT_REFERRAL, referral.cluster_id, referral.setting_id)


def can_read(actor: Actor, referral: Referral) -> bool:
    """The setting's own people always; the cluster's admin and team once it has been submitted.

    A draft is the school's own until it is submitted. Council officers are not given referrals by being
    citywide: they own budgets and see decisions, but a pupil's referral is special category data.
    """
    if referral.submitted_at is None:
        return can_edit(actor, referral)
    return covers(actor.grants, READ_REFERRAL, referral.cluster_id, referral.setting_id)


def load(session: Session, referral_id: int) -> Referral:
    """The referral with this id, or the refusal a person reads when there is none."""
    return get_or_refuse(session, Referral, referral_id, NOT_FOUND)


def take_referral(session: Session, referral_id: int, *, cluster: bool = False) -> Referral:
    """Wait for the referral's turn (after its cluster's, with ``cluster``), then read it as it now stands.

    The referral's cluster never changes, so it is read before waiting; the referral itself only after, so
    what the unit checks is what the unit before it left.
    """
    if cluster:
        cluster_id = session.exec(select(Referral.cluster_id).where(Referral.id == referral_id)).first()
        if cluster_id is None:
            raise Refusal(NOT_FOUND)
        take_turn(session, "cluster", cluster_id)
    take_turn(session, "referral", referral_id)
    return load(session, referral_id)


def deadline_refusal(session: Session, referral: Referral, now: datetime) -> str | None:
    """Why a submitted referral can no longer change: its meeting's deadline (a capital one: its window) has passed."""
    if referral.state == State.SUBMITTED and referral.kind == Kind.CAPITAL.value and referral.submitted_at:
        window = rules.capital_window(referral.submitted_at.astimezone(LONDON).date(), windows(session))
        if now.astimezone(LONDON).date() <= window.closes:
            return None
        return (
            f"The Capital Fund's application window closed on {window.closes:%-d %B %Y}, "
            "so this application can no longer be changed."
        )
    if referral.state != State.SUBMITTED or referral.meeting_id is None:
        return None
    meeting = session.get(Meeting, referral.meeting_id)
    if meeting is None or meeting.deadline > now:
        return None
    return (
        f"The referral deadline for this meeting passed on {meeting.deadline:%-d %B %Y}, "
        "so it can no longer be changed."
    )


def check_edit(session: Session, actor: Actor, referral: Referral, now: datetime) -> Referral:
    """The referral, if the actor may change it now: not erased, in an editable state, before its deadline."""
    if not can_edit(actor, referral):
        raise Forbidden(EDIT_REFERRAL.refusal)
    if referral.erased_at is not None:
        # Its pupil's details were removed (retention, or an erasure request): nothing is left to complete.
        raise Refusal(ERASED)
    rules.check_editable(State(referral.state))
    refusal = deadline_refusal(session, referral, now)
    if refusal is not None:
        raise Refusal(refusal)
    return referral


def take_for_edit(session: Session, actor: Actor, referral_id: int, now: datetime) -> Referral:
    """Wait for the referral's turn, then check the actor may change it now."""
    return check_edit(session, actor, take_referral(session, referral_id), now)


def touch(referral: Referral, now: datetime) -> None:
    """Count a change of the referral's content (the version a card must show to submit it)."""
    referral.version += 1
    referral.updated_at = now


def edited(session: Session, actor: Actor, referral: Referral, part: str, now: datetime) -> ReferralView:
    """Count a change of the referral's content, audit it, and return the referral as it now stands."""
    touch(referral, now)
    session.add(referral)
    audit.record(session, now, actor.tag, "referral.edit", f"referral:{referral.id}", part=part)
    session.flush()
    return view_of(session, referral)


def windows(session: Session) -> dict[int, rules.Window]:
    """The Capital Fund's application windows by the school year they open in."""
    return {w.year_start: rules.Window(w.opens, w.closes) for w in session.exec(select(CapitalWindow))}
