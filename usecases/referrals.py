"""Use cases for referral intake: drafts, forms, provision maps, documents, submission and the admin's check.

Each function checks who is acting, changes the referral and writes its audit line in one transaction,
and returns a :class:`~cluster.referrals.ReferralView`. Form mistakes raise
:class:`~cluster.errors.InvalidInput` (nothing stored); known refusals raise
:class:`~cluster.errors.Refusal`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Engine
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from cluster import referrals as rules
from cluster.card_ids import parse_card_id
from cluster.errors import InvalidInput, Refusal
from cluster.forms import Field, FieldType, check_form, kept_input
from cluster.permissions import (
    CHECK_REFERRALS,
    EDIT_REFERRAL,
    READ_REFERRAL,
    START_REFERRAL,
    Forbidden,
    authorize,
    covers,
)
from cluster.provision import ProvisionRow, format_pence
from cluster.referrals import Document, Kind, ReferralView, State
from cluster.roles import Role
from store import audit
from store.db import transaction
from store.models import (
    CapitalWindow,
    Cluster,
    Meeting,
    Person,
    ProvisionLine,
    ReferenceCounter,
    Referral,
    ReferralDocument,
    RoleAssignment,
    Setting,
)
from store.outbox import NoticeCard, owe_notice
from store.repo import get_or_refuse, meeting_slots, slot_of
from store.settings import capital_refusal
from store.usecases import Actor, require_registered

NOT_A_REFERRER = START_REFERRAL.refusal
NOT_FOUND = "I can't find that referral, or it isn't one you can see."
CHECKERS = CHECK_REFERRALS.roles or frozenset()
LINK_HOSTS = ("sharepoint.com", "onedrive.live.com", "1drv.ms", "sharepoint.us")
MAX_DOCUMENTS = 20

LINK_FIELDS: tuple[Field, ...] = (
    Field("link_name", "Document name", max_length=200),
    Field("link_url", "Link", max_length=2000),
)
REASON_FIELD = Field("reason", "Reason for returning it", FieldType.MULTILINE, max_length=1000)


@dataclass(frozen=True)
class Outcome:
    """A referral after a change, and who heard about it in their personal chat (owed in the change's transaction).

    A change delivered again (the same click twice) tells nobody again: ``notify`` is empty then.
    """

    view: ReferralView
    notify: tuple[int, ...] = ()


def _told(
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


def referrer_settings(session: Session, actor: Actor) -> list[Setting]:
    """The settings the actor is SENCO or delegate of."""
    if actor.person_id is None:
        return []
    return list(
        session.exec(
            select(Setting)
            .join(RoleAssignment, col(RoleAssignment.setting_id) == Setting.id)
            .where(
                RoleAssignment.person_id == actor.person_id,
                col(RoleAssignment.role).in_([Role.SENCO.value, Role.DELEGATE.value]),
            )
            .order_by(col(Setting.name))
        ).unique()
    )


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


def _load(session: Session, referral_id: Any) -> Referral:
    return get_or_refuse(session, Referral, referral_id, NOT_FOUND)


def _for_edit(session: Session, actor: Actor, referral_id: Any, now: datetime) -> Referral:
    referral = _load(session, referral_id)
    if not _can_edit(actor, referral):
        raise Forbidden(EDIT_REFERRAL.refusal)
    rules.check_editable(State(referral.state))
    if referral.state == State.SUBMITTED and referral.meeting_id is not None:
        meeting = session.get(Meeting, referral.meeting_id)
        if meeting is not None and meeting.deadline <= now:
            raise Refusal(
                f"The referral deadline for this meeting passed on {meeting.deadline:%-d %B %Y}, "
                "so it can no longer be changed."
            )
    return referral


def _touch(referral: Referral, now: datetime) -> None:
    referral.version += 1
    referral.updated_at = now


# --- reading ------------------------------------------------------------------------------------------


def _rows(session: Session, referral_id: int) -> list[ProvisionLine]:
    return list(
        session.exec(
            select(ProvisionLine)
            .where(ProvisionLine.referral_id == referral_id)
            .order_by(col(ProvisionLine.position), col(ProvisionLine.id))
        )
    )


def _as_row(line: ProvisionLine) -> ProvisionRow:
    return ProvisionRow(
        line.provision,
        line.area_of_need,
        line.delivered_by,
        line.minutes_per_session,
        line.sessions_per_week,
        line.group_size,
        line.weeks,
        line.hourly_rate_pence,
    )


def row_ids(engine: Engine, referral_id: int) -> list[int]:
    """The database ids of a referral's rows, in the order the view lists them."""
    with transaction(engine) as session:
        return [line.id for line in _rows(session, referral_id) if line.id is not None]


def view_of(session: Session, referral: Referral) -> ReferralView:
    """Everything about a referral, for cards and reports."""
    assert referral.id is not None
    setting = session.get(Setting, referral.setting_id)
    cluster = session.get(Cluster, referral.cluster_id)
    creator = session.get(Person, referral.created_by)
    meeting = session.get(Meeting, referral.meeting_id) if referral.meeting_id else None
    documents = session.exec(
        select(ReferralDocument).where(ReferralDocument.referral_id == referral.id).order_by(col(ReferralDocument.id))
    ).all()
    partners = session.exec(
        select(Setting.id, Setting.name)
        .where(Setting.cluster_id == referral.cluster_id, Setting.id != referral.setting_id)
        .order_by(col(Setting.name))
    ).all()
    return ReferralView(
        id=referral.id,
        reference=referral.reference,
        kind=Kind(referral.kind),
        state=State(referral.state),
        cluster=cluster.name if cluster else "",
        setting=setting.name if setting else "",
        created_by=creator.name if creator else "",
        details=dict(referral.details),
        rows=tuple(_as_row(line) for line in _rows(session, referral.id)),
        contribution_pence=referral.contribution_pence,
        documents=tuple(
            Document(d.id or 0, d.name, d.content is None, d.url, d.content_type, d.size_bytes) for d in documents
        ),
        meeting=slot_of(meeting) if meeting else None,
        returned_reason=referral.returned_reason,
        version=referral.version,
        submitted_at=referral.submitted_at,
        updated_at=referral.updated_at,
        partner_choices=tuple((str(i), name) for i, name in partners),
    )


def open_for_edit(
    engine: Engine, actor: Actor, referral_id: Any, now: datetime, *, audit_read: bool = False
) -> ReferralView:
    """A referral the actor may change, to show its form (``audit_read`` when the person opens it)."""
    with transaction(engine) as session:
        referral = _for_edit(session, actor, referral_id, now)
        if audit_read:
            audit.record(session, now, actor.tag, "referral.read", f"referral:{referral.id}")
        return view_of(session, referral)


def read(engine: Engine, actor: Actor, referral_id: Any, now: datetime) -> tuple[ReferralView, bool]:
    """A referral the actor may see (referrers, and the cluster's admins and team), and whether they may edit it.

    Every read is audited: referrals hold special category data.
    """
    with transaction(engine) as session:
        referral = _load(session, referral_id)
        if not _can_read(actor, referral):
            raise Forbidden(READ_REFERRAL.refusal)
        audit.record(session, now, actor.tag, "referral.read", f"referral:{referral.id}")
        editable = _can_edit(actor, referral) and State(referral.state) in rules.EDITABLE
        return view_of(session, referral), editable


def mine(engine: Engine, actor: Actor, now: datetime) -> list[ReferralView]:
    """Every referral of the settings the actor acts for, newest first (withdrawn ones last)."""
    require_registered(actor)
    with transaction(engine) as session:
        ids = [s.id for s in referrer_settings(session, actor)]
        if not ids:
            raise Refusal(NOT_A_REFERRER)
        found = session.exec(
            select(Referral).where(col(Referral.setting_id).in_(ids)).order_by(col(Referral.id).desc())
        ).all()
        views = [view_of(session, r) for r in found]
        audit.record(session, now, actor.tag, "referral.list", "referrals:mine", count=len(views))
    return sorted(views, key=lambda v: v.state is State.WITHDRAWN)


# --- starting and filling in ---------------------------------------------------------------------------


def picker(engine: Engine, actor: Actor) -> list[tuple[int, str]]:
    """The settings the actor can refer for, as (id, name); refuses people who can't refer."""
    require_registered(actor)
    with transaction(engine) as session:
        settings = [(s.id, s.name) for s in referrer_settings(session, actor) if s.id is not None]
    if not settings:
        raise Refusal(NOT_A_REFERRER)
    return settings


def start(engine: Engine, actor: Actor, setting_id: Any, kind: str, key: str, now: datetime) -> ReferralView:
    """Create a draft; the same picker key (a double click, a repeated delivery) finds the same draft."""
    require_registered(actor)
    assert actor.person_id is not None
    try:
        chosen_kind = Kind(kind)
    except ValueError:
        raise Refusal("Choose one of the kinds of referral.") from None
    if not key or len(key) > 64:
        raise Refusal("This card is out of date. Type “new referral” to start again.")
    with transaction(engine) as session:
        existing = session.exec(select(Referral).where(Referral.creation_key == key)).first()
        if existing is not None:
            if existing.created_by != actor.person_id:
                raise Refusal("This card is out of date. Type “new referral” to start again.")
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


def save_details(engine: Engine, actor: Actor, referral_id: Any, raw: Mapping[str, Any], now: datetime) -> ReferralView:
    """Save the kind's form; any mistake raises InvalidInput and stores nothing."""
    with transaction(engine) as session:
        referral = _for_edit(session, actor, referral_id, now)
        view = view_of(session, referral)
        fields = rules.form_fields(view.kind, view.partner_choices)
        checked = rules.check_details(view.kind, raw, view.partner_choices)
        if checked.errors:
            raise InvalidInput(checked.errors, kept_input(fields, raw))
        if checked.values != referral.details:
            referral.details = checked.values
            _touch(referral, now)
            audit.record(session, now, actor.tag, "referral.edit", f"referral:{referral.id}", part="details")
        session.add(referral)
        session.flush()
        return view_of(session, referral)


def _row_values(raw: Mapping[str, Any]) -> ProvisionRow:
    checked = check_form(rules.PROVISION_FIELDS, raw)
    if checked.errors:
        raise InvalidInput(checked.errors, kept_input(rules.PROVISION_FIELDS, raw))
    return rules.provision_row(checked.values)


def _apply_row(line: ProvisionLine, row: ProvisionRow) -> None:
    line.provision, line.area_of_need, line.delivered_by = row.provision, row.area_of_need, row.delivered_by
    line.minutes_per_session, line.sessions_per_week = row.minutes_per_session, row.sessions_per_week
    line.group_size, line.weeks, line.hourly_rate_pence = row.group_size, row.weeks, row.hourly_rate_pence


MAX_ROWS = 30


def add_row(engine: Engine, actor: Actor, referral_id: Any, raw: Mapping[str, Any], now: datetime) -> ReferralView:
    """Add a provision row at the end of the map."""
    row = _row_values(raw)
    with transaction(engine) as session:
        referral = _for_edit(session, actor, referral_id, now)
        if Kind(referral.kind) not in rules.COSTED:
            raise Refusal("This kind of referral has no cost rows.")
        lines = _rows(session, referral.id or 0)
        if len(lines) >= MAX_ROWS:
            raise Refusal(f"A provision map can have at most {MAX_ROWS} rows.")
        line = ProvisionLine(
            referral_id=referral.id or 0,
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
        _touch(referral, now)
        session.add(referral)
        audit.record(session, now, actor.tag, "referral.edit", f"referral:{referral.id}", part="row.add")
        session.flush()
        return view_of(session, referral)


def _line(session: Session, referral: Referral, row_id: Any) -> ProvisionLine | None:
    number = parse_card_id(row_id)
    line = session.get(ProvisionLine, number) if number is not None else None
    return line if line is not None and line.referral_id == referral.id else None


def edit_row(
    engine: Engine, actor: Actor, referral_id: Any, row_id: Any, raw: Mapping[str, Any], now: datetime
) -> ReferralView:
    """Replace one provision row."""
    row = _row_values(raw)
    with transaction(engine) as session:
        referral = _for_edit(session, actor, referral_id, now)
        line = _line(session, referral, row_id)
        if line is None:
            raise Refusal("That row has been removed. Add it again if you still need it.")
        _apply_row(line, row)
        session.add(line)
        _touch(referral, now)
        session.add(referral)
        audit.record(session, now, actor.tag, "referral.edit", f"referral:{referral.id}", part="row.edit")
        session.flush()
        return view_of(session, referral)


def remove_row(engine: Engine, actor: Actor, referral_id: Any, row_id: Any, now: datetime) -> ReferralView:
    """Remove one provision row; removing it twice is harmless."""
    with transaction(engine) as session:
        referral = _for_edit(session, actor, referral_id, now)
        line = _line(session, referral, row_id)
        if line is not None:
            session.delete(line)
            _touch(referral, now)
            session.add(referral)
            audit.record(session, now, actor.tag, "referral.edit", f"referral:{referral.id}", part="row.remove")
            session.flush()
        _check_contribution(session, referral)
        return view_of(session, referral)


def _check_contribution(session: Session, referral: Referral) -> None:
    total = sum(_as_row(line).cost_pence for line in _rows(session, referral.id or 0))
    if referral.contribution_pence > total:
        referral.contribution_pence = total
        session.add(referral)


def set_contribution(
    engine: Engine, actor: Actor, referral_id: Any, raw: Mapping[str, Any], now: datetime
) -> ReferralView:
    """Record what the setting itself pays; it cannot exceed the provision's total."""
    checked = check_form((rules.CONTRIBUTION_FIELD,), raw)
    if checked.errors:
        raise InvalidInput(checked.errors, kept_input((rules.CONTRIBUTION_FIELD,), raw))
    amount = int(checked.values.get("contribution", 0))
    with transaction(engine) as session:
        referral = _for_edit(session, actor, referral_id, now)
        total = sum(_as_row(line).cost_pence for line in _rows(session, referral.id or 0))
        if amount > total:
            raise InvalidInput(
                {"contribution": f"The contribution cannot be more than the total, {format_pence(total)}."},
                kept_input((rules.CONTRIBUTION_FIELD,), raw),
            )
        if amount != referral.contribution_pence:
            referral.contribution_pence = amount
            _touch(referral, now)
            session.add(referral)
            audit.record(session, now, actor.tag, "referral.edit", f"referral:{referral.id}", part="contribution")
        session.flush()
        return view_of(session, referral)


def add_link(engine: Engine, actor: Actor, referral_id: Any, raw: Mapping[str, Any], now: datetime) -> ReferralView:
    """Attach a link to a file in the school's SharePoint or OneDrive."""
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
    if errors:
        raise InvalidInput(errors, kept_input(LINK_FIELDS, raw))
    with transaction(engine) as session:
        referral = _for_edit(session, actor, referral_id, now)
        existing = session.exec(select(ReferralDocument).where(ReferralDocument.referral_id == referral.id)).all()
        if any(d.url == url for d in existing):
            return view_of(session, referral)
        if len(existing) >= MAX_DOCUMENTS:
            raise Refusal(f"A referral can have at most {MAX_DOCUMENTS} supporting documents.")
        assert actor.person_id is not None
        session.add(
            ReferralDocument(
                referral_id=referral.id or 0,
                name=checked.values["link_name"],
                url=url,
                added_by=actor.person_id,
                added_at=now,
            )
        )
        _touch(referral, now)
        session.add(referral)
        audit.record(session, now, actor.tag, "referral.edit", f"referral:{referral.id}", part="link.add")
        session.flush()
        return view_of(session, referral)


def add_file(engine: Engine, actor: Actor, name: str, content_type: str, data: bytes, now: datetime) -> ReferralView:
    """Attach a file the SENCO sent in chat to their most recently changed open referral."""
    require_registered(actor)
    assert actor.person_id is not None
    with transaction(engine) as session:
        settings = [s.id for s in referrer_settings(session, actor)]
        if not settings:
            raise Refusal(NOT_A_REFERRER)
        referral = session.exec(
            select(Referral)
            .where(
                col(Referral.setting_id).in_(settings),
                Referral.created_by == actor.person_id,
                col(Referral.state).in_([State.DRAFT.value, State.RETURNED.value, State.SUBMITTED.value]),
            )
            .order_by(col(Referral.updated_at).desc(), col(Referral.id).desc())
        ).first()
        if referral is None:
            raise Refusal("You have no open referral to attach this file to. Start one with “new referral”.")
        referral = _for_edit(session, actor, referral.id, now)
        count = len(session.exec(select(ReferralDocument).where(ReferralDocument.referral_id == referral.id)).all())
        if count >= MAX_DOCUMENTS:
            raise Refusal(f"A referral can have at most {MAX_DOCUMENTS} supporting documents.")
        session.add(
            ReferralDocument(
                referral_id=referral.id or 0,
                name=name[:200],
                content_type=content_type,
                size_bytes=len(data),
                content=data,
                added_by=actor.person_id,
                added_at=now,
            )
        )
        _touch(referral, now)
        session.add(referral)
        audit.record(
            session, now, actor.tag, "referral.edit", f"referral:{referral.id}", part="file.add", size=len(data)
        )
        session.flush()
        return view_of(session, referral)


def remove_document(engine: Engine, actor: Actor, referral_id: Any, document_id: Any, now: datetime) -> ReferralView:
    """Remove a supporting document; removing it twice is harmless."""
    with transaction(engine) as session:
        referral = _for_edit(session, actor, referral_id, now)
        number = parse_card_id(document_id)
        document = session.get(ReferralDocument, number) if number is not None else None
        if document is not None and document.referral_id == referral.id:
            session.delete(document)
            _touch(referral, now)
            session.add(referral)
            audit.record(session, now, actor.tag, "referral.edit", f"referral:{referral.id}", part="document.remove")
            session.flush()
        return view_of(session, referral)


# --- submitting, withdrawing, checking -----------------------------------------------------------------


def _admins(session: Session, cluster_id: int) -> tuple[int, ...]:
    return tuple(
        session.exec(
            select(RoleAssignment.person_id).where(
                RoleAssignment.cluster_id == cluster_id, RoleAssignment.role == Role.ADMIN.value
            )
        ).unique()
    )


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


def set_capital_window(engine: Engine, year_start: int, opens: date, closes: date, now: datetime, actor: str) -> None:
    """Set the Capital Fund's application window for the school year starting in September of ``year_start``."""
    if closes < opens:
        raise Refusal("The window must close after it opens.")
    with transaction(engine) as session:
        window = session.get(CapitalWindow, year_start) or CapitalWindow(
            year_start=year_start, opens=opens, closes=closes
        )
        window.opens, window.closes = opens, closes
        session.add(window)
        audit.record(session, now, actor, "capital.window", f"year:{year_start}", opens=str(opens), closes=str(closes))


def _windows(session: Session) -> dict[int, rules.Window]:
    return {w.year_start: rules.Window(w.opens, w.closes) for w in session.exec(select(CapitalWindow))}


def submit(
    engine: Engine,
    actor: Actor,
    referral_id: Any,
    version: Any,
    now: datetime,
    *,
    notice: NoticeCard[ReferralView] | None = None,
) -> Outcome:
    """Submit to the next meeting whose deadline has not passed; the same click twice submits once.

    The cluster's admins are owed ``notice`` (a new referral to check) in the same transaction.
    """
    with transaction(engine) as session:
        referral = _load(session, referral_id)
        if not _can_edit(actor, referral):
            raise Forbidden(EDIT_REFERRAL.refusal)
        if referral.state == State.SUBMITTED and str(version) == str(referral.version):
            return Outcome(view_of(session, referral))  # the same submit delivered again
        if str(version) != str(referral.version):
            raise Refusal("This referral has changed since that card was shown. Open it again to check it first.")
        referral = _for_edit(session, actor, referral_id, now)
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
        meeting = rules.place_on_meeting(meeting_slots(session, referral.cluster_id), now)
        cluster = session.get(Cluster, referral.cluster_id)
        assert cluster is not None
        if referral.reference is None:
            referral.reference = _next_reference(session, cluster, now)
        referral.state = State.SUBMITTED.value
        referral.meeting_id = meeting.id
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
            meeting_id=meeting.id,
        )
        return _told(session, referral, "submitted", _admins(session, referral.cluster_id), notice, now)


def withdraw(
    engine: Engine, actor: Actor, referral_id: Any, now: datetime, *, notice: NoticeCard[ReferralView] | None = None
) -> Outcome:
    """Withdraw a referral; withdrawing it twice is harmless. The admins are owed ``notice`` if it was submitted."""
    with transaction(engine) as session:
        referral = _load(session, referral_id)
        if not _can_edit(actor, referral):
            raise Forbidden(EDIT_REFERRAL.refusal)
        if referral.state == State.WITHDRAWN:
            return Outcome(view_of(session, referral))
        rules.check_withdrawable(State(referral.state))
        was_submitted = referral.state != State.DRAFT
        referral.state = State.WITHDRAWN.value
        _touch(referral, now)
        session.add(referral)
        audit.record(session, now, actor.tag, "referral.withdraw", f"referral:{referral.id}")
        notify = _admins(session, referral.cluster_id) if was_submitted else ()
        return _told(session, referral, "withdrawn", notify, notice, now)


def _for_admin(session: Session, actor: Actor, referral_id: Any) -> Referral:
    referral = _load(session, referral_id)
    authorize(actor.grants, CHECK_REFERRALS, referral.cluster_id)
    return referral


def to_check(engine: Engine, actor: Actor, now: datetime) -> list[ReferralView]:
    """Submitted referrals waiting for the completeness check, in the clusters the actor administers."""
    with transaction(engine) as session:
        clusters = [g.cluster_id for g in actor.grants if g.cluster_id is not None and g.role in CHECKERS]
        if not clusters:
            raise Forbidden(CHECK_REFERRALS.refusal)
        found = session.exec(
            select(Referral)
            .where(col(Referral.cluster_id).in_(clusters), Referral.state == State.SUBMITTED.value)
            .order_by(col(Referral.submitted_at))
        ).all()
        audit.record(session, now, actor.tag, "referral.list", "referrals:to-check", count=len(found))
        return [view_of(session, r) for r in found]


def accept(
    engine: Engine, actor: Actor, referral_id: Any, now: datetime, *, notice: NoticeCard[ReferralView] | None = None
) -> Outcome:
    """Accept a submitted referral onto its meeting's agenda; accepting twice is harmless.

    The referrer is owed ``notice`` in the same transaction.
    """
    with transaction(engine) as session:
        referral = _for_admin(session, actor, referral_id)
        if referral.state == State.ACCEPTED:
            return Outcome(view_of(session, referral))
        if referral.state != State.SUBMITTED:
            raise Refusal(f"Only a submitted referral can be accepted; this one is {referral.state}.")
        referral.state = State.ACCEPTED.value
        _touch(referral, now)
        session.add(referral)
        audit.record(session, now, actor.tag, "referral.accept", f"referral:{referral.id}")
        return _told(session, referral, "accepted", (referral.created_by,), notice, now)


def return_to_referrer(
    engine: Engine,
    actor: Actor,
    referral_id: Any,
    raw: Mapping[str, Any],
    now: datetime,
    *,
    notice: NoticeCard[ReferralView] | None = None,
) -> Outcome:
    """Return a submitted referral as incomplete, with the reason the SENCO will read (owed ``notice``)."""
    checked = check_form((REASON_FIELD,), raw)
    if checked.errors:
        raise InvalidInput(checked.errors, kept_input((REASON_FIELD,), raw))
    with transaction(engine) as session:
        referral = _for_admin(session, actor, referral_id)
        if referral.state == State.RETURNED:
            return Outcome(view_of(session, referral))
        if referral.state not in (State.SUBMITTED, State.ACCEPTED):
            raise Refusal(f"Only a submitted referral can be returned; this one is {referral.state}.")
        referral.state = State.RETURNED.value
        referral.returned_reason = checked.values["reason"]
        _touch(referral, now)
        session.add(referral)
        audit.record(session, now, actor.tag, "referral.return", f"referral:{referral.id}")
        return _told(session, referral, "returned", (referral.created_by,), notice, now)


def for_export(engine: Engine, actor: Actor, referral_id: Any, now: datetime) -> ReferralView:
    """A referral to export as a document, with the export audited."""
    with transaction(engine) as session:
        referral = _load(session, referral_id) if str(referral_id).isdigit() else _by_reference(session, referral_id)
        if not _can_read(actor, referral):
            raise Forbidden(READ_REFERRAL.refusal)
        audit.record(session, now, actor.tag, "referral.export", f"referral:{referral.id}")
        return view_of(session, referral)


def _by_reference(session: Session, reference: Any) -> Referral:
    found = session.exec(select(Referral).where(Referral.reference == str(reference).upper())).first()
    if found is None:
        raise Refusal(NOT_FOUND)
    return found


def personal_conversations(engine: Engine, person_ids: Sequence[int]) -> list[dict[str, Any]]:
    """The stored personal-chat references of these people, for proactive notices."""
    from store.models import ConversationRef

    if not person_ids:
        return []
    with transaction(engine) as session:
        aads = session.exec(select(Person.aad_object_id).where(col(Person.id).in_(person_ids))).all()
        refs = session.exec(
            select(ConversationRef).where(
                col(ConversationRef.aad_object_id).in_([a for a in aads if a]),
                ConversationRef.kind == "personal",
                ConversationRef.installed == True,  # noqa: E712
            )
        ).all()
        return [dict(r.reference) for r in refs]
