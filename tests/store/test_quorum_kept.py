"""A vote's quorum is the one it had when it closed: changing the cluster's rules later rewrites no record."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from tests.support.two_clusters import NOW, build_scene
from usecases.meeting_day.minutes import minutes_of_meeting
from usecases.meeting_day.votes import shared_vote_view
from usecases.meetings import set_voting_rules


def test_raising_the_quorum_after_a_meeting_leaves_its_approval_quorate_in_the_minutes(
    engine: Engine, tmp_path: Path
) -> None:
    scene = build_scene(engine, tmp_path)  # Central's funded item: 1 voted, 1 needed, approved
    before = minutes_of_meeting(engine, scene.central.meeting)
    set_voting_rules(engine, "Central", NOW, quorum=5, same_trust_recusal=None)
    after = minutes_of_meeting(engine, scene.central.meeting)
    funded = [e for e in after.entries if e.entry.referral_id == scene.central.referral]
    assert funded and funded[0].tally is not None
    assert funded[0].tally.quorate and funded[0].tally.needed == 1
    assert [e.result for e in after.entries] == [e.result for e in before.entries]


def test_an_open_vote_follows_the_clusters_current_quorum(engine: Engine, tmp_path: Path) -> None:
    scene = build_scene(engine, tmp_path)
    set_voting_rules(engine, "Central", NOW, quorum=5, same_trust_recusal=None)
    open_item = shared_vote_view(engine, scene.central.item)
    assert open_item.tally.needed == 5
