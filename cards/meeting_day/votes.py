"""The vote card: an item's live vote in the agenda's thread, its result once closed, its decision once made."""

from __future__ import annotations

from typing import Any

from cards import verbs
from cards.common import Card, button, card, facts, heading, text
from cards.meeting_day.parts import (
    CHOICE_TITLES,
    MY_VIEW,
    Element,
    action_set,
    counts,
    decision_pairs,
    entry_line,
    names_line,
    quorum,
    result_line,
)
from cluster.agenda import ItemState, VoteView
from cluster.commands.inputs import data_for
from cluster.commands.meetings import (
    CastVote,
    CloseVote,
    DeclareInterest,
    RemindVoters,
    ShowDecisionForm,
    ShowVote,
)
from cluster.impact import ratings_line
from cluster.voting import Choice, Tally

CASTING_NOTE = "Chair's casting vote (used only on a tie)"


def _is_tie(tally: Tally) -> bool:
    return tally.approve == tally.decline and tally.cast_votes > 0


def present_voted(view: VoteView) -> str:
    """'3 of 7 present settings have voted' (present and not recused on this item)."""
    return f"{view.present_voted} of {view.may_vote} present settings have voted"


def _chair_close(view: VoteView) -> Element:
    """The chair's part of an open vote: who has not voted (with "Remind them"), the casting vote on a tie, Close."""
    items: list[Element] = [text("For the chair", weight="Bolder")]
    if view.not_voted:
        items += [
            facts([("Not voted yet", names_line(view.not_voted))]),
            action_set(
                [button("Remind them", verbs.VOTE_REMIND, data_for(RemindVoters, item_id=view.item_id))],
            ),
        ]
    elif view.may_vote:
        items.append(text("Every setting present that may vote has voted.", subtle=True, spacing="None"))
    if _is_tie(view.tally):
        items += [
            {
                "type": "Input.ChoiceSet",
                "id": "casting",
                "label": CASTING_NOTE,
                "style": "expanded",
                "isRequired": False,
                "choices": [
                    {"title": CHOICE_TITLES[Choice.APPROVE], "value": Choice.APPROVE.value},
                    {"title": CHOICE_TITLES[Choice.DECLINE], "value": Choice.DECLINE.value},
                ],
            },
            text("Without a casting vote a tie is recorded as tied.", subtle=True, size="Small", spacing="None"),
        ]
    items.append(
        action_set([button("Close the vote", verbs.ITEM_CLOSE, data_for(CloseVote, item_id=view.item_id), inputs=True)])
    )
    return {"type": "Container", "style": "emphasis", "separator": True, "items": items}


def _refresh(view: VoteView) -> dict[str, Any]:
    data = {"verb": verbs.VOTE_REFRESH, **data_for(ShowVote, item_id=view.item_id)}
    return {
        "action": {"type": "Action.Execute", "verb": verbs.VOTE_REFRESH, "data": data},
        "userIds": list(view.refresh_user_ids)[:60],  # Teams refreshes automatically for at most 60 users
    }


def vote_card(view: VoteView, user_choice: bool = False, for_chair: bool = True) -> Card:
    """An item's vote card in the agenda's thread.

    While open: the counts, which settings have voted (not how), the quorum and the interests declared; the
    vote buttons and, for the chair, Close (with a casting vote on a tie); and a ``refresh`` so each listed
    member gets their own copy - with ``user_choice`` that copy says how they voted. Once closed: the
    result and how each setting voted, with "Record the decision" for the chair. Once decided: the
    decision, and no buttons. ``for_chair=False`` leaves out the chair's controls, and offers "Refresh my view"
    until the decision is recorded.
    """
    entry = view.entry
    body: list[Element] = [
        heading(f"Vote: {entry.reference}"),
        text(entry_line(entry), spacing="None"),
    ]
    if entry.outcome_ratings:
        body.append(facts([("Outcomes rated at review", ratings_line(entry.outcome_ratings))]))
    is_open = view.state == ItemState.OPEN
    actions: list[Element] = []
    if view.state == ItemState.PENDING:
        body.append(text("This item is not open for voting yet.", subtle=True))
    elif is_open:
        body.append(text("Open for voting", weight="Bolder"))
        body.append(
            facts(
                [
                    ("Votes", counts(view.tally)),
                    (f"Settings voted ({len(view.voted)})", names_line(view.voted, "None yet")),
                    ("Quorum", quorum(view.tally, open_=True)),
                    ("Interests declared", names_line(view.interests)),
                ]
            )
        )
        if view.quorum_check:
            body.append(text(present_voted(view), weight="Bolder"))
            body.append(text(f"Register: {view.quorum_check}", subtle=True, spacing="None"))
        body.append(text("How each setting voted is shown when the vote closes.", subtle=True, size="Small"))
        if user_choice and view.your_choice is not None:
            body.append(
                text(f"You voted: {CHOICE_TITLES[view.your_choice]}", weight="Bolder"),
            )
            body.append(text("You can change your vote until the chair closes it.", subtle=True, spacing="None"))
        if for_chair:
            body.append(_chair_close(view))
        actions = [
            *(
                button(CHOICE_TITLES[c], verbs.VOTE_CAST, data_for(CastVote, item_id=view.item_id, choice=c.value))
                for c in (Choice.APPROVE, Choice.DECLINE, Choice.ABSTAIN)
            ),
            button("Declare an interest", verbs.VOTE_INTEREST, data_for(DeclareInterest, item_id=view.item_id)),
        ]
    else:
        body.append(text(result_line(view), size="Medium", weight="Bolder"))
        body.append(
            facts(
                [
                    ("Votes", counts(view.tally)),
                    ("Quorum", quorum(view.tally, open_=False)),
                    ("Interests declared", names_line(view.interests)),
                ]
            )
        )
        if view.ballots:
            body.append(text("How each setting voted", weight="Bolder"))
            body.append(facts([(setting, CHOICE_TITLES[choice]) for setting, choice in view.ballots]))
        if view.state == ItemState.DECIDED and entry.decision is not None:
            body.append(text("Decision", weight="Bolder", size="Medium", spacing="Medium"))
            body.append(facts(decision_pairs(entry.decision)))
        elif view.state == ItemState.CLOSED:
            body.append(text("The vote is closed. The chair records the decision.", subtle=True))
            if for_chair:
                actions = [
                    button("Record the decision", verbs.DECISION_FORM, data_for(ShowDecisionForm, item_id=view.item_id))
                ]
    if not for_chair and view.state in (ItemState.OPEN, ItemState.CLOSED):
        # As on the agenda: the chair (or a member Teams does not refresh it for) asks for their own view.
        actions.append(button(MY_VIEW, verbs.VOTE_REFRESH, data_for(ShowVote, item_id=view.item_id)))
    result = card(body, actions)
    if is_open:
        result["refresh"] = _refresh(view)
    return result


def vote_reminder_card(view: VoteView) -> Card:
    """The chair's reminder to a setting that has not voted: the member's vote card, with why it came."""
    reminder = vote_card(view, for_chair=False)
    note = text("The chair asks for your setting's vote on this item.", weight="Bolder")
    reminder["body"] = [note, *reminder["body"]]
    return reminder
