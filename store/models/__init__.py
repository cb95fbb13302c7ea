"""The database's tables (SQLModel), one module per topic; every table is imported here.

``from store.models import Referral`` is how the rest of the code names a table, whichever module holds it:

- ``people``: clusters, settings (schools), people, role assignments, conversation references;
- ``referrals``: referrals, their cost rows and documents, reference counters, reviews and their ratings;
- ``meetings``: cluster and Citywide Meetings, agenda items, votes, interests, decisions;
- ``attendance``: meeting registers and substitutes;
- ``provision``: the Costed Provision Document's versions and rows;
- ``ledger``: budgets, releases, term dates, instalments, decision letters;
- ``capital``: the Capital Fund's rounds, panel members, applications, scores, invoices;
- ``qa_visits``: quality-assurance visits to settings and their actions;
- ``records``: the audit log, the outbox, channel posts, job marks.

Importing this package registers every table on ``SQLModel.metadata`` (migrations and tests read it whole).
"""

from __future__ import annotations

from store.models.attendance import Attendance, Substitute
from store.models.capital import CapitalApplication, CapitalInvoice, CapitalScore, CapitalWindow, PanelMember
from store.models.ledger import Budget, DecisionLetter, Instalment, Release, TermDate
from store.models.meetings import AgendaItem, CitywideMeeting, Decision, Interest, Meeting, Vote
from store.models.people import Cluster, ConversationRef, Person, RoleAssignment, Setting
from store.models.provision import ProvisionDocument, ProvisionEntry
from store.models.qa_visits import QaAction, QaVisit
from store.models.records import AuditEvent, ChannelPost, JobMark, Outbox
from store.models.referrals import ProvisionLine, ReferenceCounter, Referral, ReferralDocument, Review, ReviewOutcome

__all__ = [
    "AgendaItem",
    "Attendance",
    "AuditEvent",
    "Budget",
    "CapitalApplication",
    "CapitalInvoice",
    "CapitalScore",
    "CapitalWindow",
    "ChannelPost",
    "CitywideMeeting",
    "Cluster",
    "ConversationRef",
    "Decision",
    "DecisionLetter",
    "Instalment",
    "Interest",
    "JobMark",
    "Meeting",
    "Outbox",
    "PanelMember",
    "Person",
    "ProvisionDocument",
    "ProvisionEntry",
    "ProvisionLine",
    "QaAction",
    "QaVisit",
    "ReferenceCounter",
    "Referral",
    "ReferralDocument",
    "Release",
    "Review",
    "ReviewOutcome",
    "RoleAssignment",
    "Setting",
    "Substitute",
    "TermDate",
    "Vote",
]
