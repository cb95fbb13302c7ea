"""Small pieces every referral card shares: dates and money as cards show them, buttons, steps, names.

These cards may show the school's own pupil reference: they go to the SENCO, the cluster's admins and the
team around the cluster in personal chat, never to a channel. Lists and notices show less.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from cards import verbs
from cards.common import button, meeting_name, plain, text
from cluster.clock import LONDON
from cluster.commands.inputs import data_for
from cluster.commands.referrals import (
    OpenReferral,
    WithdrawReferral,
)
from cluster.meetings import MeetingSlot
from cluster.provision import format_pence
from cluster.referrals import (
    COSTED,
    PROVISION_FIELDS,
    STATE_TITLES,
    WITHDRAWABLE,
    Kind,
    ReferralView,
    State,
)

Element = dict[str, Any]


PRIVACY_NOTE = "Initials and year group only; never the pupil's name or date of birth."
ROUNDING_RULE = (
    "Each row: minutes ÷ 60 × sessions per week × weeks × hourly rate ÷ group size, rounded to the nearest "
    "penny (halves up); the total adds the rounded rows."
)
ATTACH_HELP = (
    "To attach a file, send it to me in this chat while this referral is open, and I will attach it. "
    "Or add a link to the document on your school's SharePoint or OneDrive."
)
SUBMITTABLE = frozenset({State.DRAFT, State.RETURNED})
_AREAS = {f.name: f for f in PROVISION_FIELDS}["area_of_need"]
_FILE_TYPES = {
    "application/pdf": "PDF",
    "application/msword": "Word",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word",
    "application/vnd.ms-excel": "Excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel",
    "image/jpeg": "JPEG image",
    "image/png": "PNG image",
    "text/plain": "Text",
}


# Small shared pieces -------------------------------------------------------------------------------------


def _money(pence: int) -> str:
    return format_pence(pence)


def _pounds(pence: int) -> str:
    """Pence as a money input shows them: 125000 is '1250.00'."""
    return f"{pence // 100}.{pence % 100:02d}"


def _day(day: date | datetime) -> str:
    if isinstance(day, datetime):
        day = day.astimezone(LONDON).date()
    return day.strftime("%A %-d %B %Y")


def _when(moment: datetime) -> str:
    local = moment.astimezone(LONDON)
    return f"{_day(local)}, {local:%H:%M}"


def _meeting_line(slot: MeetingSlot) -> str:
    """'Autumn 2 meeting, Thursday 11 December 2025, 09:30–13:00'."""
    name = meeting_name(slot.title) if slot.title else "Meeting"
    return f"{name}, {_day(slot.day)}, {slot.start:%H:%M}–{slot.end:%H:%M}"


def _meeting_facts(slot: MeetingSlot) -> list[tuple[str, str]]:
    return [
        ("Meeting", f"{_day(slot.day)}" + (f" ({slot.title})" if slot.title else "")),
        ("Time", f"{slot.start:%H:%M}–{slot.end:%H:%M} (UK time)"),
        ("Referral deadline", _when(slot.deadline)),
    ]


def _state_title(view: ReferralView) -> str:
    """Where the referral is; an accepted Capital Fund application is with the panel, not on an agenda."""
    if view.kind is Kind.CAPITAL and view.state is State.ACCEPTED:
        return "With the Cluster Panel"
    return STATE_TITLES[view.state]


def _open_data(view: ReferralView) -> dict[str, Any]:
    """Open the referral where its editor left off (or read-only, to anyone else who may read it)."""
    return data_for(OpenReferral, referral_id=view.id)


def _details_data(view: ReferralView) -> dict[str, Any]:
    return data_for(OpenReferral, referral_id=view.id, step="details")


def _documents_data(view: ReferralView, page: int | None = None) -> dict[str, Any]:
    return data_for(OpenReferral, referral_id=view.id, step="documents", page=page)


def _action_set(actions: list[Element]) -> Element:
    return {"type": "ActionSet", "actions": actions}


def _attention(lines: Sequence[str], title: str) -> Element:
    items = [text(title, weight="Bolder", color="Attention")]
    items += [text(f"• {line}", color="Attention", spacing="None") for line in lines]
    return {"type": "Container", "style": "attention", "items": items}


def _privacy_note() -> Element:
    """The privacy reminder: dark bold text on a warning-tinted panel (yellow text on white is hard to read)."""
    return {"type": "Container", "style": "warning", "items": [text(f"⚠ {PRIVACY_NOTE}", weight="Bolder")]}


def _subtitle(view: ReferralView) -> Element:
    parts = [*([view.reference] if view.reference else []), view.setting, _state_title(view)]
    return text(" · ".join(parts), subtle=True, spacing="None")


def _returned(view: ReferralView) -> list[Element]:
    if not view.returned_reason:
        return []
    return [
        {
            "type": "Container",
            "style": "attention",
            "items": [
                text("Returned to you by the cluster admin", weight="Bolder", color="Attention"),
                text(view.returned_reason),
            ],
        }
    ]


def _steps(kind: Kind) -> list[str]:
    return ["Details", *(["Costs"] if kind in COSTED else []), "Documents", "Review"]


def _step(kind: Kind, current: str) -> Element:
    steps = _steps(kind)
    trail = " → ".join(f"**{plain(s)}**" if s == current else plain(s) for s in steps)
    return text(f"Step {steps.index(current) + 1} of {len(steps)}: {trail}", markdown=True, subtle=True, size="Small")


def _requested(view: ReferralView) -> str:
    if view.kind is Kind.DISCUSSION:
        return "No money asked"
    return _money(view.requested_pence)


def _short(name: str, most: int = 40) -> str:
    """A name cut to fit a button's title ('Remove Educational psychologist rep…')."""
    return name if len(name) <= most else name[: most - 1].rstrip() + "…"


def _name(view: ReferralView) -> str:
    """What a button acting on this referral names: its reference, or a draft's title and pupil or project."""
    return view.reference or f"draft {_short(_label(view))}"


def _label(view: ReferralView) -> str:
    """The referral's title with what tells drafts apart: the pupil's initials and year, or the project."""
    extra = view.pupil_label or str(view.details.get("title", ""))
    return f"{view.title} · {extra}" if extra else view.title


def _withdraw(view: ReferralView) -> list[Element]:
    """A Withdraw button that asks first, since withdrawing cannot be undone."""
    if view.state not in WITHDRAWABLE:
        return []
    confirm = {
        "type": "AdaptiveCard",
        "version": "1.5",
        "body": [
            text(f"Withdraw {view.reference or 'this draft'}? It will not go to the cluster. This cannot be undone.")
        ],
        "actions": [button("Yes, withdraw", verbs.WITHDRAW, data_for(WithdrawReferral, referral_id=view.id))],
    }
    return [{"type": "Action.ShowCard", "title": "Withdraw", "card": confirm}]
