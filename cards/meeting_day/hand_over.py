"""Handing a meeting over: the chair's (or admin's) card to name an acting chair, and the notice they get."""

from __future__ import annotations

from cards import verbs
from cards.common import Card, button, card, heading, text
from cards.meeting_day.parts import Element, slot_line
from cluster.commands.inputs import data_for
from cluster.commands.meetings import HandOver, ShowAgenda
from cluster.meetings import MeetingSlot


def hand_over_card(
    meeting_id: int,
    slot: MeetingSlot,
    cluster: str,
    members: tuple[tuple[int, str], ...],
    acting_chair_id: int | None,
    errors: dict[str, str] | None = None,
    myself: int | None = None,
) -> Card:
    """Choose the member of the cluster who chairs this one meeting (a vice-chair named for it).

    ``myself`` (the chair's own person id) is offered first, once the meeting is handed over: the chair takes it
    back.
    """
    errors = errors or {}
    choices = [{"title": name, "value": str(person_id)} for person_id, name in members if person_id != myself]
    if myself is not None and acting_chair_id is not None:
        choices.insert(0, {"title": "Myself: take the meeting back", "value": str(myself)})
    choose: Element = {
        "type": "Input.ChoiceSet",
        "id": "person_id",
        "label": "Who chairs this meeting",
        "isRequired": True,
        "errorMessage": "Choose who will chair this meeting.",
        "choices": choices,
    }
    if acting_chair_id is not None:
        choose["value"] = str(acting_chair_id)
    body: list[Element] = [
        heading(f"Hand over {cluster}'s meeting"),
        text(slot_line(slot), spacing="None"),
        text(
            "The person you choose runs this meeting only: they start it, open and close its votes, record its "
            "decisions and end it. You keep your own controls.",
        ),
        choose,
    ]
    if "person_id" in errors:
        body.append(text(errors["person_id"], color="Attention"))
    return card(
        body,
        [
            button("Hand it over", verbs.HAND_OVER, data_for(HandOver, meeting_id=meeting_id), inputs=True),
            button("Back to the agenda", verbs.AGENDA_SHOW, data_for(ShowAgenda, meeting_id=meeting_id)),
        ],
    )


def acting_chair_notice(cluster: str, slot: MeetingSlot, meeting_id: int) -> Card:
    """The personal notice to the person a meeting was handed to."""
    return card(
        [
            heading("You chair this meeting"),
            text(f"{cluster} cluster's meeting on {slot_line(slot)} has been handed to you."),
            text(
                "The agenda in the cluster's channel shows you the chair's controls: start the meeting, open "
                "and close each vote, record the decisions and end the meeting.",
                subtle=True,
            ),
        ],
        [button("Show the agenda", verbs.AGENDA_SHOW, data_for(ShowAgenda, meeting_id=meeting_id))],
    )
