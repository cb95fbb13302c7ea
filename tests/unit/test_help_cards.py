"""Help says how to run a meeting to those who run one: by role, in personal chat and in the channel."""

from __future__ import annotations

import json

from cards.channel import channel_help_card
from cards.guide import roles_in
from cards.menu import MENU
from cards.people import help_card
from cluster.roles import Grant, Role


def shown(card: dict[str, object]) -> str:
    return json.dumps(card, ensure_ascii=False)


def test_a_chair_is_told_every_step_from_agenda_to_minutes_in_the_channel_and_in_personal_chat() -> None:
    for card in (channel_help_card("Central", roles={Role.CHAIR}), help_card("Chris", [], {Role.CHAIR})):
        text = shown(card)
        for step in ("agenda", "Start the meeting", "Open the vote on", "Close the vote", "Record the decision"):
            assert step in text
        assert "End the meeting" in text and "minutes" in text


def test_an_admin_is_told_how_to_prepare_and_a_member_how_to_vote() -> None:
    admin = shown(channel_help_card("Central", roles={Role.ADMIN}))
    assert "link cluster" in admin and "meetings" in admin and "referrals to check" in admin
    member = shown(channel_help_card("Central", roles={Role.SENCO}))
    assert "Approve, Decline or Abstain" in member and "Declare an interest" in member
    assert "Start the meeting" not in member and "referrals to check" not in member


def test_the_channel_help_depends_on_who_asks() -> None:
    cards = {role: shown(channel_help_card("Central", roles={role})) for role in Role}
    assert len({cards[r] for r in (Role.CHAIR, Role.ADMIN, Role.SENCO, Role.TEAM_AROUND_CLUSTER)}) == 4


def test_only_the_roles_held_in_the_channels_cluster_count() -> None:
    grants = [Grant(Role.CHAIR, "North"), Grant(Role.SENCO, "Central", "Etruscan Primary School")]
    assert roles_in(grants, "Central") == {Role.SENCO}
    assert roles_in(grants, None) == {Role.CHAIR, Role.SENCO}
    assert "Start the meeting" not in shown(channel_help_card("Central", roles=roles_in(grants, "Central")))


def test_personal_help_still_lists_the_commands() -> None:
    card = help_card("Sam", list(MENU[:3]), {Role.SENCO})
    assert "next meeting" in shown(card) and "Vote" in shown(card)


def test_a_meeting_titled_meeting_is_not_called_a_meeting_meeting() -> None:
    from cards.common import meeting_name

    assert meeting_name("Demo meeting 1") == "Demo meeting 1"
    assert meeting_name("Autumn 2") == "Autumn 2 meeting"
