"""Use cases for a referrer's referrals: drafts, forms, provision maps, documents, submission and withdrawal.

Each function is one unit of work: it checks who is acting, makes the change, writes its audit line and
owes its notices in one transaction, and returns everything the answer needs (a
:class:`~cluster.referrals.ReferralView`, with its rows' ids for the cards' buttons). Form mistakes raise
:class:`Mistakes` (nothing stored), which carries the referral's view so the form can be drawn again with
them; known refusals raise :class:`~cluster.errors.Refusal`. The admin's completeness check is in
:mod:`usecases.referral_checks`.

Who acts is the :class:`~usecases.people.Actor` identified at the start of the turn: the settings someone
refers for come from its grants, not from another query. Writes take turns on PostgreSQL
(:func:`store.db.take_turn`) before reading what they check: a form edit the referral's own; submitting
and withdrawing the cluster's first (references are numbered per cluster, and the agenda is the cluster's)
and then the referral's; a new draft the person's (their picker key is what it checks).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Engine, case
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, func, select

from cluster import referrals as rules
from cluster.clock import LONDON
from cluster.errors import InvalidInput, Refusal
from cluster.forms import Field, check_form, kept_input
from cluster.permissions import EDIT_REFERRAL, READ_REFERRAL, START_REFERRAL, Forbidden, authorize, covers
from cluster.provision import ProvisionRow, format_pence
from cluster.referrals import Kind, ReferralView, State
from cluster.roles import Role
from store import audit
from store.db import take_turn, transaction
from store.models import (
    CapitalWindow,
    Cluster,
    Meeting,
    ProvisionLine,
    ReferenceCounter,
    Referral,
    ReferralDocument,
    Setting,
)
from store.outbox import NoticeCard, owe_notice
from store.referral_views import as_row, provision_lines, view_of, views_of
from store.repo import get_or_refuse, meeting_slots, role_holders
from usecases.lists import Page, first_page
from usecases.people import Actor, require_registered
from usecases.settings import capital_refusal

NOT_A_REFERRER = START_REFERRAL.refusal
NOT_FOUND = "I can't find that referral, or it isn't one you can see."
ERASED = "This referral's pupil details were removed, so it can no longer be changed. Start a new referral."
OUT_OF_DATE_PICKER = "This card is out of date. Type “new referral” to start again."
LINK_HOSTS = ("sharepoint.com", "onedrive.live.com", "1drv.ms", "sharepoint.us")
MAX_DOCUMENTS = 20
MAX_ROWS = 30
# "My referrals" shows a school's newest referrals: 30 make a card of about 23 KB, inside the 28 KB Teams takes.
MINE_SHOWN = 30

LINK_FIELDS: tuple[Field, ...] = (
    Field("link_name", "Document name", max_length=200),
    Field("link_url", "Link", max_length=2000),
)


class Mistakes(InvalidInput):
    """A referral's form came back with mistakes: the errors, what was typed, and the referral to show again."""

    def __init__(self, errors: dict[str, str], values: dict[str, str], view: ReferralView) -> None:
        super().__init__(errors, values)
        self.view = view


@dataclass(frozen=True)
class Outcome:
    """A referral after a change, and who heard about it in their personal chat (owed in the change's transaction).

    A change delivered again (the same click twice) tells nobody again: ``notify`` is empty then.
    """

    view: ReferralView
    notify: tuple[int, ...] = ()


def told(
    session: Session,
    referral: Referral,
    change: str,
    people: tuple[int, ...],
    notice: NoticeCard[ReferralView] | None,
    now: datetime,
) -> Outcome:
    """The outcome of a change, owing its notice to ``people`` in the change's own transaction.

    The key names the referral, the change and the version it made (``notice:referral:7:accepted:v4``), so
    the notice is owed once whatever repeats. ``notice`` None tells nobody (set-ups outside Teams).
    """
    session.flush()
    view = view_of(session, referral)
    if notice is not None and people:
        owe_notice(session, f"notice:referral:{referral.id}:{change}:v{referral.version}", now, notice(view), people)
    return Outcome(view, people)


# --- who may do what ---------------------------------------------------------------------------------


def referrer_setting_ids(actor: Actor) -> frozenset[int]:
    """The settings the actor is SENCO or delegate of, from the grants identified at the start of the turn."""
    return frozenset(g.setting_id for g in actor.grants if g.setting_id is not None and START_REFERRAL.holds(g.role))


def _can_edit(actor: Actor, referral: Referral) -> bool:
    return covers(actor.grants, EDIT_REFERRAL, referral.cluster_id, referral.setting_id)


def _can_read(actor: Actor, referral: Referral) -> bool:
    """The setting's own people always; the cluster's admin and team once it has been submitted.

    A draft is the school's own until it is submitted. Council officers are not given referrals by being
    citywide: they own budgets and see decisions, but a pupil's referral is special category data.
    """
    if referral.submitted_at is None:
        return _can_edit(actor, referral)
    return covers(actor.grants, READ_REFERRAL, referral.cluster_id, referral.setting_id)


def _load(session: Session, referral_id: int) -> Referral:
    """The referral with this id, or the refusal a person reads when there is none."""
    return get_or_refuse(session, Referral, referral_id, NOT_FOUND)


def take_referral(session: Session, referral_id: int, *, cluster: bool = False) -> Referral:
    """Wait for the referral's turn (after its cluster's, with ``cluster``), then read it as it now stands.

    The referral's cluster never changes, so it is read before waiting; the referral itself only after, so
    what the unit checks is what the unit before it left.
    """
    if cluster:
        cluster_id = session.exec(select(Referral.cluster_id).where(Referral.id == referral_id)).first()
        if cluster_id is None:
            raise Refusal(NOT_FOUND)
        take_turn(session, "cluster", cluster_id)
    take_turn(session, "referral", referral_id)
    return _load(session, referral_id)


def _deadline_refusal(session: Session, referral: Referral, now: datetime) -> str | None:
    """Why a submitted referral can no longer change: its meeting's deadline (a capital one: its window) has passed."""
    if referral.state == State.SUBMITTED and referral.kind == Kind.CAPITAL.value and referral.submitted_at:
        window = rules.capital_window(referral.submitted_at.astimezone(LONDON).date(), _windows(session))
        if now.astimezone(LONDON).date() <= window.closes:
            return None
        return (
            f"The Capital Fund's application window closed on {window.closes:%-d %B %Y}, "
            "so this application can no longer be changed."
        )
    if referral.state != State.SUBMITTED or referral.meeting_id is None:
        return None
    meeting = session.get(Meeting, referral.meeting_id)
    if meeting is None or meeting.deadline > now:
        return None
    return (
        f"The referral deadline for this meeting passed on {meeting.deadline:%-d %B %Y}, "
        "so it can no longer be changed."
    )


def _check_edit(session: Session, actor: Actor, referral: Referral, now: datetime) -> Referral:
    if not _can_edit(actor, referral):
        raise Forbidden(EDIT_REFERRAL.refusal)
    if referral.erased_at is not None:
        # Its pupil's details were removed (retention, or an erasure request): nothing is left to complete.
        raise Refusal(ERASED)
    rules.check_editable(State(referral.state))
    refusal = _deadline_refusal(session, referral, now)
    if refusal is not None:
        raise Refusal(refusal)
    return referral


def _take_for_edit(session: Session, actor: Actor, referral_id: int, now: datetime) -> Referral:
    return _check_edit(session, actor, take_referral(session, referral_id), now)


def touch(referral: Referral, now: datetime) -> None:
    """Count a change of the referral's content (the version a card must show to submit it)."""
    referral.version += 1
    referral.updated_at = now


# --- reading ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Opened:
    """A referral as its opener may see it.

    ``edit`` when they may change it now (show its form); else it is shown read-only, with ``editable``
    saying whether to offer Edit.
    """

    view: ReferralView
    edit: bool
    editable: bool


def open_referral(engine: Engine, actor: Actor, referral_id: int, now: datetime) -> Opened:
    """A referral opened from a card: its form if the actor may change it now, else its read-only view.

    Every opening is audited: referrals hold special category data. The unit writes only the audit line,
    so it takes no turn.
    """
    with transaction(engine, serial=False) as session:
        referral = _load(session, referral_id)
        may_edit = _can_edit(actor, referral)
        editable = may_edit and State(referral.state) in rules.EDITABLE and referral.erased_at is None
        edit = editable and _deadline_refusal(session, referral, now) is None
        if not edit and not _can_read(actor, referral):
            raise Forbidden(READ_REFERRAL.refusal)
        audit.record(session, now, actor.tag, "referral.read", f"referral:{referral.id}")
        return Opened(view_of(session, referral), edit, editable)


def open_for_edit(engine: Engine, actor: Actor, referral_id: int, now: datetime) -> ReferralView:
    """A referral the actor may change, to show one step of its form (the read audited, as every showing is).

    The unit writes only the audit line, so it takes no turn.
    """
    with transaction(engine, serial=False) as session:
        referral = _check_edit(session, actor, _load(session, referral_id), now)
        audit.record(session, now, actor.tag, "referral.read", f"referral:{referral.id}")
        return view_of(session, referral)


def read(engine: Engine, actor: Actor, referral_id: int, now: datetime) -> tuple[ReferralView, bool]:
    """A referral the actor may see (referrers, and the cluster's admins and team), and whether they may edit it.

    Every read is audited: referrals hold special category data.
    """
    with transaction(engine, serial=False) as session:
        referral = _load(session, referral_id)
        if not _can_read(actor, referral):
            raise Forbidden(READ_REFERRAL.refusal)
        audit.record(session, now, actor.tag, "referral.read", f"referral:{referral.id}")
        editable = _can_edit(actor, referral) and State(referral.state) in rules.EDITABLE
        editable = editable and referral.erased_at is None
        return view_of(session, referral), editable


def mine(engine: Engine, actor: Actor, now: datetime) -> Page[ReferralView]:
    """The newest referrals of the settings the actor acts for, withdrawn ones last, in a fixed number of queries."""
    require_registered(actor)
    settings = referrer_setting_ids(actor)
    if not settings:
        raise Refusal(NOT_A_REFERRER)
    with transaction(engine, serial=False) as session:
        withdrawn_last = case((col(Referral.state) == State.WITHDRAWN.value, 1), else_=0)
        found = session.exec(
            select(Referral)
            .where(col(Referral.setting_id).in_(settings))
            .order_by(withdrawn_last, col(Referral.id).desc())
            .limit(MINE_SHOWN + 1)
        ).all()
        page = first_page(views_of(session, found), MINE_SHOWN)
        audit.record(session, now, actor.tag, "referral.list", "referrals:mine", count=len(page.items))
    return page


def for_export(
    engine: Engine, actor: Actor, referral: int | str, now: datetime, *, offer_only: bool = False
) -> ReferralView:
    """A referral (by id, or by reference such as ``CEN-2526-014``) to export as a document, the export audited.

    ``offer_only``: the pack is only being offered (Teams asks the person first), so nothing is audited yet;
    the one ``referral.export`` line is written when they accept and the pack is made for them.
    """
    with transaction(engine, serial=False) as session:
        found = _load(session, referral) if isinstance(referral, int) else _by_reference(session, referral)
        if not _can_read(actor, found):
            raise Forbidden(READ_REFERRAL.refusal)
        if not offer_only:
            audit.record(session, now, actor.tag, "referral.export", f"referral:{found.id}")
        return view_of(session, found)


def _by_reference(session: Session, reference: str) -> Referral:
    found = session.exec(select(Referral).where(Referral.reference == reference.strip().upper())).first()
    if found is None:
        raise Refusal(NOT_FOUND)
    return found


# --- starting and filling in ---------------------------------------------------------------------------


def picker(actor: Actor) -> list[tuple[int, str]]:
    """The settings the actor can refer for, as (id, name) by name; refuses people who can't refer."""
    require_registered(actor)
    names = {
        g.setting_id: g.setting or "" for g in actor.grants if g.setting_id is not None and START_REFERRAL.holds(g.role)
    }
    if not names:
        raise Refusal(NOT_A_REFERRER)
    return sorted(names.items(), key=lambda pair: (pair[1], pair[0]))


def start(engine: Engine, actor: Actor, setting_id: int, kind: str, key: str, now: datetime) -> ReferralView:
    """Create a draft; the same picker key (a double click, a repeated delivery) finds the same draft."""
    require_registered(actor)
    assert actor.person_id is not None
    try:
        chosen_kind = Kind(kind)
    except ValueError:
        raise Refusal("Choose one of the kinds of referral.") from None
    if not key or len(key) > 64:
        raise Refusal(OUT_OF_DATE_PICKER)
    with transaction(engine, serial=False) as session:
        # The key is the person's own (their picker card's): their turn keeps a doubled click to one draft.
        take_turn(session, "person", actor.person_id)
        existing = session.exec(select(Referral).where(Referral.creation_key == key)).first()
        if existing is not None:
            if existing.created_by != actor.person_id:
                raise Refusal(OUT_OF_DATE_PICKER)
            return view_of(session, existing)
        setting = get_or_refuse(session, Setting, setting_id, "Choose the setting this referral is for.")
        authorize(actor.grants, START_REFERRAL, setting.cluster_id, setting.id)
        if chosen_kind is Kind.CAPITAL:
            refusal = capital_refusal(session, setting)
            if refusal is not None:
                raise Refusal(refusal)
        referral = Referral(
            cluster_id=setting.cluster_id,
            setting_id=setting.id or 0,
            created_by=actor.person_id,
            kind=chosen_kind.value,
            state=State.DRAFT.value,
            creation_key=key,
            created_at=now,
            updated_at=now,
        )
        session.add(referral)
        session.flush()
        audit.record(session, now, actor.tag, "referral.create", f"referral:{referral.id}", kind=chosen_kind.value)
        return view_of(session, referral)


def save_details(engine: Engine, actor: Actor, referral_id: int, raw: Mapping[str, Any], now: datetime) -> ReferralView:
    """Save the kind's form; any mistake raises :class:`Mistakes` and stores nothing."""
    with transaction(engine, serial=False) as session:
        referral = _take_for_edit(session, actor, referral_id, now)
        view = view_of(session, referral)
        checked = rules.check_details(view.kind, raw, view.partner_choices)
        if checked.errors:
            raise Mistakes(checked.errors, kept_input(rules.form_fields(view.kind, view.partner_choices), raw), view)
        if checked.values == referral.details:
            return view
        referral.details = checked.values
        touch(referral, now)
        session.add(referral)
        audit.record(session, now, actor.tag, "referral.edit", f"referral:{referral.id}", part="details")
        session.flush()
        return view_of(session, referral)


def _row_values(session: Session, referral: Referral, raw: Mapping[str, Any]) -> ProvisionRow:
    checked = check_form(rules.PROVISION_FIELDS, raw)
    if checked.errors:
        raise Mistakes(checked.errors, kept_input(rules.PROVISION_FIELDS, raw), view_of(session, referral))
    return rules.provision_row(checked.values)


def _apply_row(line: ProvisionLine, row: ProvisionRow) -> None:
    line.provision, line.area_of_need, line.delivered_by = row.provision, row.area_of_need, row.delivered_by
    line.minutes_per_session, line.sessions_per_week = row.minutes_per_session, row.sessions_per_week
    line.group_size, line.weeks, line.hourly_rate_pence = row.group_size, row.weeks, row.hourly_rate_pence


def _edited(session: Session, actor: Actor, referral: Referral, part: str, now: datetime) -> ReferralView:
    """Count a change of the referral's content, audit it, and return the referral as it now stands."""
    touch(referral, now)
    session.add(referral)
    audit.record(session, now, actor.tag, "referral.edit", f"referral:{referral.id}", part=part)
    session.flush()
    return view_of(session, referral)


def add_row(engine: Engine, actor: Actor, referral_id: int, raw: Mapping[str, Any], now: datetime) -> ReferralView:
    """Add a provision row at the end of the map."""
    with transaction(engine, serial=False) as session:
        referral = _take_for_edit(session, actor, referral_id, now)
        if Kind(referral.kind) not in rules.COSTED:
            raise Refusal(rules.NO_COST_ROWS)
        row = _row_values(session, referral, raw)
        lines = provision_lines(session, referral_id)
        if len(lines) >= MAX_ROWS:
            raise Refusal(f"A provision map can have at most {MAX_ROWS} rows.")
        line = ProvisionLine(
            referral_id=referral_id,
            position=len(lines) + 1,
            provision="",
            area_of_need="",
            delivered_by="",
            minutes_per_session=0,
            sessions_per_week=0,
            group_size=1,
            weeks=0,
            hourly_rate_pence=0,
        )
        _apply_row(line, row)
        session.add(line)
        return _edited(session, actor, referral, "row.add", now)


def _line(session: Session, referral: Referral, row_id: int | None) -> ProvisionLine | None:
    line = session.get(ProvisionLine, row_id) if row_id is not None else None
    return line if line is not None and line.referral_id == referral.id else None


def edit_row(
    engine: Engine, actor: Actor, referral_id: int, row_id: int | None, raw: Mapping[str, Any], now: datetime
) -> ReferralView:
    """Replace one provision row."""
    with transaction(engine, serial=False) as session:
        referral = _take_for_edit(session, actor, referral_id, now)
        row = _row_values(session, referral, raw)
        line = _line(session, referral, row_id)
        if line is None:
            raise Refusal("That row has been removed. Add it again if you still need it.")
        _apply_row(line, row)
        session.add(line)
        return _edited(session, actor, referral, "row.edit", now)


def remove_row(engine: Engine, actor: Actor, referral_id: int, row_id: int | None, now: datetime) -> ReferralView:
    """Remove one provision row; removing it twice is harmless."""
    with transaction(engine, serial=False) as session:
        referral = _take_for_edit(session, actor, referral_id, now)
        line = _line(session, referral, row_id)
        if line is None:
            return view_of(session, referral)
        session.delete(line)
        session.flush()
        # The school's contribution cannot be more than what is left.
        total = sum(as_row(kept).cost_pence for kept in provision_lines(session, referral_id))
        referral.contribution_pence = min(referral.contribution_pence, total)
        return _edited(session, actor, referral, "row.remove", now)


def set_contribution(
    engine: Engine, actor: Actor, referral_id: int, raw: Mapping[str, Any], now: datetime
) -> ReferralView:
    """Record what the setting itself pays; it cannot exceed the provision's total."""
    fields = (rules.CONTRIBUTION_FIELD,)
    with transaction(engine, serial=False) as session:
        referral = _take_for_edit(session, actor, referral_id, now)
        checked = check_form(fields, raw)
        if checked.errors:
            raise Mistakes(checked.errors, kept_input(fields, raw), view_of(session, referral))
        amount = int(checked.values.get("contribution", 0))
        total = sum(as_row(line).cost_pence for line in provision_lines(session, referral_id))
        if amount > total:
            raise Mistakes(
                {"contribution": f"The contribution cannot be more than the total, {format_pence(total)}."},
                kept_input(fields, raw),
                view_of(session, referral),
            )
        if amount == referral.contribution_pence:
            return view_of(session, referral)
        referral.contribution_pence = amount
        return _edited(session, actor, referral, "contribution", now)


def _link_mistakes(raw: Mapping[str, Any]) -> tuple[dict[str, str], dict[str, Any]]:
    """The link form's mistakes (a link must go to the school's SharePoint or OneDrive), and its values."""
    checked = check_form(LINK_FIELDS, raw)
    errors = dict(checked.errors)
    url = str(checked.values.get("link_url", ""))
    if url:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if parts.scheme != "https" or not any(host == h or host.endswith("." + h) for h in LINK_HOSTS):
            errors["link_url"] = (
                "Give a link to a file in your school's SharePoint or OneDrive, starting https:// "
                "(for example https://yourschool.sharepoint.com/...)."
            )
    return errors, checked.values


def _document_count(session: Session, referral_id: int) -> int:
    return int(
        session.exec(
            select(func.count()).select_from(ReferralDocument).where(ReferralDocument.referral_id == referral_id)
        ).one()
    )


def add_link(engine: Engine, actor: Actor, referral_id: int, raw: Mapping[str, Any], now: datetime) -> ReferralView:
    """Attach a link to a file in the school's SharePoint or OneDrive; the same link twice is kept once."""
    with transaction(engine, serial=False) as session:
        referral = _take_for_edit(session, actor, referral_id, now)
        errors, values = _link_mistakes(raw)
        if errors:
            raise Mistakes(errors, kept_input(LINK_FIELDS, raw), view_of(session, referral))
        url = str(values["link_url"])
        kept = session.exec(
            select(ReferralDocument.id).where(ReferralDocument.referral_id == referral_id, ReferralDocument.url == url)
        ).first()
        if kept is not None:
            return view_of(session, referral)
        if _document_count(session, referral_id) >= MAX_DOCUMENTS:
            raise Refusal(f"A referral can have at most {MAX_DOCUMENTS} supporting documents.")
        assert actor.person_id is not None
        session.add(
            ReferralDocument(
                referral_id=referral_id, name=values["link_name"], url=url, added_by=actor.person_id, added_at=now
            )
        )
        return _edited(session, actor, referral, "link.add", now)


def add_file(engine: Engine, actor: Actor, name: str, content_type: str, data: bytes, now: datetime) -> ReferralView:
    """Attach a file the SENCO sent in chat to their most recently changed open referral."""
    require_registered(actor)
    assert actor.person_id is not None
    settings = referrer_setting_ids(actor)
    if not settings:
        raise Refusal(NOT_A_REFERRER)
    with transaction(engine, serial=False) as session:
        latest = session.exec(
            select(Referral.id)
            .where(
                col(Referral.setting_id).in_(settings),
                Referral.created_by == actor.person_id,
                col(Referral.state).in_([State.DRAFT.value, State.RETURNED.value, State.SUBMITTED.value]),
            )
            .order_by(col(Referral.updated_at).desc(), col(Referral.id).desc())
        ).first()
        if latest is None:
            raise Refusal("You have no open referral to attach this file to. Start one with “new referral”.")
        referral = _take_for_edit(session, actor, latest, now)
        if _document_count(session, latest) >= MAX_DOCUMENTS:
            raise Refusal(f"A referral can have at most {MAX_DOCUMENTS} supporting documents.")
        session.add(
            ReferralDocument(
                referral_id=latest,
                name=name[:200],
                content_type=content_type,
                size_bytes=len(data),
                content=data,
                added_by=actor.person_id,
                added_at=now,
            )
        )
        touch(referral, now)
        session.add(referral)
        audit.record(
            session, now, actor.tag, "referral.edit", f"referral:{referral.id}", part="file.add", size=len(data)
        )
        session.flush()
        return view_of(session, referral)


def remove_document(
    engine: Engine, actor: Actor, referral_id: int, document_id: int | None, now: datetime
) -> ReferralView:
    """Remove a supporting document; removing it twice is harmless."""
    with transaction(engine, serial=False) as session:
        referral = _take_for_edit(session, actor, referral_id, now)
        document = session.get(ReferralDocument, document_id) if document_id is not None else None
        if document is None or document.referral_id != referral_id:
            return view_of(session, referral)
        session.delete(document)
        return _edited(session, actor, referral, "document.remove", now)


# --- submitting and withdrawing ------------------------------------------------------------------------


def cluster_admins(session: Session, cluster_id: int) -> tuple[int, ...]:
    """The people who check the cluster's referrals (they hear of submissions and withdrawals)."""
    return tuple(role_holders(session, [Role.ADMIN], in_clusters=[cluster_id]).get(cluster_id, ()))


def _next_reference(session: Session, cluster: Cluster, now: datetime) -> str:
    year_start, _ = rules.academic_year(now.date())
    # Make sure the row exists without racing another submission to create it, then lock it.
    dialect = session.get_bind().dialect.name
    insert = postgres_insert if dialect == "postgresql" else sqlite_insert
    session.execute(
        insert(ReferenceCounter)
        .values(cluster_id=cluster.id, year_start=year_start, last_number=0)
        .on_conflict_do_nothing()
    )
    counter = session.exec(
        select(ReferenceCounter)
        .where(ReferenceCounter.cluster_id == cluster.id, ReferenceCounter.year_start == year_start)
        .with_for_update()
    ).first()
    assert counter is not None
    counter.last_number += 1
    session.add(counter)
    session.flush()
    return rules.reference(cluster.code, now.date(), counter.last_number)


def _windows(session: Session) -> dict[int, rules.Window]:
    return {w.year_start: rules.Window(w.opens, w.closes) for w in session.exec(select(CapitalWindow))}


def submit(
    engine: Engine,
    actor: Actor,
    referral_id: int,
    version: int | None,
    now: datetime,
    *,
    notice: NoticeCard[ReferralView] | None = None,
) -> Outcome:
    """Submit to the next meeting whose deadline has not passed; the same click twice submits once.

    A Capital Fund application is submitted within its window and goes to the Cluster Panel, not a meeting.

    ``version`` is the one the card showed (None when it showed none). The cluster's admins are owed
    ``notice`` (a new referral to check) in the same transaction.
    """
    with transaction(engine, serial=False) as session:
        referral = take_referral(session, referral_id, cluster=True)
        if not _can_edit(actor, referral):
            raise Forbidden(EDIT_REFERRAL.refusal)
        if referral.state == State.SUBMITTED and version == referral.version:
            return Outcome(view_of(session, referral))  # the same submit delivered again
        if version != referral.version:
            raise Refusal("This referral has changed since that card was shown. Open it again to check it first.")
        _check_edit(session, actor, referral, now)
        view = view_of(session, referral)
        problems = view.missing
        if problems:
            raise Refusal("Before you submit, please complete: " + "; ".join(problems))
        if view.kind is Kind.CAPITAL:
            setting = session.get(Setting, referral.setting_id)
            assert setting is not None
            refusal = capital_refusal(session, setting, applying=referral.id)
            if refusal is not None:
                kept = " This application is kept as a draft." if referral.state == State.DRAFT else ""
                raise Refusal(refusal + kept)
            rules.check_capital_window(now, _windows(session))
        # A capital application goes to its round's Cluster Panel, never onto a meeting's agenda.
        meeting = (
            None
            if view.kind is Kind.CAPITAL
            else rules.place_on_meeting(meeting_slots(session, referral.cluster_id), now)
        )
        cluster = session.get(Cluster, referral.cluster_id)
        assert cluster is not None
        if referral.reference is None:
            referral.reference = _next_reference(session, cluster, now)
        referral.state = State.SUBMITTED.value
        referral.meeting_id = meeting.id if meeting else None
        referral.returned_reason = None
        referral.submitted_at = now
        referral.updated_at = now  # the version counts changes of content, so a repeated submit still matches
        session.add(referral)
        audit.record(
            session,
            now,
            actor.tag,
            "referral.submit",
            f"referral:{referral.id}",
            reference=referral.reference,
            meeting_id=meeting.id if meeting else None,
        )
        return told(session, referral, "submitted", cluster_admins(session, referral.cluster_id), notice, now)


def withdraw(
    engine: Engine, actor: Actor, referral_id: int, now: datetime, *, notice: NoticeCard[ReferralView] | None = None
) -> Outcome:
    """Withdraw a referral; withdrawing it twice is harmless. The admins are owed ``notice`` if it was submitted."""
    with transaction(engine, serial=False) as session:
        referral = take_referral(session, referral_id, cluster=True)
        if not _can_edit(actor, referral):
            raise Forbidden(EDIT_REFERRAL.refusal)
        if referral.state == State.WITHDRAWN:
            return Outcome(view_of(session, referral))
        rules.check_withdrawable(State(referral.state))
        was_submitted = referral.state != State.DRAFT
        referral.state = State.WITHDRAWN.value
        touch(referral, now)
        session.add(referral)
        audit.record(session, now, actor.tag, "referral.withdraw", f"referral:{referral.id}")
        notify = cluster_admins(session, referral.cluster_id) if was_submitted else ()
        return told(session, referral, "withdrawn", notify, notice, now)
