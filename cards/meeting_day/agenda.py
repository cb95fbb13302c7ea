"""The agenda card: a meeting's items and the budget position, with the chair's controls while it runs."""

from __future__ import annotations

from typing import Any

from cards import verbs
from cards.common import Card, button, card, facts, heading, text
from cards.meeting_day.parts import (
    MY_VIEW,
    Element,
    action_set,
    amount_line,
    decision_summary,
    position_pairs,
    slot_line,
    who,
)
from cards.meeting_day.register import here_button
from cluster.agenda import AgendaEntry, AgendaView, ItemState
from cluster.commands.inputs import data_for
from cluster.commands.meetings import EndMeeting, OpenItem, ShowAgenda, ShowDecisionForm, ShowHandOver, StartMeeting
from cluster.impact import ratings_line
from cluster.provision_map import NOT_IN_DOCUMENT, custom_line
from cluster.referrals import Kind

STATE_TITLES: dict[str, str] = {
    ItemState.PENDING: "Not yet opened",
    ItemState.OPEN: "Open for voting",
    ItemState.CLOSED: "Vote closed: decision to record",
    ItemState.DECIDED: "Decided",
}


def _entry_state(entry: AgendaEntry) -> str:
    if entry.decision is not None:
        return decision_summary(entry.decision, entry.requested_pence)
    return STATE_TITLES.get(entry.state, entry.state)


def _agenda_entry(entry: AgendaEntry, open_button: bool, quorum: tuple[str, bool] | None = None) -> Element:
    """One agenda line, kept small so that 40 of them fit in a Teams message.

    With ``quorum`` (the chair's view of a pending item) it says the item's quorum check from the register,
    and whether it would open.
    """
    details = " · ".join([amount_line(entry), *who(entry), _entry_state(entry)])
    items: list[Element] = [
        text(f"{entry.reference} · {entry.setting}", weight="Bolder"),
        text(details, subtle=True, spacing="None"),
    ]
    if entry.outcome_ratings:
        items.append(text(f"Outcomes at review — {ratings_line(entry.outcome_ratings)}", subtle=True, spacing="None"))
    if open_button and quorum is not None:
        line, quorate = quorum
        if quorate:
            items.append(text(f"Quorum: {line} (quorate)", spacing="None"))
        else:
            items.append(text(f"Quorum: {line} (not quorate yet)", spacing="None", weight="Bolder"))
    if entry.custom_rows:  # issue 21: provisions the council's document lacks, with why they are asked for
        items.append(text(f"{NOT_IN_DOCUMENT}: {custom_line(entry.custom_rows)}", spacing="None"))
    if open_button:
        # No Action.Submit fallback on these: every Teams client runs Action.Execute, and 40 fallbacks would
        # take the agenda past Teams' 28 KB limit. The card's own buttons keep theirs.
        # A discussion is not voted on: the chair records the advice straight from the agenda.
        title, verb, command = (
            (f"Record advice on {entry.reference}", verbs.DECISION_FORM, ShowDecisionForm)
            if entry.kind is Kind.DISCUSSION
            else (f"Open the vote on {entry.reference}", verbs.ITEM_OPEN, OpenItem)
        )
        data = {"verb": verb, **data_for(command, item_id=entry.item_id)}
        button = {"type": "Action.Execute", "title": title, "verb": verb, "data": data}
        items.append(action_set([{**button, "associatedInputs": "None"}]))
    return {"type": "Container", "separator": True, "items": items}


def _refresh(view: AgendaView) -> dict[str, Any]:
    """Teams asks for each listed person's own view: those who run the meeting get its controls."""
    data = {"verb": verbs.AGENDA_SHOW, **data_for(ShowAgenda, meeting_id=view.meeting_id)}
    return {
        "action": {"type": "Action.Execute", "verb": verbs.AGENDA_SHOW, "data": data},
        "userIds": list(view.refresh_user_ids)[:60],  # Teams refreshes automatically for at most 60 users
    }


def agenda_card(view: AgendaView, for_chair: bool = True, hand_over: bool | None = None) -> Card:
    """A meeting's agenda for the channel: the budget position and each item, deferred items first, by kind.

    For the chair it carries the meeting's controls: "Start the meeting" until it starts; then an "Open"
    button on each item not yet opened ("Record advice" on a discussion, which is not voted on) and "End the
    meeting", and each pending item's quorum check from the register; "Hand this meeting over" until it
    ends (``hand_over`` says whether to offer it when that differs: an admin who does not chair); nothing
    once it has ended. With ``for_chair=False`` (the member's view, the shared message) it has none of
    these, but a "Refresh my view" button. While the meeting is not over the card carries a ``refresh``, so the
    chair (listed first) gets their own view. Stays under 28 KB for 40 items.
    """
    title = f"{view.cluster} cluster, {view.meeting.title}" if view.meeting.title else f"{view.cluster} cluster meeting"
    body: list[Element] = [
        heading(f"Agenda: {title}"),
        text(slot_line(view.meeting), spacing="None"),
    ]
    if view.ended:
        body.append(text("The meeting has ended.", subtle=True, spacing="None"))
    elif view.started:
        body.append(text("The meeting is under way.", weight="Bolder", spacing="None"))
    if view.acting_chair and not view.ended:
        body.append(text(f"Chaired at this meeting by {view.acting_chair} (acting chair).", spacing="None"))
    body.append(facts(position_pairs(view.position, view.requested_pence)))
    live = for_chair and view.started and not view.ended
    if not view.entries:
        body.append(text("Nothing is on the agenda yet.", subtle=True))
    for group_title, entries in view.groups():
        body.append(text(group_title, weight="Bolder", size="Medium", spacing="Large"))
        body += [_agenda_entry(e, live and e.state == ItemState.PENDING, view.quorum_of(e.item_id)) for e in entries]
    actions: list[Element] = []
    if for_chair and not view.started and not view.ended:
        actions.append(
            button("Start the meeting", verbs.MEETING_START, data_for(StartMeeting, meeting_id=view.meeting_id))
        )
    if (for_chair if hand_over is None else hand_over) and not view.ended:
        actions.append(
            button("Hand this meeting over", verbs.HAND_OVER_FORM, data_for(ShowHandOver, meeting_id=view.meeting_id))
        )
    if live:
        actions.append(button("End the meeting", verbs.MEETING_END, data_for(EndMeeting, meeting_id=view.meeting_id)))
    if not view.ended:  # everyone's: whoever attends puts themself on the register (issue 20)
        actions.append(here_button(view.meeting_id))
    if not for_chair and not view.ended:
        # Teams refreshes the card for at most 60 people, and some clients (the Agents Playground) never: the
        # chair, or anyone past the 60, asks for their own view here.
        actions.append(button(MY_VIEW, verbs.AGENDA_SHOW, data_for(ShowAgenda, meeting_id=view.meeting_id)))
    result = card(body, actions)
    if view.refresh_user_ids and not view.ended:
        result["refresh"] = _refresh(view)
    return result
