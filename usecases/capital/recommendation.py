"""The chair records the panel's recommendation to the Board."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine

from cluster import capital_fund as fund
from cluster.capital_fund import Recommendation
from cluster.commands.capital import Recommend
from cluster.errors import InvalidInput, Refusal
from cluster.permissions import CHAIR_PANEL, authorize
from store import audit
from store.db import transaction
from usecases.capital.access import OpenedApplication, application_of, as_opened, load, refuse_unless_live
from usecases.people import Actor


def recommend(engine: Engine, actor: Actor, command: Recommend, now: datetime) -> OpenedApplication:
    """The chair records the panel's recommendation (changeable until the Board decides)."""
    referral_id = command.referral_id
    with transaction(engine, serial=False) as session:
        referral, app = load(session, referral_id, turn=True)
        authorize(actor.grants, CHAIR_PANEL, referral.cluster_id)
        refuse_unless_live(referral)
        app = application_of(app)
        if app.panel_closed_at is None:
            raise Refusal("Close the panel's scoring first: the recommendation follows the scores.")
        if app.board_approved is not None:
            raise Refusal("The Board has decided this application, so the recommendation can no longer change.")
        chosen, errors = fund.check_recommendation(command.recommendation, command.reasons, command.conditions)
        if errors:
            raise InvalidInput(errors, {})
        conditions = command.conditions if chosen is Recommendation.WITH_CONDITIONS else ""
        if (app.recommendation, app.recommendation_reasons, app.recommendation_conditions) == (
            chosen.value,
            command.reasons,
            conditions,
        ):
            return as_opened(session, actor, referral_id, now, "The panel's recommendation is recorded.")
        app.recommendation, app.recommendation_reasons = chosen.value, command.reasons
        app.recommendation_conditions = conditions
        app.recommended_by, app.recommended_at = actor.person_id, now
        session.add(app)
        audit.record(session, now, actor.tag, "capital.recommend", f"referral:{referral_id}", choice=chosen.value)
        return as_opened(
            session, actor, referral_id, now, "The panel's recommendation is recorded; it goes to the Board."
        )
