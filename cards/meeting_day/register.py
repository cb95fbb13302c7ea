"""The register's cards: the roll call, the SENCO's substitute card, and the substitute's and admin's notices.

Each setting is one short line with its buttons beside it, so forty settings stay readable on a phone and
under Teams' size limit; the words carry the state (present, apologies, absent), never colour alone.
"""

from __future__ import annotations

from collections.abc import Mapping

from cards import verbs
from cards.common import Card, button, card, facts, heading, text
from cards.meeting_day.parts import Element, action_set, slot_line
from cluster.attendance import Standing
from cluster.commands.attendance import (
    AddAttendee,
    ConfirmSubstitute,
    MarkSetting,
    NameSubstitute,
    SayHere,
    SendApologies,
    ShowRollCall,
    ShowSubstituteForm,
    WithdrawSubstitute,
)
from cluster.commands.inputs import data_for
from cluster.meetings import MeetingSlot
from cluster.register import RollCall, SettingLine, SubstituteForm


def here_button(meeting_id: int) -> Element:
    """The "I'm here" button for a meeting's agenda: whoever clicks goes on the register as present."""
    return button("I'm here", verbs.REGISTER_HERE, data_for(SayHere, meeting_id=meeting_id))


def apologies_button(meeting_id: int) -> Element:
    """The "Send apologies" button for the meeting-morning post: a SENCO's or delegate's setting sends its apologies."""
    return button("Send apologies", verbs.REGISTER_APOLOGIES, data_for(SendApologies, meeting_id=meeting_id))


def roll_call_button(meeting_id: int) -> Element:
    """The "Roll call" button for the chair's and admin's cards."""
    return button("Roll call", verbs.ROLL_CALL, data_for(ShowRollCall, meeting_id=meeting_id))


def _setting_row(meeting_id: int, line: SettingLine, live: bool) -> Element:
    items: list[Element] = [
        text(line.setting, weight="Bolder"),
        text(line.line(), subtle=line.standing is not Standing.PRESENT, spacing="None"),
    ]
    if line.substitute:
        items.append(text(f"Substitute: {line.substitute}", subtle=True, spacing="None"))
    if live:
        mark = "absent" if line.standing is Standing.PRESENT else "present"
        title = f"Mark {line.setting} {mark}"
        data = data_for(MarkSetting, meeting_id=meeting_id, setting_id=line.setting_id, presence=mark)
        items.append(action_set([button(title, verbs.ROLL_CALL_MARK, data)]))
    return {"type": "Container", "separator": True, "items": items}


def roll_call_card(view: RollCall, values: Mapping[str, str] | None = None, errors: Mapping[str, str] = {}) -> Card:
    """The roll call: each setting's line with a button to mark it present or absent, and adding people by name."""
    kept = values or {}
    body: list[Element] = [
        heading(f"Roll call: {view.cluster} cluster"),
        text(slot_line(view.meeting), spacing="None"),
        text(view.register.summary(), weight="Bolder"),
    ]
    body += [_setting_row(view.meeting_id, line, view.open) for line in view.register.settings]
    body.append(text("Also present", weight="Bolder", size="Medium", spacing="Large"))
    body.append(text(", ".join(view.register.others) or "Nobody else yet.", subtle=not view.register.others))
    if view.register.wider_team:
        # The wider team (observers) by the service each represents: they attend, and never vote.
        body.append(text("Wider team, by service", weight="Bolder", size="Medium", spacing="Large"))
        body += [text(line, spacing="None") for line in view.register.wider_team]
    actions: list[Element] = [roll_call_button(view.meeting_id)]
    if view.open:
        body += [
            text("Add someone present by name", weight="Bolder", separator=True),
            {
                "type": "Input.Text",
                "id": "attendee_name",
                "label": "Name",
                "maxLength": 120,
                "value": kept.get("attendee_name", ""),
            },
            *([text(errors["attendee_name"], color="Attention")] if "attendee_name" in errors else []),
            {
                "type": "Input.ChoiceSet",
                "id": "attends_as",
                "label": "Attends as",
                "style": "expanded",
                "value": kept.get("attends_as", "tac"),
                "choices": [
                    {"title": "Team around the cluster", "value": "tac"},
                    {"title": "Other attendee", "value": "other"},
                ],
            },
            *([text(errors["attends_as"], color="Attention")] if "attends_as" in errors else []),
            action_set(
                [
                    button(
                        "Add to the register",
                        verbs.ROLL_CALL_ADD,
                        data_for(AddAttendee, meeting_id=view.meeting_id),
                        inputs=True,
                    )
                ]
            ),
        ]
    else:
        body.append(text("The meeting has ended: the register is closed.", subtle=True))
    return card(body, actions)


def substitute_form_card(
    form: SubstituteForm, values: Mapping[str, str] | None = None, errors: Mapping[str, str] = {}
) -> Card:
    """The SENCO's card to name a substitute for their setting at one meeting, or withdraw the one named."""
    kept = values or {}
    meeting = data_for(NameSubstitute, meeting_id=form.meeting_id)
    body: list[Element] = [
        heading(f"Substitute for {form.setting}"),
        text(f"{form.cluster} cluster · {slot_line(form.meeting)}", spacing="None"),
        text(
            "A substitute attends this one meeting for your setting and votes for it in your place. "
            "Choose a colleague the bot knows, or give their e-mail address (the cluster's admin confirms it).",
        ),
        facts([("Named now", form.current or "Nobody")]),
    ]
    if form.choices:
        body.append(
            {
                "type": "Input.ChoiceSet",
                "id": "substitute_person",
                "label": "A colleague the bot knows",
                "style": "filtered",
                "placeholder": "Type a name…",
                "value": kept.get("substitute_person", ""),
                "choices": [{"title": name, "value": str(person_id)} for person_id, name in form.choices],
            }
        )
    body += [
        *([text(errors["substitute_person"], color="Attention")] if "substitute_person" in errors else []),
        {
            "type": "Input.Text",
            "id": "substitute_email",
            "label": "Or their e-mail address",
            "style": "Email",
            "maxLength": 254,
            "value": kept.get("substitute_email", ""),
        },
        *([text(errors["substitute_email"], color="Attention")] if "substitute_email" in errors else []),
        {
            "type": "Input.Text",
            "id": "substitute_name",
            "label": "Their name (with an e-mail address)",
            "maxLength": 120,
            "value": kept.get("substitute_name", ""),
        },
        *([text(errors["substitute_name"], color="Attention")] if "substitute_name" in errors else []),
    ]
    actions = [button("Name the substitute", verbs.SUBSTITUTE_NAME, meeting, inputs=True)]
    if form.current:
        withdraw = data_for(WithdrawSubstitute, meeting_id=form.meeting_id)
        actions.append(button("Withdraw the substitute", verbs.SUBSTITUTE_WITHDRAW, withdraw))
    return card(body, actions)


def substitute_notice_card(cluster: str, slot: MeetingSlot, setting: str, named: bool) -> Card:
    """To the substitute, in personal chat: they are named for one meeting (or no longer are)."""
    if not named:
        return card(
            [
                heading("Substitute withdrawn"),
                text(f"You are no longer the substitute for {setting} at the {cluster} cluster's meeting."),
                text(slot_line(slot), subtle=True, spacing="None"),
            ]
        )
    return card(
        [
            heading(f"You are {setting}'s substitute"),
            text(slot_line(slot), spacing="None"),
            text(
                f"You attend the {cluster} cluster's meeting for {setting} and vote for it, at this meeting only. "
                "On the day, press \"I'm here\" on the agenda in the cluster's channel (or join its Teams meeting).",
            ),
        ],
        [here_button(slot.id)],
    )


def substitute_confirm_card(
    cluster: str, slot: MeetingSlot, setting: str, who: str, named_by: str, setting_id: int
) -> Card:
    """To the cluster's admins: a substitute named by e-mail address waits for their confirmation."""
    data = data_for(ConfirmSubstitute, meeting_id=slot.id, setting_id=setting_id)
    return card(
        [
            heading("A substitute to confirm"),
            text(f"{named_by} named {who} to attend and vote for {setting} at one meeting of the {cluster} cluster."),
            text(slot_line(slot), subtle=True, spacing="None"),
            text("Confirm only if you know this person works with the setting."),
        ],
        [button("Confirm the substitute", verbs.SUBSTITUTE_CONFIRM, data)],
    )


def substitute_menu_button(meeting_id: int) -> Element:
    """The "Name a substitute" button for the SENCO's cards."""
    return button("Name a substitute", verbs.SUBSTITUTE_FORM, data_for(ShowSubstituteForm, meeting_id=meeting_id))
