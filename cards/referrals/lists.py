"""Lists of referrals and a referral read in full: the SENCO's referrals, the admin's check, the read-only card."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cards import verbs
from cards.common import Card, button, card, execute, facts, heading, text
from cards.referrals.fields import _detail_elements, _row, _summary_facts
from cards.referrals.parts import (
    ROUNDING_RULE,
    _action_set,
    _attention,
    _day,
    _documents_data,
    _label,
    _name,
    _open_data,
    _requested,
    _returned,
    _state_title,
    _subtitle,
    _when,
)
from cluster.commands.inputs import data_for
from cluster.commands.referrals import (
    ExportReferral,
    OneReferral,
    ReturnReferral,
    WithdrawReferral,
)
from cluster.referrals import (
    KIND_TITLES,
    WITHDRAWABLE,
    Kind,
    ReferralView,
)

Element = dict[str, Any]


def _withdraw_picker(views: Sequence[ReferralView]) -> list[Element]:
    """One 'Withdraw a referral' button for the whole list: pick the referral, then confirm."""
    choices = [{"title": _label(v), "value": str(v.id)} for v in views if v.state in WITHDRAWABLE]
    if not choices:
        return []
    picker = {
        "type": "Input.ChoiceSet",
        "id": "referral_id",
        "label": "Which referral?",
        "style": "compact",
        "isRequired": True,
        "errorMessage": "Choose the referral to withdraw.",
        "placeholder": "Choose…",
        "choices": choices,
    }
    confirm = {
        "type": "AdaptiveCard",
        "version": "1.5",
        "body": [picker, text("It will not go to the cluster. This cannot be undone.", subtle=True)],
        "actions": [execute("Withdraw it", verbs.WITHDRAW, data_for(WithdrawReferral))],
    }
    return [{"type": "Action.ShowCard", "title": "Withdraw a referral", "card": confirm}]


def my_referrals_card(views: Sequence[ReferralView], more: bool = False) -> Card:
    """The SENCO's referrals, one compact entry each with Open; one Withdraw button that asks which and confirms.

    Kept small (about 20 KB for 30 referrals): the setting is named once when all share it, and Withdraw is a
    single picker rather than a button (and a confirmation) per referral. ``more``: older ones were left off.
    """
    body: list[Element] = [heading("My referrals")]
    settings = {view.setting for view in views}
    if len(settings) == 1:
        body.append(text(f"For {views[0].setting}", subtle=True, spacing="None"))
    if not views:
        body.append(text("You have no referrals yet. Start one with New referral.", subtle=True))
    for view in views:
        line = [*([view.setting] if len(settings) > 1 else []), _state_title(view), _requested(view)]
        if view.meeting:
            line.append(f"meeting {view.meeting.day:%a %-d %b %Y}")
        body.append(
            {
                "type": "Container",
                "separator": True,
                "items": [
                    text(_label(view), weight="Bolder"),
                    text(" · ".join(line), subtle=True, size="Small", spacing="None"),
                    _action_set([execute(f"Open {_name(view)}", verbs.REFERRAL_OPEN, _open_data(view))]),
                ],
            }
        )
    if more:
        body.append(text(f"These are your {len(views)} newest referrals; older ones are not shown.", subtle=True))
    return card(body, [execute("New referral", verbs.REFERRAL_NEW), *_withdraw_picker(views)])


# Admins, the team around the cluster, and notices --------------------------------------------------------


def checked_line(view: ReferralView, done: str) -> str:
    """What an admin's Accept or Return did, in a sentence; ``done`` is ``usecases.referral_checks.Done``."""
    reference = view.reference or "The referral"
    if view.kind is Kind.CAPITAL:
        where = "for the Capital Fund's Cluster Panel"
    elif view.meeting is not None:
        where = f"onto the {view.meeting.day:%-d %B} meeting's agenda"
    else:
        where = "onto the agenda"
    referrer = view.created_by or "the referrer"
    return {
        "accepted": f"{reference} accepted {where}; {referrer} is told.",
        "returned": f"{reference} returned to {referrer} with your reason.",
        "already accepted": f"{reference} was already accepted {where}: nothing changed.",
        "already returned": (
            f"{reference} was already returned to {referrer}: nothing changed. "
            "It comes back to this list when they submit it again."
        ),
    }[done]


def to_check_card(views: Sequence[ReferralView], more: bool = False, notice: str | None = None) -> Card:
    """For admins: submitted referrals waiting for the completeness check, oldest first, with Accept and Return.

    ``more``: more are waiting than the card shows; they appear as these are checked. ``notice``: what the
    click that drew it did (see :func:`checked_line`), first, so the list redrawn is never the only answer.
    """
    body: list[Element] = [heading("Referrals to check")]
    if notice:
        body.append(text(notice, weight="Bolder"))
    if not views:
        body.append(text("Nothing to check.", subtle=True))
    for view in views:
        pairs = [("Kind", KIND_TITLES[view.kind]), ("Setting", view.setting), ("Amount", _requested(view))]
        if view.submitted_at:
            pairs.append(("Submitted", _when(view.submitted_at)))
        if view.meeting:
            pairs.append(("Meeting", _day(view.meeting.day)))
        items: list[Element] = [text(view.reference or "Draft", weight="Bolder"), facts(pairs)]
        if view.missing:
            items.append(_attention(view.missing, "Missing before it can go to a meeting:"))
        items += [
            {
                "type": "Input.Text",
                "id": f"reason_{view.id}",
                "label": f"Reason for returning {_name(view)}, if you return it",
                "placeholder": "Reason, if returning",
                "maxLength": 1000,
            },
            _action_set(
                [
                    button(f"Accept {_name(view)}", verbs.ACCEPT, data_for(OneReferral, referral_id=view.id)),
                    button(
                        f"Return {_name(view)}",
                        verbs.RETURN,
                        data_for(ReturnReferral, referral_id=view.id),
                        inputs=True,
                    ),
                    button(f"Open {_name(view)}", verbs.REFERRAL_OPEN, _open_data(view)),
                ]
            ),
        ]
        body.append({"type": "Container", "separator": True, "items": items})
    if more:
        body.append(text(f"These are the {len(views)} oldest; more are waiting and will show as you check these."))
    return card(body)


def referral_card(view: ReferralView, editable: bool) -> Card:
    """A referral in full, read-only, with Export and (when the viewer may still change it) Edit."""
    body: list[Element] = [heading(view.title), _subtitle(view), *_returned(view), _summary_facts(view)]
    body += _detail_elements(view)
    if view.rows:
        body.append(text("Cost rows", weight="Bolder", spacing="Medium"))
        body += [_row(n, row) for n, row in enumerate(view.rows, start=1)]
        body.append(text(ROUNDING_RULE, subtle=True, size="Small"))
    actions = [button("Export", verbs.EXPORT, data_for(ExportReferral, referral_id=view.id))]
    if view.documents:
        # The summary names them; their links open from their own card (all 20 in full would not fit here).
        shown = "the document" if len(view.documents) == 1 else f"the {len(view.documents)} documents"
        actions.append(button(f"Show {shown}", verbs.REFERRAL_OPEN, _documents_data(view)))
    if editable:
        actions.append(button("Edit", verbs.REFERRAL_OPEN, _open_data(view)))
    return card(body, actions)
