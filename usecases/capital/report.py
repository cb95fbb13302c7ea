"""The capital report (every application, for a council officer) and the finance export's capital rows."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import Engine
from sqlmodel import Session, col

from cluster import capital_fund as fund
from cluster.capital_fund import ApplicationView, RoundView
from cluster.permissions import CAPITAL_REPORT, Forbidden
from store import audit
from store.db import transaction
from store.models import Referral
from usecases.capital.views import capital_rows, round_views_in, today_of, views_in
from usecases.people import Actor, require_registered


class StageRow(NamedTuple):
    """One application as the finance export lists it (money in pence; None where nothing is decided yet)."""

    reference: str
    setting: str
    cluster: str
    stage: str
    asked_pence: int
    decided_pence: int | None
    released_pence: int | None


# --- the report and the finance export ------------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    """Everything the capital report lists: the rounds, and every application with its averages and journey."""

    rounds: tuple[RoundView, ...]
    applications: tuple[ApplicationView, ...]
    made_on: date


def report(engine: Engine, actor: Actor, now: datetime, *, offer_only: bool = False) -> Report:
    """Every application in the city, for a council officer's capital report (audited: who had it, when).

    ``offer_only``: the report is only being offered (Teams asks first), so the ``capital.report`` line
    waits for the officer to accept it.
    """
    require_registered(actor)
    if not any(CAPITAL_REPORT.holds(g.role) for g in actor.grants):
        raise Forbidden(CAPITAL_REPORT.refusal)
    today = today_of(now)
    with transaction(engine, serial=False) as session:
        rows = capital_rows(session, None)
        views = sorted(views_in(session, rows, today), key=lambda v: (v.year_start, v.reference))
        # The report is made again each time it is asked for, so every scored application shows its averages.
        closed = [v for v in views if v.averages is not None]
        if not offer_only:
            audit.record(
                session, now, actor.tag, "capital.report", "capital:report", count=len(views), closed=len(closed)
            )
        return Report(tuple(round_views_in(session)), tuple(views), today)


def capital_stages(session: Session, cluster_ids: Iterable[int] | None) -> list[StageRow]:
    """Every capital application of these clusters (None: every cluster) and its stage, for finance exports.

    In the caller's unit of work; a fixed number of queries. Rows are (reference, setting, cluster, stage,
    asked, the Board's decided amount (0 when declined, None while undecided), released (None until then)).
    A stage does not depend on the day (only lateness does, which the export leaves out).
    """
    today = date(2000, 1, 1)
    rows = capital_rows(session, None if cluster_ids is None else col(Referral.cluster_id).in_(set(cluster_ids)))
    out = []
    for view in sorted(views_in(session, rows, today), key=lambda v: (v.cluster, v.reference)):
        board = view.progress.board
        out.append(
            StageRow(
                view.reference,
                view.setting,
                view.cluster,
                fund.STAGE_TITLES[view.stage],
                view.asked_pence,
                None if board is None else board.amount_pence,
                view.progress.journey.released_pence,
            )
        )
    return out
