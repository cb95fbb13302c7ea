"""The project's impact, recorded once it is completed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine

from cluster import capital_fund as fund
from cluster.commands.capital import Evaluate
from cluster.errors import InvalidInput, Refusal
from cluster.permissions import EVALUATE_CAPITAL
from store import audit
from store.db import transaction
from usecases.capital.access import OpenedApplication, as_opened
from usecases.capital.journey import project_of
from usecases.people import Actor


def evaluate(engine: Engine, actor: Actor, command: Evaluate, now: datetime) -> OpenedApplication:
    """The project's impact, recorded once it is completed by the setting or the cluster's chair or team."""
    referral_id = command.referral_id
    with transaction(engine, serial=False) as session:
        referral, app, _ = project_of(session, actor, referral_id, EVALUATE_CAPITAL, now)
        if app.completed_on is None:
            raise Refusal("The project's impact is recorded once it is completed.")
        evaluation, errors = fund.check_evaluation(command)  # every mistake at once
        if evaluation is None:
            raise InvalidInput(errors, {})
        kept = {
            "ehcp_pupils": evaluation.ehcp_pupils,
            "pupils_weekly": evaluation.pupils_weekly,
            "attendance_change": evaluation.attendance_change,
            "what_changed": evaluation.what_changed,
        }
        if app.evaluation != kept:
            app.evaluation, app.evaluated_at, app.evaluated_by = kept, now, actor.person_id
            session.add(app)
            audit.record(session, now, actor.tag, "capital.evaluate", f"referral:{referral.id}")
        return as_opened(session, actor, referral_id, now, "The project's impact is recorded.")
