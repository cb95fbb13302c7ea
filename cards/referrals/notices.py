"""Notices about a referral, sent to a personal chat: to check, returned, accepted, withdrawn."""

from __future__ import annotations

from typing import Any

from cards import verbs
from cards.common import Card, button, card, facts, heading, text
from cards.referrals.parts import _meeting_line, _open_data, _requested, _returned
from cluster.referrals import (
    KIND_TITLES,
    Kind,
    ReferralView,
)

Element = dict[str, Any]


def _notice(title: str, view: ReferralView, lines: list[Element], actions: list[Element], meeting: bool = True) -> Card:
    pairs = [("Kind", KIND_TITLES[view.kind]), ("Setting", view.setting), ("Amount requested", _requested(view))]
    if view.meeting and meeting:
        pairs.append(("Meeting", _meeting_line(view.meeting)))
    body = [heading(title), text(view.reference or "Draft", weight="Bolder", size="Medium"), *lines, facts(pairs)]
    return card(body, actions)


def admin_notice_card(view: ReferralView) -> Card:
    """To a cluster's admins: a new referral to check."""
    return _notice(
        "New referral to check",
        view,
        [],
        [button("Open", verbs.REFERRAL_OPEN, _open_data(view)), button("Referrals to check", verbs.TO_CHECK)],
    )


def returned_notice_card(view: ReferralView) -> Card:
    """To the SENCO: the admin returned the referral, and why."""
    return _notice(
        "Your referral was returned",
        view,
        [*_returned(view), text("Complete it and submit it again before the deadline.")],
        [button("Open", verbs.REFERRAL_OPEN, _open_data(view))],
    )


def accepted_notice_card(view: ReferralView) -> Card:
    """To the SENCO: the referral is complete and on the agenda (a capital application: with the panel)."""
    if view.kind is Kind.CAPITAL:
        return _notice(
            "Your application is with the Cluster Panel",
            view,
            [
                text(
                    "The panel scores it once the Capital Fund's window closes and recommends it to the council's "
                    "Place, Planning and Sufficiency Board, which decides. Type “capital” to see where it stands."
                )
            ],
            [button("Open", verbs.REFERRAL_OPEN, _open_data(view)), button("My referrals", verbs.MY_REFERRALS)],
            meeting=False,
        )
    where = f"It is on the agenda for the {_meeting_line(view.meeting)}." if view.meeting else "It is on the agenda."
    return _notice(
        "Your referral is on the agenda",
        view,
        [text(where)],
        [button("Open", verbs.REFERRAL_OPEN, _open_data(view)), button("My referrals", verbs.MY_REFERRALS)],
        meeting=False,
    )


def withdrawn_card(view: ReferralView) -> Card:
    """The confirmation that a referral is withdrawn."""
    return _notice(
        "Referral withdrawn",
        view,
        [text("It will not go to the cluster. Start a new referral if you need to ask again.")],
        [button("My referrals", verbs.MY_REFERRALS), button("New referral", verbs.REFERRAL_NEW)],
    )
