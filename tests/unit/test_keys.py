"""Every key a card or an owed message is kept under, pinned to the exact string stored today.

The outbox de-duplicates owed messages by these keys across restarts and releases, and channel cards are
found again by theirs: a key that changed its form would owe again what was already sent (or never find
the card it should update). Changing one of these strings is a migration, not a refactor.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cluster import keys
from cluster.keys import CardKey


def test_channel_card_keys() -> None:
    assert keys.agenda(12) == "agenda:12"
    assert keys.vote(34) == "vote:34"
    assert keys.minutes(12) == "minutes:12"
    assert keys.agenda(12) == keys.AGENDA_PREFIX + "12", "the agenda job builds the key in SQL from the prefix"


def test_a_channel_card_key_reads_back_as_the_card_it_names() -> None:
    assert keys.parse_card_key(keys.agenda(12)) == CardKey("agenda", 12)
    assert keys.parse_card_key(keys.vote(34)) == CardKey("vote", 34)
    assert keys.parse_card_key(keys.minutes(7)) == CardKey("minutes", 7)


@pytest.mark.parametrize("key", ["morning:12", "agenda:", "agenda:x", "vote:-1", "agenda:12:no-channel", "agenda:١٢"])
def test_a_key_naming_no_channel_card_is_refused(key: str) -> None:
    with pytest.raises(LookupError):
        keys.parse_card_key(key)


def test_referral_notice_keys() -> None:
    assert keys.referral_notice(7, "submitted", 3) == "notice:referral:7:submitted:v3"
    assert keys.referral_notice(7, "withdrawn", 4) == "notice:referral:7:withdrawn:v4"
    assert keys.referral_notice(7, "accepted", 4) == "notice:referral:7:accepted:v4"
    assert keys.referral_notice(7, "returned", 5) == "notice:referral:7:returned:v5"
    assert keys.referral_moved(7, 2, 3) == "notice:referral:7:moved:2:3"


def test_decision_notice_keys() -> None:
    assert keys.decision_notice(12) == "notice:decision:12"
    assert keys.decision_letter(12) == "notice:decision:12:letter"


def test_capital_fund_keys() -> None:
    assert keys.capital_notice(7, "score") == "notice:capital:7:score"
    assert keys.capital_notice(7, "board") == "notice:capital:7:board"
    assert keys.capital_notice(7, "released") == "notice:capital:7:released"
    assert keys.capital_nudge(7, "panel-5", "unscored") == "capital:7:panel-5:unscored"


def test_reminder_and_nudge_keys() -> None:
    assert keys.review_nudge(12, "before-14") == "review:12:before-14"
    assert keys.deadline_reminder(12, 7) == "deadline:12:7"
    assert keys.morning(12) == "morning:12"
    assert keys.no_channel(12) == "agenda:12:no-channel"


def test_quality_assurance_visit_keys() -> None:
    recorded = datetime(2026, 6, 17, 9, 30, tzinfo=UTC)  # 10:30 in London
    assert keys.qa_visit_notice(5, "report", recorded) == "notice:qa-visit:5:report:20260617T103000"
    assert keys.qa_visit_notice(5, "concern", recorded) == "notice:qa-visit:5:concern:20260617T103000"
    assert keys.qa_visit_notice(5, "acknowledged", recorded) == "notice:qa-visit:5:acknowledged:20260617T103000"
    assert keys.qa_action_nudge(9, "before-7") == "qa-action:9:before-7"
    assert keys.qa_follow_up(5) == "qa-follow-up:5"


def test_citywide_pack_keys() -> None:
    assert keys.citywide_pack(4) == "citywide-pack:4"
    assert keys.citywide_pack(4) == keys.CITYWIDE_PACK_PREFIX + "4", "the pack job builds the key in SQL"
    assert keys.citywide_pack_part("citywide-pack:4", 2) == "citywide-pack:4:part:2"
    assert keys.citywide_unposted(4) == "citywide-pack:4:no-channel"
    # London time: 09:30 UTC on a summer day is 10:30 in London.
    asked = keys.citywide_pack_asked(4, datetime(2026, 6, 17, 9, 30, tzinfo=UTC))
    assert asked == "citywide-pack:4:asked:202606171030"
    assert keys.citywide_pack_part(asked, 1) == "citywide-pack:4:asked:202606171030:part:1"


def test_each_person_has_their_own_copy_of_a_message() -> None:
    assert keys.for_person("notice:decision:12", 3) == "notice:decision:12:person:3"
    assert keys.for_person(keys.review_nudge(12, "due"), 7) == "review:12:due:person:7"
    assert keys.for_person(keys.deadline_reminder(12, 7), 3) == "deadline:12:7:person:3"


def test_the_erasure_finds_every_message_about_a_referral_by_its_prefixes() -> None:
    assert keys.referral_messages(7) == "notice:referral:7:"
    assert keys.decision_messages(12) == "notice:decision:12:"
    assert keys.review_messages(12) == "review:12:"
    about_referral = [
        keys.referral_notice(7, "accepted", 4),
        keys.referral_moved(7, 2, 3),
    ]
    about_decision = [keys.decision_notice(12), keys.decision_letter(12)]
    assert all(keys.for_person(k, 1).startswith(keys.referral_messages(7)) for k in about_referral)
    assert all(keys.for_person(k, 1).startswith(keys.decision_messages(12)) for k in about_decision)
    assert keys.for_person(keys.review_nudge(12, "due"), 1).startswith(keys.review_messages(12))
    assert not keys.referral_notice(70, "accepted", 1).startswith(keys.referral_messages(7)), "7 is not 70"


def test_the_outbox_keys_its_own_rows_here_too() -> None:
    assert keys.channel_card(keys.vote(34)) == "card:vote:34", "a channel card's one outbox row"
    assert keys.channel_card(keys.agenda(12)) == keys.CHANNEL_CARD_PREFIX + "agenda:12"
    passed_on = keys.rerouted(keys.for_person(keys.review_nudge(12, "due"), 7), 3)
    assert passed_on == "review:12:due:person:7:admin:3", "a message its recipient could not have, owed to an admin"
    assert keys.is_rerouted(passed_on), "a message passed to an admin is not passed on again"
    assert not keys.is_rerouted(keys.for_person(keys.review_nudge(12, "due"), 7))


def test_teams_meeting_keys() -> None:
    assert keys.teams_meeting_started(2) == "notice:teams-meeting:2:started"
    assert keys.teams_meeting_ended(2) == "notice:teams-meeting:2:ended"
    assert keys.meeting_notification(34) == "meeting-notification:item:34"
