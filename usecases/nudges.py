"""Review nudges, the reminders job's first step: found by when they fall due, owed in short batches.

Which nudge a review owes on a day is :func:`cluster.reviews.owed_nudges` (the latest point that has come, a
missed one caught up once, snoozes, escalation to the chair and admins). Between two of its points nothing
changes, so after looking at a review the job keeps, in ``review.next_nudge_on``, the day the answer can
next change (the next point, the escalation, the end of a snooze), and a run looks only at the open reviews
whose day has come, plus those never looked at once they are near their due date: one indexed query, whose
result grows with what falls due, not with the number of open reviews. A run with nothing new finds none.

A cluster's plan changing, or someone taking a role that is told of nudges (a setting's SENCO or delegate, a
cluster's chair or admin), makes the job forget when it was to look next at the reviews concerned, so the
next run owes what the new plan or the new person is owed, as looking at every review each run did.

What is owed is written in batches of a few hundred outbox rows, each its own transaction (the write lock is
held for milliseconds, so other turns go between them), with the next looks of the batch's reviews. Keys
stay derived from the review, the point and the person (``review:12:before-14:person:7``): a run that stops
between batches is done again by the next, and owes each message once.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, bindparam, union_all, update
from sqlalchemy import select as select_columns
from sqlmodel import Session, SQLModel, col, select

from cards.reviews import review_nudge_card
from cluster import keys
from cluster.clock import LONDON
from cluster.reviews import DEFAULT_PLAN, Nudge, NudgePlan, owed_nudges, plan_from
from cluster.roles import Role
from store import job_marks
from store.db import transaction
from store.models import Cluster, Review, RoleAssignment
from store.outbox import Owing, Serialised, owe_all, owed_already, serialise
from store.repo import role_holders
from usecases.reviews import views_by_id

MARK = "review-nudges"
BATCH = 300
"""Outbox rows written per transaction (and reviews looked at per read)."""
NEVER = date(9999, 12, 31)
"""The next look of a review that can owe nothing more under its plan."""

REFERRERS = (Role.SENCO.value, Role.DELEGATE.value)
LEADERS = (Role.CHAIR.value, Role.ADMIN.value)


_STATES = select(col(Review.id), col(Review.state), col(Review.snoozed_until))
# One statement for a batch's next looks (an executemany by id), without the ORM's bulk machinery.
_REVIEWS = SQLModel.metadata.tables["review"]
NEXT_LOOK = update(_REVIEWS).where(_REVIEWS.c.id == bindparam("review_id")).values(next_nudge_on=bindparam("next_on"))


@dataclass(frozen=True)
class _Open:
    """An open review, as the job needs it to decide what it owes."""

    id: int
    cluster_id: int
    setting_id: int
    due: date
    snoozed_until: date | None


@dataclass(frozen=True)
class _Look:
    """What looking at one review today found: the nudges owed, and when to look again."""

    review: _Open
    nudges: tuple[Nudge, ...]
    next_on: date


def next_look(due: date, today: date, snoozed_until: date | None, plan: NudgePlan) -> date:
    """The first day after ``today`` on which :func:`owed_nudges` can owe what it does not owe today.

    That is the next nudge point, the first day of escalation, or the end of a snooze, whichever comes
    first (:data:`NEVER` when none is ahead). On the days between, the latest point, the snooze and the
    escalation are as they are today, so nothing new is owed.
    """
    ahead = [due - timedelta(days=d) for d in plan.before if due - timedelta(days=d) > today]
    if plan.overdue_every > 0:
        weeks = max(1, (today - due).days // plan.overdue_every + 1)
        ahead.append(due + timedelta(days=weeks * plan.overdue_every))
    escalation = due + timedelta(days=plan.escalate_after + 1)
    if escalation > today:
        ahead.append(escalation)
    if snoozed_until is not None and snoozed_until > today:
        ahead.append(snoozed_until)
    return min(ahead, default=NEVER)


def _today(now: datetime) -> date:
    return now.astimezone(LONDON).date()


def _fingerprint(stored: dict[str, Any]) -> str:
    return json.dumps(stored, sort_keys=True)


def _plans_and_looks(engine: Engine, now: datetime, default: NudgePlan) -> tuple[dict[int, NudgePlan], list[_Open]]:
    """Each cluster's nudge plan, and the reviews due for a look.

    Reviews that a changed plan or a new role concerns are first made to be looked at afresh. The usual run
    (nothing changed) is one read-only unit of work.
    """
    today = _today(now)
    with transaction(engine, read_only=True) as session:
        stored = {cid: dict(raw or {}) for cid, raw in session.exec(select(Cluster.id, Cluster.nudge_plan))}
        mark = job_marks.read(session, MARK)
        newest = job_marks.newest_role(session)
        plans = {cid: plan_from(raw) if raw else default for cid, raw in stored.items() if cid is not None}
        reach = max((p.due_window for p in [default, *plans.values()]), default=0)
        prints = {str(cid): _fingerprint(raw) for cid, raw in stored.items()}
        marks = {"plans": prints, "roles": newest}
        if mark == marks:  # the usual run: nothing to forget, nothing to write
            return plans, _due_for_a_look(session, today, reach)
    if mark is not None:
        seen = mark.get("plans", {})
        changed = {int(cid) for cid, fingerprint in prints.items() if seen.get(cid) != fingerprint}
        with transaction(engine, read_only=True) as session:
            settings, led = _given_since(session, int(mark.get("roles", 0)), newest)
        _forget(engine, changed | led, settings)
    # Only once every review concerned is forgotten: a run stopped before finds the same changes again.
    with transaction(engine) as session:
        job_marks.write(session, MARK, now, marks)
    with transaction(engine, read_only=True) as session:
        return plans, _due_for_a_look(session, today, reach)


def _given_since(session: Session, seen: int, newest: int) -> tuple[set[int], set[int]]:
    """The settings that got a SENCO or delegate, and the clusters that got a chair or admin, since ``seen``."""
    rows = session.exec(
        select(RoleAssignment.role, RoleAssignment.cluster_id, RoleAssignment.setting_id).where(
            col(RoleAssignment.id) > seen, col(RoleAssignment.id) <= newest
        )
    ).all()
    settings = {setting for role, _, setting in rows if role in REFERRERS and setting is not None}
    clusters = {cluster for role, cluster, _ in rows if role in LEADERS and cluster is not None}
    return settings, clusters


def _forget(engine: Engine, clusters: set[int], settings: set[int]) -> None:
    """Look again at the open reviews of these clusters and settings, as if never looked at, in short writes."""
    found: list[int] = []
    with transaction(engine, read_only=True) as session:
        # Found by the cluster and setting indexes; the state is checked here, not through its index.
        for column, wanted in ((col(Review.cluster_id), sorted(clusters)), (col(Review.setting_id), sorted(settings))):
            for start in range(0, len(wanted), BATCH):
                rows = session.exec(
                    select(col(Review.id), col(Review.state), col(Review.next_nudge_on)).where(
                        column.in_(wanted[start : start + BATCH])
                    )
                )
                found += [i or 0 for i, state, next_on in rows if state == "open" and next_on is not None]
    ids = sorted(set(found))
    for start in range(0, len(ids), BATCH):
        with transaction(engine) as session:
            chunk = ids[start : start + BATCH]
            session.execute(update(Review).where(col(Review.id).in_(chunk)).values(next_nudge_on=None))


def _due_for_a_look(session: Session, today: date, reach: int) -> list[_Open]:
    """The open reviews whose next look has come, and those never looked at that a nudge can reach today.

    Two index ranges in one statement (an OR of the two would read every open review's index entry).
    """
    columns = [col(Review.id), col(Review.cluster_id), col(Review.setting_id), col(Review.due)]
    columns.append(col(Review.snoozed_until))
    come = select_columns(*columns).where(col(Review.state) == "open", col(Review.next_nudge_on) <= today)
    never = select_columns(*columns).where(
        col(Review.state) == "open",
        col(Review.next_nudge_on).is_(None),
        col(Review.due) <= today + timedelta(days=reach),
    )
    found = [_Open(i or 0, c, s, d, z) for i, c, s, d, z in session.execute(union_all(come, never))]
    return sorted(found, key=lambda review: review.id)


def _people(session: Session, looks: Sequence[_Look]) -> tuple[dict[int, list[int]], dict[int, list[int]]]:
    """Whom the batch's nudges go to: each setting's SENCOs and delegates, each cluster's chair and admins."""
    settings = {look.review.setting_id for look in looks if any(not n.escalate for n in look.nudges)}
    clusters = {look.review.cluster_id for look in looks if any(n.escalate for n in look.nudges)}
    referrers = role_holders(session, REFERRERS, at_settings=settings) if settings else {}
    leaders = role_holders(session, LEADERS, in_clusters=clusters) if clusters else {}
    return referrers, leaders


def _batches(owed: list[tuple[_Look, list[Owing]]], size: int) -> Iterable[list[tuple[_Look, list[Owing]]]]:
    """Reviews in groups of at most ``size`` outbox rows (a review's rows stay together) and ``size`` reviews."""
    batch: list[tuple[_Look, list[Owing]]] = []
    rows = 0
    for look, owing in owed:
        if batch and (rows + len(owing) > size or len(batch) >= size):
            yield batch
            batch, rows = [], 0
        batch.append((look, owing))
        rows += len(owing)
    if batch:
        yield batch


def _write(engine: Engine, now: datetime, batch: list[tuple[_Look, list[Owing]]]) -> list[str]:
    """One short transaction: the batch's messages, for reviews as they were read, and the batch's next looks."""
    ready = [(look, serialise(now, owing)) for look, owing in batch]  # before taking the write lock
    ids = [look.review.id for look, _ in batch]
    with transaction(engine) as session:
        owed: list[str] = []
        # A review submitted or snoozed since it was read is left for the next run to look at again (a submitted
        # one's owed nudges were cancelled then). Checked here, not in SQL, so the look-up goes by id.
        now_as = {i: (state, snoozed) for i, state, snoozed in session.exec(_STATES.where(col(Review.id).in_(ids)))}
        unchanged = {
            look.review.id for look, _ in batch if now_as.get(look.review.id) == ("open", look.review.snoozed_until)
        }
        wanted = [row for look, rows in ready if look.review.id in unchanged for row in rows.rows]
        if wanted:
            owed = owe_all(session, now, Serialised(tuple(wanted)))
        next_looks = [
            {"review_id": look.review.id, "next_on": look.next_on if look.review.id in unchanged else _today(now)}
            for look, _ in batch
        ]
        session.connection().execute(NEXT_LOOK, next_looks)
        return owed


def _owe(engine: Engine, now: datetime, today: date, looks: list[_Look], size: int) -> list[str]:
    """Owe one read's worth of looks: who is told, what is owed already, the cards, then short writes."""
    wanted = [look for look in looks if look.nudges]
    with transaction(engine, read_only=True) as session:
        referrers, leaders = _people(session, wanted)

        def keyed(look: _Look) -> list[tuple[str, Nudge, int]]:
            return [
                (keys.for_person(keys.review_nudge(look.review.id, nudge.point), person), nudge, person)
                for nudge in look.nudges
                for person in (
                    leaders.get(look.review.cluster_id, [])
                    if nudge.escalate
                    else referrers.get(look.review.setting_id, [])
                )
            ]

        listed_keys = {look.review.id: keyed(look) for look in wanted}
        taken = owed_already(session, (key for listed in listed_keys.values() for key, _, _ in listed))
        fresh = {rid: [k for k in listed if k[0] not in taken] for rid, listed in listed_keys.items()}
        views = views_by_id(session, [rid for rid, listed in fresh.items() if listed], today)
    owed: list[tuple[_Look, list[Owing]]] = []
    for look in looks:
        owing: list[Owing] = []
        drawn: dict[str, dict[str, Any]] = {}
        for key, nudge, person in fresh.get(look.review.id, []):
            if nudge.point not in drawn:  # one card per nudge, shared by everyone it goes to
                drawn[nudge.point] = review_nudge_card(views[look.review.id], nudge)
            owing.append(Owing(key, drawn[nudge.point], person_id=person))
        owed.append((look, owing))
    return [key for batch in _batches(owed, size) for key in _write(engine, now, batch)]


def owe_review_nudges(
    engine: Engine, now: datetime, plan: NudgePlan = DEFAULT_PLAN, *, batch_size: int = BATCH
) -> list[str]:
    """Write every review nudge owed today to the outbox, once per nudge and recipient; returns the new keys.

    ``plan`` is the plan of clusters that set none. Writes go in transactions of at most ``batch_size``
    outbox rows.
    """
    today = _today(now)
    plans, candidates = _plans_and_looks(engine, now, plan)
    owed: list[str] = []
    for start in range(0, len(candidates), batch_size):
        looks = []
        for review in candidates[start : start + batch_size]:
            review_plan = plans.get(review.cluster_id, plan)
            nudges = owed_nudges(review.due, today, "open", review.snoozed_until, review_plan)
            looks.append(_Look(review, tuple(nudges), next_look(review.due, today, review.snoozed_until, review_plan)))
        owed += _owe(engine, now, today, looks, batch_size)
    return owed
