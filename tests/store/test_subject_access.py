"""Issue 13, subject access: the export holds what the bot keeps about one pupil of one setting, and nothing
about another pupil of that setting, the same reference at another setting, or a project naming no pupil."""

from __future__ import annotations

import io
import json
from datetime import datetime
from typing import Any

import docx
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from cluster.clock import LONDON, FixedClock
from cluster.errors import Refusal
from reports.subject_access import file_name, subject_access_docx, subject_access_json
from store.models import AuditEvent, Cluster, Referral, Setting
from tests.support.pupils import KEPT_FILE, Pupils, build_pupils
from usecases.subject_access import files_of, subject_access

ASKED = datetime(2026, 7, 20, 14, 30, tzinfo=LONDON)


@pytest.fixture
def pupils(central: Engine, clock: FixedClock) -> Pupils:
    return build_pupils(central, clock.now())


def exported(engine: Engine, setting: str = "Etruscan Primary School", ref: str = "etr-0042 ") -> dict[str, Any]:
    body: dict[str, Any] = json.loads(subject_access_json(subject_access(engine, setting, ref, ASKED)))
    return body


def docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_the_export_holds_the_pupils_answers_rows_decision_instalments_and_review(
    central: Engine, pupils: Pupils
) -> None:
    [held] = exported(central)["referrals"]
    assert held["reference"] == pupils.reference
    answers = {a["label"]: a["value"] for a in held["answers"]}
    assert answers["School's pupil reference"] == "ETR-0042"
    assert answers["Summary of need"] == "Limited expressive language; struggles in whole-class teaching."
    [row] = held["provision"]
    assert row["Provision"] == "Language group" and row["Hourly rate"] == "£15.00"
    [decision] = held["decisions"]
    assert decision["outcome"] == "Approved" and decision["amount"] == held["amount_requested"]
    assert decision["instalments"] and all(i["amount"].startswith("£") for i in decision["instalments"])
    [review] = held["reviews"]
    assert {
        "label": "Outcomes achieved, against the outcomes set",
        "value": "Both met; asks for help in class now.",
    } in (review["answers"])
    assert [r["rating"] for r in review["outcomes_rated"]] == ["Achieved", "Partly achieved"]
    assert held["meeting"]["day"] == "2025-12-11"


def test_the_export_says_who_read_and_changed_the_records(central: Engine, pupils: Pupils) -> None:
    [held] = exported(central)["referrals"]
    seen = {(line["who"], line["action"]) for line in held["audit"]}
    assert ("Theo Team <theo@stoke.example>", "referral.read") in seen
    assert ("Sam Senco <sam@etruscan.example>", "referral.create") in seen
    assert ("Sam Senco <sam@etruscan.example>", "review.submit") in seen
    assert any(line["action"] == "vote.cast" for line in held["audit"]), "the agenda item's lines are its too"


def test_nothing_about_another_pupil_the_same_reference_elsewhere_or_a_project_is_exported(
    central: Engine, pupils: Pupils
) -> None:
    held = subject_access(central, "Etruscan Primary School", "ETR-0042", ASKED)
    everything = subject_access_json(held).decode() + docx_text(subject_access_docx(held))
    assert [r.view.id for r in held.referrals] == [pupils.referral_id]
    for other in ("OTHER PUPIL SUMMARY", "ETR-0099", "WATERSIDE PUPIL SUMMARY", "NURTURE ROOM PROJECT", "ROW OF"):
        assert other not in everything, other
    other_subjects = {f"referral:{i}" for i in pupils.other_ids}
    assert not any(line.subject in other_subjects for r in held.referrals for line in r.audit)


def test_the_same_reference_at_another_setting_is_that_settings_pupil(central: Engine, pupils: Pupils) -> None:
    [held] = exported(central, "waterside primary school", "ETR-0042")["referrals"]
    assert {"label": "Summary of need", "value": "WATERSIDE PUPIL SUMMARY"} in held["answers"]
    assert "Limited expressive language" not in json.dumps(held)


def test_the_export_is_audited_with_the_referral_ids_and_not_the_pupil_reference(
    central: Engine, pupils: Pupils
) -> None:
    subject_access(central, "Etruscan Primary School", "ETR-0042", ASKED)
    with Session(central) as session:
        etruscan = session.exec(select(Setting).where(Setting.name == "Etruscan Primary School")).one()
        [line] = session.exec(select(AuditEvent).where(AuditEvent.action == "pupil.subject_access")).all()
    assert (line.actor, line.subject, line.detail) == (
        "cli",
        f"setting:{etruscan.id}",
        {"referrals": [pupils.referral_id]},
    )
    assert "0042" not in json.dumps(line.detail)


def test_when_nothing_is_held_the_export_says_so_and_is_still_audited(central: Engine, pupils: Pupils) -> None:
    held = subject_access(central, "Etruscan Primary School", "ETR-7777", ASKED)
    assert held.referrals == ()
    assert json.loads(subject_access_json(held))["nothing_held"] is True
    assert "holds nothing about this pupil" in docx_text(subject_access_docx(held))
    with Session(central) as session:
        [line] = session.exec(select(AuditEvent).where(AuditEvent.action == "pupil.subject_access")).all()
    assert line.detail == {"referrals": []}


def test_the_word_document_opens_with_the_reference_the_answers_and_the_kept_file_named_safely(
    central: Engine, pupils: Pupils
) -> None:
    held = subject_access(central, "Etruscan Primary School", "ETR-0042", ASKED)
    text = docx_text(subject_access_docx(held))
    assert pupils.reference in text and "ETR-0042" in text
    assert "Limited expressive language; struggles in whole-class teaching." in text
    assert "Both met; asks for help in class now." in text and "£15.00" in text
    [(referral, kept)] = files_of(held)
    assert kept.content == KEPT_FILE
    name = file_name(referral, kept)
    assert "/" not in name and ".." not in name and name.endswith("SALT_report_term_1.pdf")
    assert name in text
    assert subject_access_docx(held) == subject_access_docx(held), "the same export gives the same bytes"


def test_an_erased_referral_says_when_its_pupil_details_were_removed(central: Engine, pupils: Pupils) -> None:
    with Session(central) as session:
        referral = session.get(Referral, pupils.referral_id)
        assert referral is not None
        referral.erased_at = datetime(2026, 3, 3, 9, 0, tzinfo=LONDON)
        referral.erased_reason = "the retention period ended"
        session.add(referral)
        session.commit()
    held = subject_access(central, "Etruscan Primary School", "ETR-0042", ASKED)
    line = "Pupil details removed on 3 March 2026: the retention period ended"
    assert json.loads(subject_access_json(held))["referrals"][0]["pupil_details_removed"] == line
    assert line in docx_text(subject_access_docx(held))


def test_an_unknown_setting_is_refused_and_a_name_two_clusters_share_needs_the_cluster(
    central: Engine, pupils: Pupils
) -> None:
    with pytest.raises(Refusal, match="No setting is called Nowhere School"):
        subject_access(central, "Nowhere School", "ETR-0042", ASKED)
    with Session(central) as session:
        north = Cluster(name="North", code="NOR")
        session.add(north)
        session.flush()
        session.add(Setting(cluster_id=north.id or 0, name="Etruscan Primary School"))
        session.commit()
    with pytest.raises(
        Refusal,
        match=r"More than one setting is called Etruscan Primary School \(clusters Central, North\): say which",
    ):
        subject_access(central, "Etruscan Primary School", "ETR-0042", ASKED)
    assert len(subject_access(central, "Etruscan Primary School", "ETR-0042", ASKED, cluster="central").referrals) == 1
    assert subject_access(central, "Etruscan Primary School", "ETR-0042", ASKED, cluster="North").referrals == ()
    with Session(central) as session:
        lines = session.exec(select(AuditEvent).where(col(AuditEvent.action) == "pupil.subject_access")).all()
    assert len(lines) == 2, "refusals export nothing and write no line"
