"""The Capital Fund's scheduled work: scoring cards once a window closes, and nudges as a round's dates near.

Each application keeps the day the scheduler should next look at it (``capital_application.next_look_on``,
indexed): the window's end, then each nudge point of its round (see :func:`cluster.capital_fund.nudges_due`).
A run reads only the applications whose look has come, so its cost grows with what falls due, and a run
with nothing due is one indexed query. Each application is looked at in its own short unit, in its
cluster's and its own turn, and everything it owes goes to the outbox under keys derived from the change
(``notice:capital:7:score:person:3``, ``capital:7:panel-5:unscored:person:3``): a rerun, a second replica or
a restart owes nothing twice.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from cluster.capital_fund import ApplicationView, NudgeDue
from cluster.clock import LONDON
from store.db import transaction
from usecases.capital import looks_due, take_application_turn, visit_application

BATCH = 200

ScoreCard = Callable[[ApplicationView], dict[str, Any]]
NudgeCard = Callable[[ApplicationView, NudgeDue], dict[str, Any]]


def owe_capital_notices(engine: Engine, now: datetime, score_card: ScoreCard, nudge_card: NudgeCard) -> list[str]:
    """Owe every scoring card and nudge that has fallen due; returns the outbox keys newly owed."""
    today = now.astimezone(LONDON).date()
    owed: list[str] = []
    while True:
        with transaction(engine, read_only=True) as session:
            due = looks_due(session, today, BATCH)
        if not due:
            return owed
        for referral_id in due:
            with transaction(engine, serial=False) as session:
                if take_application_turn(session, referral_id):
                    owed += visit_application(session, referral_id, now, score_card, nudge_card)
        if len(due) < BATCH:
            return owed
