"""The database's tables (SQLModel), one module per topic; every table is imported here.

``from store.models import Referral`` is how the rest of the code names a table, whichever module holds it:

- ``people``: clusters, settings (schools), people, role assignments, conversation references;
- ``referrals``: referrals, their cost rows and documents, reference counters, reviews and their ratings;
- ``meetings``: cluster and Citywide Meetings, agenda items, votes, interests, decisions;
- ``attendance``: meeting registers and substitutes;
- ``provision``: the Costed Provision Document's versions and rows;
- ``funding``: each financial year's funding formula and every change to it;
- ``ledger``: budgets, releases, term dates, instalments, decision letters;
- ``capital``: the Capital Fund's rounds, panel members, applications, scores, invoices;
- ``what_worked``: the search index of what worked (funded provisions' outcomes, discussions' advice);
- ``qa_visits``: quality-assurance visits to settings and their actions;
- ``records``: the audit log, the record chain, the outbox, channel posts, job marks.

Importing this package registers every table on ``SQLModel.metadata`` (migrations and tests read it whole).
"""

from __future__ import annotations

from store.models.attendance import Attendance, Substitute
from store.models.capital import CapitalApplication, CapitalInvoice, CapitalScore, CapitalWindow, PanelMember
from store.models.funding import FundingChange, FundingYear
from store.models.ledger import Budget, DecisionLetter, Instalment, Release, TermDate
from store.models.meetings import AgendaItem, CitywideMeeting, Decision, Interest, Meeting, Vote
from store.models.people import Cluster, ConversationRef, CouncilService, Person, RoleAssignment, Setting
from store.models.provision import ProvisionDocument, ProvisionEntry
from store.models.qa_visits import QaAction, QaVisit
from store.models.records import AuditEvent, ChainEntry, ChainHead, ChannelPost, JobMark, Outbox
from store.models.referrals import ProvisionLine, ReferenceCounter, Referral, ReferralDocument, Review, ReviewOutcome
from store.models.what_worked import WhatWorked

__all__ = [
    "AgendaItem",
    "Attendance",
    "AuditEvent",
    "Budget",
    "CapitalApplication",
    "CapitalInvoice",
    "CapitalScore",
    "CapitalWindow",
    "ChainEntry",
    "ChainHead",
    "ChannelPost",
    "CitywideMeeting",
    "Cluster",
    "ConversationRef",
    "CouncilService",
    "Decision",
    "DecisionLetter",
    "FundingChange",
    "FundingYear",
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
    "WhatWorked",
]
