"""SQLModel tables: clusters, settings, people, roles, meetings, conversation references, audit log."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import JSON, Column, Index, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from store.types import UTCDateTime


class Cluster(SQLModel, table=True):
    """A group of settings in one locality with a devolved budget."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=80)
    code: str = Field(unique=True, max_length=8)
    deadline_days: int = Field(default=7)
    quorum: int | None = Field(default=None)  # settings needed; None: half the settings, rounded up
    same_trust_recusal: bool = Field(default=False)
    agenda_days: int = Field(default=5)  # working days before a meeting that its agenda is posted
    # Review nudge intervals in days, e.g. {"before": [30, 14, 7, 0], "overdue_every": 7, "escalate_after": 14};
    # empty means the defaults in cluster.reviews.
    nudge_plan: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False, server_default="{}")
    )
    # Months after a referral's last activity that its pupil details are kept; None: the default in
    # cluster.privacy (the council chooses per cluster).
    retention_months: int | None = Field(default=None)


class Setting(SQLModel, table=True):
    """A school, academy, college or PRU; belongs to one cluster."""

    __table_args__ = (UniqueConstraint("cluster_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    cluster_id: int = Field(foreign_key="cluster.id", index=True)
    name: str = Field(max_length=200)
    urn: str | None = Field(default=None, unique=True, max_length=12)
    trust: str | None = Field(default=None, max_length=200)
    # Facts the Capital Fund's eligibility rests on (cluster.capital): kept by the council, not declared.
    mainstream: bool = Field(default=True)  # False for special schools, PRUs and other non-mainstream settings
    received_hncg: bool = Field(default=False)  # already had High Needs Capital Grant funding (ERP included)


class Person(SQLModel, table=True):
    """Someone who uses the bot, known by their Teams (Entra ID) object id."""

    id: int | None = Field(default=None, primary_key=True)
    aad_object_id: str | None = Field(default=None, unique=True, max_length=64)
    name: str = Field(max_length=200)
    email: str | None = Field(default=None, unique=True, max_length=254)


class RoleAssignment(SQLModel, table=True):
    """One role held by one person, scoped to a setting, a cluster, or the city (both empty)."""

    __tablename__ = "role_assignment"
    __table_args__ = (UniqueConstraint("person_id", "role", "cluster_id", "setting_id"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    role: str = Field(max_length=16)
    cluster_id: int | None = Field(default=None, foreign_key="cluster.id", index=True)
    setting_id: int | None = Field(default=None, foreign_key="setting.id", index=True)


class Meeting(SQLModel, table=True):
    """A half-termly cluster meeting and its referral deadline."""

    __table_args__ = (UniqueConstraint("cluster_id", "day"),)

    id: int | None = Field(default=None, primary_key=True)
    cluster_id: int = Field(foreign_key="cluster.id", index=True)
    title: str = Field(default="", max_length=80)
    day: date = Field(index=True)  # the meeting-morning post and agendas look for the days that have come
    start: time
    end: time
    # The reminders job looks for the deadlines that are near, whatever the number of meetings.
    deadline: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    online_link: str | None = Field(default=None, max_length=1000)
    cancelled: bool = Field(default=False)
    started_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    ended_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))


class CitywideMeeting(SQLModel, table=True):
    """A Citywide Meeting, run by council officers and attended by each cluster's chair (one a day)."""

    __tablename__ = "citywide_meeting"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(default="", max_length=80)
    day: date = Field(unique=True, index=True)  # the pack job looks for the days that have come
    start: time
    end: time
    online_link: str | None = Field(default=None, max_length=1000)
    cancelled: bool = Field(default=False)


class ConversationRef(SQLModel, table=True):
    """Where the bot can write later: a person's personal chat, or a team's channel."""

    __tablename__ = "conversation_ref"

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: str = Field(unique=True, max_length=512)
    kind: str = Field(max_length=16)  # personal | channel | groupChat
    service_url: str = Field(max_length=512)
    tenant_id: str | None = Field(default=None, max_length=64)
    bot_id: str | None = Field(default=None, max_length=128)
    aad_object_id: str | None = Field(default=None, index=True, max_length=64)
    team_id: str | None = Field(default=None, index=True, max_length=512)
    channel_id: str | None = Field(default=None, max_length=512)
    cluster_id: int | None = Field(default=None, foreign_key="cluster.id", index=True)
    # The one channel linked as the citywide channel (``@link citywide``): the Citywide Meeting's packs go there.
    citywide: bool = Field(default=False, index=True)
    reference: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    installed: bool = Field(default=True)
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class AuditEvent(SQLModel, table=True):
    """One line of the append-only record of who read or changed what (triggers forbid edits)."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    actor: str = Field(max_length=128, index=True)  # person:<id>, aad:<object id>, cli, scheduler
    action: str = Field(max_length=64)
    subject: str = Field(default="", max_length=256, index=True)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class Referral(SQLModel, table=True):
    """A request to the cluster, from one setting; its form answers are kept as JSON in ``details``."""

    __table_args__ = (UniqueConstraint("creation_key"),)

    id: int | None = Field(default=None, primary_key=True)
    cluster_id: int = Field(foreign_key="cluster.id", index=True)
    setting_id: int = Field(foreign_key="setting.id", index=True)
    created_by: int = Field(foreign_key="person.id")
    kind: str = Field(max_length=16)
    state: str = Field(max_length=16, index=True)
    reference: str | None = Field(default=None, unique=True, max_length=24)
    meeting_id: int | None = Field(default=None, foreign_key="meeting.id", index=True)
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    contribution_pence: int = Field(default=0)
    returned_reason: str | None = Field(default=None, max_length=1000)
    # The picker card's one-off key: Teams may deliver the same "start" twice; both find this draft.
    creation_key: str = Field(max_length=64)
    version: int = Field(default=1)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    submitted_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    # Set when the pupil's details were removed (retention period passed, or a lawful erasure request);
    # the decision, the money and the reference stay.
    erased_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    erased_reason: str | None = Field(default=None, max_length=200)


class ProvisionLine(SQLModel, table=True):
    """One row of a referral's costed provision map (money in pence)."""

    __tablename__ = "provision_line"

    id: int | None = Field(default=None, primary_key=True)
    referral_id: int = Field(foreign_key="referral.id", index=True)
    position: int
    provision: str = Field(max_length=200)
    area_of_need: str = Field(max_length=8)
    delivered_by: str = Field(max_length=100)
    minutes_per_session: int
    sessions_per_week: int
    group_size: int
    weeks: int
    hourly_rate_pence: int


class ReferralDocument(SQLModel, table=True):
    """A supporting document: a file the bot keeps, or a link to the school's SharePoint or OneDrive."""

    __tablename__ = "referral_document"

    id: int | None = Field(default=None, primary_key=True)
    referral_id: int = Field(foreign_key="referral.id", index=True)
    name: str = Field(max_length=200)
    url: str | None = Field(default=None, max_length=2000)
    content_type: str | None = Field(default=None, max_length=100)
    size_bytes: int | None = None
    content: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    added_by: int = Field(foreign_key="person.id")
    added_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class ReferenceCounter(SQLModel, table=True):
    """The last reference number given per cluster and school year (CEN-2526-014 is number 14)."""

    __tablename__ = "reference_counter"

    cluster_id: int = Field(foreign_key="cluster.id", primary_key=True)
    year_start: int = Field(primary_key=True)
    last_number: int = Field(default=0)


class CapitalWindow(SQLModel, table=True):
    """The Capital Fund's round for a school year: its application window, and (once set) its total and dates.

    A row with only the window (``clusterbot capital-window``) moves the window from 1 Sep - 31 Dec; a round
    (``clusterbot capital-round set`` or the officer's card) also names its total and timeline.
    """

    __tablename__ = "capital_window"

    year_start: int = Field(primary_key=True)
    opens: date
    closes: date
    label: str | None = Field(default=None, max_length=40)  # None: a window only, not yet a round
    total_pence: int | None = None
    panel_by: date | None = None
    decisions_by: date | None = None
    complete_by: date | None = None
    evaluate_by: date | None = None


class Budget(SQLModel, table=True):
    """A cluster's budget for a funding period; what is available is derived from decisions, never stored."""

    __table_args__ = (UniqueConstraint("cluster_id", "starts"),)

    id: int | None = Field(default=None, primary_key=True)
    cluster_id: int = Field(foreign_key="cluster.id", index=True)
    label: str = Field(max_length=40)
    starts: date
    ends: date
    baseline_pence: int
    growth_uplift_pence: int = Field(default=0)
    specialist_allocation_pence: int = Field(default=0)
    reserve_pence: int = Field(default=0)
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class AgendaItem(SQLModel, table=True):
    """A referral on a meeting's agenda, and its vote: pending, open, closed, then decided."""

    __tablename__ = "agenda_item"
    __table_args__ = (UniqueConstraint("meeting_id", "referral_id"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    referral_id: int = Field(foreign_key="referral.id", index=True)
    deferred_from: int | None = Field(default=None, foreign_key="meeting.id")
    # A review that needs a decision (no foreign key: agenda item, decision and review would form a cycle).
    review_id: int | None = Field(default=None, index=True)
    state: str = Field(default="pending", max_length=16)
    casting: str | None = Field(default=None, max_length=16)
    card_activity_id: str | None = Field(default=None, max_length=256)
    opened_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    closed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    # The quorum as it stood when the vote closed: a later change of the cluster's rules or settings must
    # not turn a quorate approval in the minutes into "not quorate".
    quorum_needed: int | None = None


class Vote(SQLModel, table=True):
    """One setting's vote on an item; a later vote from the same setting replaces it while the vote is open."""

    __table_args__ = (UniqueConstraint("item_id", "setting_id"),)

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="agenda_item.id", index=True)
    setting_id: int = Field(foreign_key="setting.id")
    person_id: int = Field(foreign_key="person.id")
    choice: str = Field(max_length=16)
    cast_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class Interest(SQLModel, table=True):
    """A member's declared interest in an item: they do not vote on it."""

    item_id: int = Field(foreign_key="agenda_item.id", primary_key=True)
    person_id: int = Field(foreign_key="person.id", primary_key=True)
    declared_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class Decision(SQLModel, table=True):
    """What the meeting decided on an item; funded decisions commit money against the cluster's budget."""

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="agenda_item.id", unique=True)
    referral_id: int = Field(foreign_key="referral.id", index=True)
    cluster_id: int = Field(foreign_key="cluster.id", index=True)
    outcome: str = Field(max_length=20)
    amount_pence: int = Field(default=0)
    conditions: str = Field(default="", max_length=2000)
    feedback: str = Field(default="", max_length=2000)
    information_needed: str = Field(default="", max_length=2000)
    review_date: date | None = None
    schedule: str | None = Field(default=None, max_length=16)
    reserve_drawn: bool = Field(default=False)
    decided_by: int = Field(foreign_key="person.id")
    # The citywide pack reads the decisions since the last citywide meeting, however many came before.
    decided_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))


class ChannelPost(SQLModel, table=True):
    """A card the bot posted in a channel and may update later (the agenda, a vote), found by a stable key."""

    __tablename__ = "channel_post"

    key: str = Field(primary_key=True, max_length=64)  # e.g. agenda:12, vote:34
    conversation_id: str = Field(max_length=512)
    activity_id: str = Field(max_length=256)
    posted_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class Outbox(SQLModel, table=True):
    """A proactive message owed to a conversation, kept until the connector accepts it.

    ``key`` is unique per message and recipient (``review:12:due-14:person:7``), and the row is written in
    the same transaction that decides the message is owed: a second decision, on another replica or after
    a restart, finds the key taken and owes nothing more.

    What is owed is the Adaptive Card in ``card`` (the sender puts it in Teams' message envelope when it sends
    it, ``bot.teams.wire``), or, for rows owed before cards were kept as such, the whole activity in ``activity``.
    """

    # The sender's queries (what is due, when the next falls due) read the owed rows only, by time.
    __table_args__ = (Index("ix_outbox_state_not_before", "state", "not_before"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, max_length=200)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    conversation_id: str | None = Field(default=None, max_length=512)  # a channel, when not a person's chat
    activity: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    card: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    state: str = Field(default="owed", max_length=16)  # owed | delivered | undeliverable | cancelled
    attempts: int = Field(default=0)
    not_before: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    last_error: str | None = Field(default=None, max_length=300)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    delivered_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    # A channel card the bot keeps up to date (agenda:12, vote:34): drawn from the database when sent, so the
    # row is owed again (revision + 1) whenever the card changes, and one send carries every change so far.
    card_key: str | None = Field(default=None, max_length=64, index=True)
    thread_of: str | None = Field(default=None, max_length=64)  # post a new card in the thread of this card
    revision: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class Review(SQLModel, table=True):
    """The review every funded decision owes by its review date."""

    # The reminders job reads the open reviews whose next look has come, or never looked at and near their due
    # date: its cost grows with what falls due, not with the number of open reviews.
    __table_args__ = (Index("ix_review_state_next_nudge_on_due", "state", "next_nudge_on", "due"),)

    id: int | None = Field(default=None, primary_key=True)
    decision_id: int = Field(foreign_key="decision.id", unique=True)
    referral_id: int = Field(foreign_key="referral.id", index=True)
    setting_id: int = Field(foreign_key="setting.id", index=True)
    cluster_id: int = Field(foreign_key="cluster.id", index=True)
    due: date
    state: str = Field(default="open", max_length=16)  # open | submitted | decided
    snoozed_until: date | None = None
    # When the reminders job next looks at it (a nudge point, the snooze's end, the escalation); None: never
    # looked at yet. Only the job sets it (``usecases.nudges``).
    next_nudge_on: date | None = None
    answers: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    submitted_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    submitted_by: int | None = Field(default=None, foreign_key="person.id")


class ReviewOutcome(SQLModel, table=True):
    """How a submitted review rated one outcome its referral set: one row per outcome, for the impact counts.

    The cluster, setting and kind are copied from the referral so that adding ratings up by cluster and kind
    reads this table alone (``usecases.impact``). A review's rows are replaced whenever it is submitted.
    """

    __tablename__ = "review_outcome"
    __table_args__ = (UniqueConstraint("review_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="review.id", index=True)
    referral_id: int = Field(foreign_key="referral.id")
    cluster_id: int = Field(foreign_key="cluster.id", index=True)
    setting_id: int = Field(foreign_key="setting.id")
    kind: str = Field(max_length=16)
    position: int  # 1 for the first outcome set
    outcome: str = Field(max_length=2000)
    rating: str = Field(max_length=16)  # cluster.impact.Rating
    rated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class Release(SQLModel, table=True):
    """Money given back to the cluster's budget: the unpaid remainder of a decision whose funding stopped."""

    id: int | None = Field(default=None, primary_key=True)
    decision_id: int = Field(foreign_key="decision.id", unique=True)
    review_id: int | None = Field(default=None, foreign_key="review.id")
    amount_pence: int
    released_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class JobMark(SQLModel, table=True):
    """What a scheduled job has finished with, so its next run looks only at what changed (``store.job_marks``)."""

    __tablename__ = "job_mark"

    name: str = Field(primary_key=True, max_length=40)
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    marks: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


# --- Revenue ledger (issue 11): the council's term dates, each funded decision's instalments, its letter


class TermDate(SQLModel, table=True):
    """One school term of the council's published dates: instalments fall on term starts (cluster.terms)."""

    __tablename__ = "term_date"
    __table_args__ = (UniqueConstraint("year", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    year: int  # the school year's first calendar year: 2025 for 2025/26
    name: str = Field(max_length=8)  # autumn | spring | summer
    starts: date = Field(unique=True)
    ends: date
    source: str = Field(default="", max_length=200)  # the file it was loaded from, or the shipped data
    loaded_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class Instalment(SQLModel, table=True):
    """One payment of a funded decision, written with the decision: due, then paid or cancelled.

    ``cluster_id`` repeats the decision's so the payments card and the exports find a cluster's instalments
    by index; ``paid_by`` is the actor who marked it paid (``person:12``, or ``cli`` for an import).
    """

    __table_args__ = (
        UniqueConstraint("decision_id", "position"),
        Index("ix_instalment_state_due_on", "state", "due_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    decision_id: int = Field(foreign_key="decision.id", index=True)
    cluster_id: int = Field(foreign_key="cluster.id", index=True)
    position: int  # 1 for the first instalment
    due_on: date
    amount_pence: int
    state: str = Field(default="due", max_length=16)  # due | paid | cancelled
    paid_on: date | None = None
    paid_by: str | None = Field(default=None, max_length=128)
    paid_reference: str | None = Field(default=None, max_length=64)
    cancelled_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))


class DecisionLetter(SQLModel, table=True):
    """The letter a decision made for its setting (Word), kept as it was sent: made in the decision's unit."""

    __tablename__ = "decision_letter"

    decision_id: int = Field(foreign_key="decision.id", primary_key=True)
    filename: str = Field(max_length=200)
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    made_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


# --- Capital Fund governance (issue 11: the panel, the Board, the project's journey, its evaluation) ---


class PanelMember(SQLModel, table=True):
    """A SENCO the cluster's admin names to its Cluster Panel (the chair and the team sit on it by their roles)."""

    __tablename__ = "panel_member"
    __table_args__ = (UniqueConstraint("cluster_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    cluster_id: int = Field(foreign_key="cluster.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    added_by: int | None = Field(default=None, foreign_key="person.id")
    added_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class CapitalApplication(SQLModel, table=True):
    """A Capital Fund application (a capital referral) from the admin's check on: panel, Board, journey, impact.

    Made when the admin accepts the referral. The round is its submission's school year. ``next_look_on`` is
    when the scheduler next looks at it (scoring cards once the window closes, nudges as its round's dates
    near): the job reads only the applications whose look has come.
    """

    __tablename__ = "capital_application"

    referral_id: int = Field(foreign_key="referral.id", primary_key=True)
    cluster_id: int = Field(foreign_key="cluster.id", index=True)
    setting_id: int = Field(foreign_key="setting.id", index=True)
    year_start: int = Field(index=True)
    asked_pence: int
    accepted_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    next_look_on: date | None = Field(default=None, index=True)
    scoring_from: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    panel_closed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    panel_closed_by: int | None = Field(default=None, foreign_key="person.id")
    recommendation: str | None = Field(default=None, max_length=32)
    recommendation_reasons: str = Field(default="", max_length=2000)
    recommendation_conditions: str = Field(default="", max_length=2000)
    recommended_by: int | None = Field(default=None, foreign_key="person.id")
    recommended_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    board_approved: bool | None = None
    board_amount_pence: int = Field(default=0)
    board_conditions: str = Field(default="", max_length=2000)
    board_reasons: str = Field(default="", max_length=2000)
    board_recorded_by: int | None = Field(default=None, foreign_key="person.id")
    board_recorded_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    started_on: date | None = None
    completed_on: date | None = None
    visitor: str | None = Field(default=None, max_length=200)
    visited_on: date | None = None
    visit_passed: bool | None = None
    visit_notes: str = Field(default="", max_length=2000)
    visit_recorded_by: int | None = Field(default=None, foreign_key="person.id")
    released_pence: int | None = None
    released_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    released_by: int | None = Field(default=None, foreign_key="person.id")
    # The impact: {"ehcp_pupils": 4, "pupils_weekly": 30, "attendance_change": "+2.5", "what_changed": "..."}.
    evaluation: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    evaluated_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    evaluated_by: int | None = Field(default=None, foreign_key="person.id")


class CapitalScore(SQLModel, table=True):
    """One panel member's scores for one application (1-5 per criterion, with comments); changed until it closes."""

    __tablename__ = "capital_score"
    __table_args__ = (UniqueConstraint("referral_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    referral_id: int = Field(foreign_key="capital_application.referral_id", index=True)
    person_id: int = Field(foreign_key="person.id")
    scores: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    comments: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    scored_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class CapitalInvoice(SQLModel, table=True):
    """A paid invoice for a project: its amount, then the file the SENCO sends in chat (None until it comes)."""

    __tablename__ = "capital_invoice"

    id: int | None = Field(default=None, primary_key=True)
    referral_id: int = Field(foreign_key="capital_application.referral_id", index=True)
    amount_pence: int
    name: str | None = Field(default=None, max_length=200)
    content_type: str | None = Field(default=None, max_length=100)
    size_bytes: int | None = None
    content: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    added_by: int = Field(foreign_key="person.id", index=True)
    added_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    file_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
