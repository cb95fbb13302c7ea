"""Every key the bot keeps a card or an owed message under, made in one place.

Two kinds of key:

- A channel card's key (``agenda:12``, ``vote:34``, ``minutes:12``): the card the bot keeps up to date in a
  cluster's channel, owed again whenever what it shows changes (``store.outbox.owe_card``) and drawn from
  the database by its key when it is sent (:func:`parse_card_key`, ``bot.delivery.channel_cards``).
- An owed message's key (``notice:decision:7``, ``morning:12``): it names the change or the point in time
  the message follows, so owing it again (a doubled click, a rerun, a second replica, a restart) owes
  nothing more. A message to people is owed once per person under ``{key}:person:{id}``
  (:func:`for_person`, as ``store.outbox.owe_notice`` does).

The outbox's own rows are keyed here too: a channel card's row (:func:`channel_card`) and a message passed
to an admin when its recipient cannot be reached (:func:`rerouted`).

The keys are stored in the outbox and de-duplicate owed messages across restarts and releases, so each
function here must keep making exactly the string it makes today (``tests/unit/test_keys.py`` pins them).
The erasure of a referral's pupil details finds the messages about it by the prefixes at the end.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from cluster.clock import LONDON

# --- channel cards -----------------------------------------------------------------------------------------

CardKind = Literal["agenda", "vote", "minutes"]
AGENDA_PREFIX = "agenda:"
"""What every agenda's card key starts with (the agenda job matches it in SQL: ``agenda:`` and the meeting id)."""


@dataclass(frozen=True)
class CardKey:
    """A channel card's key, read back: which card, and the meeting's or the agenda item's id."""

    kind: CardKind
    id: int


def agenda(meeting_id: int) -> str:
    """The key of a meeting's agenda card in its cluster's channel."""
    return f"{AGENDA_PREFIX}{meeting_id}"


def vote(item_id: int) -> str:
    """The key of an agenda item's vote card (posted in the agenda's thread)."""
    return f"vote:{item_id}"


def minutes(meeting_id: int) -> str:
    """The key of a meeting's minutes card, posted when the chair ends the meeting."""
    return f"minutes:{meeting_id}"


_CARD_KINDS: dict[str, CardKind] = {"agenda": "agenda", "vote": "vote", "minutes": "minutes"}


def parse_card_key(card_key: str) -> CardKey:
    """The card a channel card's key names; LookupError when it names none of the three."""
    kind, _, raw_id = card_key.partition(":")
    known = _CARD_KINDS.get(kind)
    if known is None or not raw_id.isascii() or not raw_id.isdigit():
        raise LookupError(f"no channel card is called {card_key!r}")
    return CardKey(known, int(raw_id))


# --- messages owed to people ------------------------------------------------------------------------------


def for_person(key: str, person_id: int) -> str:
    """The key of one person's copy of a message owed to several (``store.outbox.owe_notice`` adds the same)."""
    return f"{key}:person:{person_id}"


ReferralChange = Literal["submitted", "withdrawn", "accepted", "returned"]


def referral_notice(referral_id: int, change: ReferralChange, version: int) -> str:
    """A referral's change and the version it made: the same change delivered twice tells nobody twice."""
    return f"notice:referral:{referral_id}:{change}:v{version}"


def referral_moved(referral_id: int, ended_meeting_id: int, to_meeting_id: int) -> str:
    """A referral left on an ended meeting and moved to the next: the referral and the two meetings."""
    return f"notice:referral:{referral_id}:moved:{ended_meeting_id}:{to_meeting_id}"


def decision_notice(decision_id: int) -> str:
    """The referrer's notice of what the meeting decided."""
    return f"notice:decision:{decision_id}"


def decision_letter(decision_id: int) -> str:
    """The offer of the decision's letter (Word), owed beside its notice."""
    return f"{decision_notice(decision_id)}:letter"


def vote_reminder(item_id: int, at: datetime) -> str:
    """The chair's reminder to the settings that have not voted on an item: once per minute asked (London).

    A doubled click (Teams delivering it twice, or the chair pressing again at once) reminds each person
    once; pressing again a minute later reminds those who still have not voted again.
    """
    return f"notice:vote:{item_id}:remind:{at.astimezone(LONDON):%Y%m%d%H%M}"


def handed_over(meeting_id: int) -> str:
    """The notice to the person a meeting was handed to (``owe_notice`` adds the person: once each)."""
    return f"notice:meeting:{meeting_id}:acting-chair"


CapitalNotice = Literal["score", "board", "released"]


def capital_notice(referral_id: int, what: CapitalNotice) -> str:
    """A Capital Fund application's notice: the panel's scoring card, the Board's decision, the money released."""
    return f"notice:capital:{referral_id}:{what}"


def capital_nudge(referral_id: int, point: str, audience: str) -> str:
    """A Capital Fund reminder as a round's date nears: the application, the point and who it is for."""
    return f"capital:{referral_id}:{point}:{audience}"


def review_nudge(review_id: int, point: str) -> str:
    """A review's nudge at one point of its plan (``before-14``, ``due``, ``overdue-7``...)."""
    return f"{review_messages(review_id)}{point}"


def deadline_reminder(meeting_id: int, days: int) -> str:
    """The reminder ``days`` before a meeting's referral deadline, to its cluster's SENCOs and delegates."""
    return f"deadline:{meeting_id}:{days}"


SubstituteNotice = Literal["named", "withdrawn", "confirm"]


def substitute(substitute_id: int, what: SubstituteNotice) -> str:
    """A substitute's notices: told they are named (or withdrawn), and the admins asked to confirm an e-mail.

    Keyed by the substitute's row, which each naming makes anew: naming the same person again after a
    withdrawal tells them again; a doubled click does not.
    """
    return f"notice:substitute:{substitute_id}:{what}"


def no_channel(meeting_id: int) -> str:
    """The note to a cluster's admins and chair that a meeting's agenda has no channel to go to."""
    return f"{agenda(meeting_id)}:no-channel"


def teams_meeting_started(meeting_id: int) -> str:
    """The chair's offer to start the cluster meeting when the channel's Teams meeting starts (once a meeting)."""
    return f"notice:teams-meeting:{meeting_id}:started"


def teams_meeting_ended(meeting_id: int) -> str:
    """The chair's reminder that the Teams meeting ended with the cluster meeting still open (once a meeting)."""
    return f"notice:teams-meeting:{meeting_id}:ended"


def meeting_notification(item_id: int) -> str:
    """The in-meeting notification, in the channel's Teams meeting, that an item's vote opened."""
    return f"meeting-notification:item:{item_id}"


# --- messages owed to a channel ---------------------------------------------------------------------------

CITYWIDE_PACK_PREFIX = "citywide-pack:"
"""What a citywide meeting's pack key starts with (the pack job matches it in SQL with the meeting's id)."""


def morning(meeting_id: int) -> str:
    """The post in a cluster's channel on the morning of its meeting."""
    return f"morning:{meeting_id}"


def citywide_pack(meeting_id: int) -> str:
    """A citywide meeting's pack in the citywide channel: owed once, whoever owes it first."""
    return f"{CITYWIDE_PACK_PREFIX}{meeting_id}"


def citywide_pack_asked(meeting_id: int, at: datetime) -> str:
    """A pack an officer asked for again (``@citywide pack``): once per minute asked, London time."""
    return f"{citywide_pack(meeting_id)}:asked:{at.astimezone(LONDON):%Y%m%d%H%M}"


def citywide_pack_part(pack_key: str, number: int) -> str:
    """The pack's later cards (each section of the figures), keyed from its first card's key."""
    return f"{pack_key}:part:{number}"


def citywide_unposted(meeting_id: int) -> str:
    """The note to the council officers that a pack could not be posted (no citywide channel)."""
    return f"{citywide_pack(meeting_id)}:no-channel"


# --- quality-assurance visits to settings (issue 22) ------------------------------------------------------

QaNotice = Literal["report", "concern", "acknowledged"]


def qa_visit_notice(visit_id: int, what: QaNotice, recorded_at: datetime) -> str:
    """A visit's report sent to the setting, its concern to the chair, its acknowledgement to the team.

    The report's recording time is in the key, so recording the report again (a correction) tells them again,
    while a doubled click owes nothing more.
    """
    return f"notice:qa-visit:{visit_id}:{what}:{recorded_at.astimezone(LONDON):%Y%m%dT%H%M%S}"


def qa_action_nudge(action_id: int, point: str) -> str:
    """An open action's nudge at one point (``before-7``, ``before-0``, ``late-2``: see ``cluster.qa_visits``)."""
    return f"qa-action:{action_id}:{point}"


def qa_follow_up(visit_id: int) -> str:
    """The team's nudge on a visit's follow-up date."""
    return f"qa-follow-up:{visit_id}"


# --- the outbox's own rows --------------------------------------------------------------------------------

CHANNEL_CARD_PREFIX = "card:"
"""What the outbox row of every channel card is keyed by, before the card's own key."""
REROUTE_MARK = ":admin:"
"""What a message passed to an admin adds to the key of the message its recipient could not have."""


def channel_card(card_key: str) -> str:
    """The outbox row of a channel card (``card:vote:34``): one row per card, owed again whenever it changes."""
    return f"{CHANNEL_CARD_PREFIX}{card_key}"


def rerouted(key: str, admin_id: int) -> str:
    """A message the bot cannot deliver to its recipient, owed instead to one of their cluster's admins."""
    return f"{key}{REROUTE_MARK}{admin_id}"


def is_rerouted(key: str) -> bool:
    """Whether the message was passed to an admin already (it is not passed on again)."""
    return REROUTE_MARK in key


# --- what an erasure blanks -------------------------------------------------------------------------------


def referral_messages(referral_id: int) -> str:
    """The prefix of every message about a referral (its changes and its moves), whoever it went to."""
    return f"notice:referral:{referral_id}:"


def decision_messages(decision_id: int) -> str:
    """The prefix of every message about a decision (its notice and its letter's offer), whoever it went to."""
    return f"{decision_notice(decision_id)}:"


def review_messages(review_id: int) -> str:
    """The prefix of every nudge about a review."""
    return f"review:{review_id}:"
