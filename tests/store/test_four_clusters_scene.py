"""The four-cluster scene the isolation tests stand on: each cluster has its own rows and money."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine
from sqlmodel import Session, select

from store.models import ConversationRef, Meeting, Referral, Setting
from tests.conftest import TEST_NOW
from tests.support.four_clusters import NAMES, four_clusters
from usecases.budget import budget_for


def test_four_clusters_each_have_their_own_settings_meetings_channel_and_referrals(engine: Engine) -> None:
    scene = four_clusters(engine, TEST_NOW)
    assert [c.name for c in scene] == list(NAMES)
    with Session(engine) as session:
        for c in scene:
            settings = session.exec(select(Setting.name).where(Setting.cluster_id == c.cluster_id)).all()
            assert sorted(settings) == sorted(c.settings)
            assert session.exec(select(Meeting).where(Meeting.cluster_id == c.cluster_id)).first() is not None
            [channel] = session.exec(select(ConversationRef).where(ConversationRef.cluster_id == c.cluster_id))
            assert channel.conversation_id == c.channel
            references = session.exec(select(Referral.reference).where(Referral.cluster_id == c.cluster_id)).all()
            assert set(c.references) <= set(references)
            assert all(r is None or r.startswith(c.code) for r in references)
    made_up = [s for c in scene.others("Central") for s in c.settings]
    assert made_up and all(s.endswith("(made-up)") for s in made_up)


def test_four_clusters_budgets_differ_in_what_they_hold_commit_and_have_paid(engine: Engine) -> None:
    scene = four_clusters(engine, TEST_NOW)
    seen = set()
    for c in scene:
        view = budget_for(engine, c.name, date(2025, 11, 20))
        assert view is not None
        assert view.rule.total_pence == c.budget_total_pence
        assert view.position.committed == c.amount_pence
        assert view.position.paid == c.paid_pence
        seen.add((c.budget_total_pence, c.amount_pence, c.paid_pence))
    assert len(seen) == 4
