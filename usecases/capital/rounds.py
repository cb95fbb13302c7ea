"""The Capital Fund's rounds: the one writer of a school year's application window and round.

A school year's row (``capital_window``) holds its application window, which submissions are checked
against, and, once a council officer sets the round, its total and timeline. It is written here only,
under the same rules whoever writes it: the officer's round form (:func:`save_round`), the command line's
``capital-round set`` and ``capital-window`` (:func:`set_round`, with a whole round or a window only).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from sqlalchemy import Engine
from sqlmodel import Session, select

from cluster import capital_fund as fund
from cluster.capital_fund import Round, RoundView
from cluster.commands.capital import SetRound
from cluster.errors import InvalidInput, Refusal
from cluster.permissions import SET_CAPITAL_ROUND, Forbidden
from cluster.referrals import Window
from cluster.roles import CITYWIDE_ROLES
from store import audit
from store.db import take_turn, transaction
from store.models import CapitalApplication, CapitalWindow
from usecases.capital.views import round_of, round_views_in, today_of
from usecases.people import Actor, require_registered

WINDOW_BACKWARDS = "The window must close after it opens."


def set_round(engine: Engine, year_start: int, change: Round | Window, now: datetime, actor: str) -> RoundView:
    """Set (or correct) the round, or only the window, of the school year starting in September of ``year_start``.

    The window is what submissions are checked against. A window given alone keeps the year's timeline
    (the window must then still come before the panel's date). Either way the window falls within its
    school year, and applications of the year are looked at again by the next scheduler run, since their
    nudges follow the round's dates.
    """
    with transaction(engine, serial=False) as session:
        take_turn(session, "capital-round", year_start)
        row = session.get(CapitalWindow, year_start)
        round_ = _checked(row, year_start, change)
        row = row or CapitalWindow(year_start=year_start, opens=change.opens, closes=change.closes)
        row.opens, row.closes = change.opens, change.closes
        if isinstance(change, Round):
            row.label, row.total_pence = change.label, change.total_pence
            row.panel_by, row.decisions_by = change.panel_by, change.decisions_by
            row.complete_by, row.evaluate_by = change.complete_by, change.evaluate_by
        session.add(row)
        _look_again(session, year_start, now)
        if isinstance(change, Round):
            audit.record(
                session,
                now,
                actor,
                "capital.round",
                f"year:{year_start}",
                label=change.label,
                total_pence=change.total_pence,
                **{name: getattr(change, name).isoformat() for name, _ in fund.ROUND_DATES},
            )
        else:
            audit.record(
                session,
                now,
                actor,
                "capital.window",
                f"year:{year_start}",
                opens=str(change.opens),
                closes=str(change.closes),
                round=round_ is not None,
            )
        session.flush()
        return round_views_in(session, [year_start])[0]


def _checked(row: CapitalWindow | None, year_start: int, change: Round | Window) -> Round | None:
    """The round the row will hold once changed (None: a window only), refused if the rules refuse it."""
    if isinstance(change, Round):
        round_: Round | None = change
    else:
        if change.closes < change.opens:
            raise Refusal(WINDOW_BACKWARDS)
        kept = round_of(row)
        round_ = replace(kept, opens=change.opens, closes=change.closes) if kept is not None else None
    if round_ is None:
        # A window alone: its dates stand for the rest of a timeline not set yet.
        closes = change.closes
        fund.check_round_in_year(Round("", 0, change.opens, closes, closes, closes, closes, closes), year_start)
        return None
    fund.check_round(round_)
    fund.check_round_in_year(round_, year_start)
    return round_


def _look_again(session: Session, year_start: int, now: datetime) -> None:
    """Have the scheduler look at the year's applications today: their window or dates may have moved."""
    today = today_of(now)
    for app in session.exec(select(CapitalApplication).where(CapitalApplication.year_start == year_start)):
        if app.next_look_on is None or app.next_look_on > today:
            app.next_look_on = today
            session.add(app)


def save_round(engine: Engine, actor: Actor, command: SetRound, now: datetime) -> RoundView:
    """The officer's round form: saved for the school year its window opens in, or back with what to fix.

    What the round's rules refuse (dates out of order, a window outside its year) comes back on the form.
    """
    require_officer(actor)
    days: dict[str, date] = {name: getattr(command, name) for name, _ in fund.ROUND_DATES}
    round_ = Round(command.label, command.total, **days)
    errors = fund.check_round_form(round_)  # every mistake at once, each beside its field
    if errors:
        raise InvalidInput(errors, {})
    return set_round(engine, fund.school_year_of(round_.opens), round_, now, actor.tag)


def round_views(engine: Engine) -> list[RoundView]:
    """Every round and window set, newest first, with what each approved and released (the command line's list)."""
    with transaction(engine, read_only=True) as session:
        return round_views_in(session)


def require_officer(actor: Actor) -> None:
    """Refuse anyone but a council officer (citywide): only they set the fund's rounds."""
    require_registered(actor)
    if not any(g.role in CITYWIDE_ROLES and SET_CAPITAL_ROUND.holds(g.role) for g in actor.grants):
        raise Forbidden(SET_CAPITAL_ROUND.refusal)
