"""Referrals as the rules, cards and reports see them, loaded together: a fixed number of queries for any list.

A view needs the referral's setting, cluster, author, meeting, documents and cost rows. Loading them one
referral at a time cost six queries a referral; :func:`views_of` loads each kind of row for every referral
at once, with one ``IN (...)`` query each (a query it does not need, such as meetings when none is placed,
is skipped). Functions take a Session; callers own the transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from sqlalchemy import ColumnElement, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from cluster.provision import ProvisionRow
from cluster.referrals import Document, Kind, ReferralView, State
from store.models import Cluster, Meeting, Person, ProvisionLine, Referral, ReferralDocument, Setting
from store.repo import slot_of


def as_row(line: ProvisionLine) -> ProvisionRow:
    """A provision line as the rules see it."""
    return ProvisionRow(
        line.provision,
        line.area_of_need,
        line.delivered_by,
        line.minutes_per_session,
        line.sessions_per_week,
        line.group_size,
        line.weeks,
        line.hourly_rate_pence,
        line.unit,
        line.entry_id,
        line.custom_reason,
    )


def provision_lines(session: Session, referral_id: int) -> list[ProvisionLine]:
    """One referral's cost rows, in the order the view lists them."""
    return list(
        session.exec(
            select(ProvisionLine)
            .where(ProvisionLine.referral_id == referral_id)
            .order_by(col(ProvisionLine.position), col(ProvisionLine.id))
        )
    )


def _names(session: Session, model: type[Cluster] | type[Person], ids: Iterable[int]) -> dict[int, str]:
    wanted = set(ids)
    if not wanted:
        return {}
    rows = session.exec(select(model.id, model.name).where(col(model.id).in_(wanted))).all()
    return {i: name for i, name in rows if i is not None}


def views_of(session: Session, referrals: Sequence[Referral]) -> list[ReferralView]:
    """Each referral's view, in the order given, in at most six queries whatever their number.

    A project's form offers the cluster's other settings as partners, so for projects the settings query
    also brings their clusters' settings (a cluster has a few dozen); other kinds have no partner list.
    """
    if not referrals:
        return []
    ids = [r.id for r in referrals if r.id is not None]
    project_clusters = {r.cluster_id for r in referrals if r.kind == Kind.PROJECT.value}
    wanted: ColumnElement[bool] = col(Setting.id).in_({r.setting_id for r in referrals})
    if project_clusters:
        wanted = or_(wanted, col(Setting.cluster_id).in_(project_clusters))
    settings = session.exec(
        select(Setting.id, Setting.name, Setting.cluster_id).where(wanted).order_by(col(Setting.name))
    ).all()
    setting_names = {i: name for i, name, _ in settings if i is not None}
    clusters = _names(session, Cluster, (r.cluster_id for r in referrals))
    creators = _names(session, Person, (r.created_by for r in referrals))
    meeting_ids = {r.meeting_id for r in referrals if r.meeting_id is not None}
    meetings = (
        {m.id: slot_of(m) for m in session.exec(select(Meeting).where(col(Meeting.id).in_(meeting_ids)))}
        if meeting_ids
        else {}
    )
    documents: dict[int, list[Document]] = defaultdict(list)
    # The file's bytes stay in the database: a view only says whether it is a file or a link.
    for d_id, referral_id, name, url, content_type, size, is_link in session.execute(
        sa_select(
            col(ReferralDocument.id),
            col(ReferralDocument.referral_id),
            col(ReferralDocument.name),
            col(ReferralDocument.url),
            col(ReferralDocument.content_type),
            col(ReferralDocument.size_bytes),
            col(ReferralDocument.content).is_(None),
        )
        .where(col(ReferralDocument.referral_id).in_(ids))
        .order_by(col(ReferralDocument.id))
    ).all():
        documents[referral_id].append(Document(d_id or 0, name, bool(is_link), url, content_type, size))
    lines: dict[int, list[ProvisionLine]] = defaultdict(list)
    for line in session.exec(
        select(ProvisionLine)
        .where(col(ProvisionLine.referral_id).in_(ids))
        .order_by(col(ProvisionLine.referral_id), col(ProvisionLine.position), col(ProvisionLine.id))
    ):
        lines[line.referral_id].append(line)
    views = []
    for referral in referrals:
        assert referral.id is not None
        partners: tuple[tuple[str, str], ...] = ()
        if referral.kind == Kind.PROJECT.value:
            partners = tuple(
                (str(i), name)
                for i, name, cluster_id in settings
                if cluster_id == referral.cluster_id and i != referral.setting_id
            )
        own_lines = lines.get(referral.id, [])
        views.append(
            ReferralView(
                id=referral.id,
                reference=referral.reference,
                kind=Kind(referral.kind),
                state=State(referral.state),
                cluster=clusters.get(referral.cluster_id, ""),
                setting=setting_names.get(referral.setting_id, ""),
                created_by=creators.get(referral.created_by, ""),
                details=dict(referral.details),
                rows=tuple(as_row(line) for line in own_lines),
                contribution_pence=referral.contribution_pence,
                documents=tuple(documents.get(referral.id, ())),
                meeting=meetings.get(referral.meeting_id) if referral.meeting_id else None,
                returned_reason=referral.returned_reason,
                version=referral.version,
                submitted_at=referral.submitted_at,
                updated_at=referral.updated_at,
                partner_choices=partners,
                row_ids=tuple(line.id for line in own_lines if line.id is not None),
                erased_at=referral.erased_at,
            )
        )
    return views


def view_of(session: Session, referral: Referral) -> ReferralView:
    """Everything about one referral, for cards and reports."""
    [view] = views_of(session, [referral])
    return view
