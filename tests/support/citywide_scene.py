"""A city for the Citywide Meeting's pack: two clusters, their decisions, overdue reviews and capital visits.

The rows a meeting day leaves behind are written directly, with the times each test needs (a decision on a
given day, a review due on another), and every referral carries a pupil's details, which the pack must
never show: initials, name, date of birth and the pupil reference the connector checks channels for.
"""

from __future__ import annotations

import itertools
import json
from datetime import date, datetime, time
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import select

from cluster.clock import LONDON
from cluster.roles import Role
from store.db import transaction
from store.models import (
    AgendaItem,
    CapitalApplication,
    Cluster,
    ConversationRef,
    Decision,
    Meeting,
    Person,
    Referral,
    Review,
    Setting,
)
from store.seed import CENTRAL, seed_file
from tests.support.two_clusters import NORTH
from usecases.roster import Entry, import_entries

NOW = datetime(2025, 11, 20, 10, 0, tzinfo=LONDON)
CITYWIDE_CHANNEL = "19:citywide@thread.tacv2"
OFFICER = ("aad-officer", "Olive Officer")
OFFICER_2 = ("aad-officer-2", "Oscar Officer")
CHAIR = ("aad-chair", "Chris Chair")
SENCO = ("aad-senco", "Sam Senco")
PUPIL = {
    "pupil_initials": "JQ",
    "pupil_name": "Jamie Quartermaine",
    "date_of_birth": "2016-03-14",
    "year_group": "Y4",
    "pupil_ref": "ETR-0042",
}
PUPIL_DETAILS = ("Quartermaine", "2016-03-14", "14 Mar", "ETR-0042", '"JQ"', "JQ ")
ROSTER = [
    Entry(OFFICER[1], None, OFFICER[0], Role.COUNCIL_OFFICER, None, None),
    Entry(OFFICER_2[1], None, OFFICER_2[0], Role.COUNCIL_OFFICER, None, None),
    Entry(CHAIR[1], None, CHAIR[0], Role.CHAIR, "Central", None),
    Entry(SENCO[1], None, SENCO[0], Role.SENCO, "Central", "Etruscan Primary School"),
]
_numbers = itertools.count(1)


def build_city(engine: Engine, tmp_path: Path) -> None:
    """Central (from the seed) and North, with a council officer, a second officer, a chair and a SENCO."""
    seed_file(engine, CENTRAL, NOW)
    north = tmp_path / "north.json"
    north.write_text(json.dumps(NORTH))
    seed_file(engine, north, NOW)
    import_entries(engine, ROSTER, NOW, "test")


def link_citywide_channel(engine: Engine, service_url: str, conversation_id: str = CITYWIDE_CHANNEL) -> str:
    """Store a team channel's reference, linked as the citywide channel (as ``@link citywide`` would)."""
    with transaction(engine) as session:
        session.add(
            ConversationRef(
                conversation_id=conversation_id,
                kind="channel",
                service_url=service_url,
                citywide=True,
                reference={"serviceUrl": service_url, "conversation": {"id": conversation_id}},
                updated_at=NOW,
            )
        )
    return conversation_id


def decide(
    engine: Engine,
    cluster: str,
    on: date,
    outcome: str = "approved",
    amount_pence: int = 250000,
    kind: str = "individual",
    setting: str | None = None,
    decided: bool = True,
) -> str:
    """A referral of ``cluster`` decided on ``on`` (its details name a pupil); returns its reference."""
    number = next(_numbers)
    with transaction(engine) as session:
        cluster_row = session.exec(select(Cluster).where(Cluster.name == cluster)).one()
        setting_row = session.exec(
            select(Setting).where(Setting.cluster_id == cluster_row.id, *([Setting.name == setting] if setting else []))
        ).first()
        assert setting_row is not None
        person = session.exec(select(Person)).first()
        meeting = session.exec(select(Meeting).where(Meeting.cluster_id == cluster_row.id)).first()
        assert person is not None and meeting is not None
        at = datetime.combine(on, time(11, 0), tzinfo=LONDON)
        reference = f"{cluster_row.code}-2526-{number:03d}"
        referral = Referral(
            cluster_id=cluster_row.id or 0,
            setting_id=setting_row.id or 0,
            created_by=person.id or 0,
            kind=kind,
            state="decided",
            reference=reference,
            meeting_id=meeting.id,
            details=dict(PUPIL),
            creation_key=f"citywide-{number}",
            created_at=at,
            updated_at=at,
            submitted_at=at,
        )
        session.add(referral)
        session.flush()
        if not decided:
            return reference
        item = AgendaItem(meeting_id=meeting.id or 0, referral_id=referral.id or 0, state="decided")
        session.add(item)
        session.flush()
        session.add(
            Decision(
                item_id=item.id or 0,
                referral_id=referral.id or 0,
                cluster_id=cluster_row.id or 0,
                outcome=outcome,
                amount_pence=amount_pence,
                decided_by=person.id or 0,
                decided_at=at,
            )
        )
    return reference


def review_due(engine: Engine, reference: str, due: date, state: str = "open") -> None:
    """The review of the decision on ``reference``, due on ``due``."""
    with transaction(engine) as session:
        referral = session.exec(select(Referral).where(Referral.reference == reference)).one()
        decision = session.exec(select(Decision).where(Decision.referral_id == referral.id)).one()
        session.add(
            Review(
                decision_id=decision.id or 0,
                referral_id=referral.id or 0,
                setting_id=referral.setting_id,
                cluster_id=referral.cluster_id,
                due=due,
                state=state,
            )
        )


def visited(engine: Engine, cluster: str, on: date, passed: bool | None = True) -> str:
    """A Capital Fund application of ``cluster`` whose quality-assurance visit was on ``on``; its reference."""
    reference = decide(engine, cluster, on, kind="capital", decided=False)
    with transaction(engine) as session:
        referral = session.exec(select(Referral).where(Referral.reference == reference)).one()
        session.add(
            CapitalApplication(
                referral_id=referral.id or 0,
                cluster_id=referral.cluster_id,
                setting_id=referral.setting_id,
                year_start=2025,
                asked_pence=1_200_000,
                accepted_at=NOW,
                visited_on=on,
                visit_passed=passed,
                visitor="Theo Team",
            )
        )
    return reference
