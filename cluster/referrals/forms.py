"""The kinds of referral and their forms: each kind's fields, the choices they offer, and the checks across fields.

Individual pupil need, project, EHCP, Capital Fund and discussion each have a main form (:data:`FORMS`,
:func:`form_fields`, :func:`check_details`); the costed kinds add rows of costs (:data:`PROVISION_FIELDS`,
:func:`provision_row`) and the school's own contribution.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date
from enum import StrEnum
from typing import Any

from cluster.forms import Checked, Field, FieldType, check_form
from cluster.impact import OUTCOME_HINT, too_many_outcomes
from cluster.provision import ProvisionRow


class Kind(StrEnum):
    """What a referral asks for."""

    INDIVIDUAL = "individual"
    PROJECT = "project"
    EHCP = "ehcp"
    CAPITAL = "capital"
    DISCUSSION = "discussion"


KIND_TITLES: dict[Kind, str] = {
    Kind.INDIVIDUAL: "Individual Pupil Need",
    Kind.PROJECT: "Project-Based Work",
    Kind.EHCP: "EHCP exceptional needs or funding change",
    Kind.CAPITAL: "Inclusive Environments Capital Fund",
    Kind.DISCUSSION: "Solution-focused discussion",
}

KIND_SUMMARIES: dict[Kind, str] = {
    Kind.INDIVIDUAL: "Funding for one pupil, with a costed provision map.",
    Kind.PROJECT: "Funding for work across a setting or several settings.",
    Kind.EHCP: "Extra funding tied to Section F of a pupil's EHC plan.",
    Kind.CAPITAL: "A one-off grant of up to £15,000 to make a space more inclusive.",
    Kind.DISCUSSION: "Bring a case to your peers for advice; no money asked.",
}

YEAR_GROUPS: tuple[tuple[str, str], ...] = (
    ("N", "Nursery"),
    ("R", "Reception"),
    *((f"Y{n}", f"Year {n}") for n in range(1, 15)),
)
AREAS_OF_NEED: tuple[tuple[str, str], ...] = (
    ("CI", "Communication and interaction"),
    ("CL", "Cognition and learning"),
    ("SEMH", "Social, emotional and mental health"),
    ("SP", "Sensory and/or physical"),
)
# The Department for Education's SEN type codes (school census).
NEED_CODES: tuple[tuple[str, str], ...] = (
    ("SPLD", "SpLD - Specific learning difficulty"),
    ("MLD", "MLD - Moderate learning difficulty"),
    ("SLD", "SLD - Severe learning difficulty"),
    ("PMLD", "PMLD - Profound and multiple learning difficulty"),
    ("SEMH", "SEMH - Social, emotional and mental health"),
    ("SLCN", "SLCN - Speech, language and communication needs"),
    ("HI", "HI - Hearing impairment"),
    ("VI", "VI - Visual impairment"),
    ("MSI", "MSI - Multi-sensory impairment"),
    ("PD", "PD - Physical disability"),
    ("ASD", "ASD - Autistic spectrum disorder"),
    ("OTH", "OTH - Other difficulty or disability"),
)
CAPITAL_CATEGORIES: tuple[tuple[str, str], ...] = (
    ("sensory", "Sensory spaces or circuits"),
    ("outdoor", "Accessible outdoor equipment"),
    ("sanitary", "Inclusive sanitary provision"),
    ("acoustic", "Acoustic improvements"),
    ("breakout", "Restorative or breakout spaces"),
    ("wayfinding", "Spatial sequencing and wayfinding"),
    ("nature", "Access to nature"),
    ("environment", "Lighting, thermal comfort and ventilation"),
)
CAPITAL_LIMIT_PENCE = 15_000_00
CAPITAL_CRITERIA: tuple[tuple[str, str], ...] = (
    ("strategic_fit", "Strategic fit"),
    ("design_quality", "Quality of design"),
    ("deliverability", "Deliverability"),
    ("value_for_money", "Value for money"),
    ("environmental_impact", "Environmental impact"),
    ("stakeholder_engagement", "Stakeholder engagement"),
)
# What the Capital Fund cannot pay for, each with the reason the applicant is told.
CAPITAL_EXCLUSIONS: tuple[tuple[str, str, str], ...] = (
    (
        "revenue_costs",
        "The works include revenue costs (staffing, training, vehicles)",
        "The Capital Fund cannot pay revenue costs such as staffing, training or electric vehicles.",
    ),
    (
        "maintenance",
        "The works are maintenance",
        "Maintenance is not eligible: it is covered by DFC, CIF or SCA funding.",
    ),
    (
        "adult_or_he",
        "Our setting is higher education or for those aged 25+",
        "Higher education institutions and settings for those aged 25 and over are not eligible.",
    ),
    (
        "mobility_equipment",
        "The works buy individual mobility equipment (such as a wheelchair)",
        "Individual mobility equipment is not eligible (installations such as ceiling hoists are).",
    ),
    (
        "had_hncg",
        "Our setting has had High Needs Capital Grant funding (including ERP projects)",
        "Settings that already received High Needs Capital Grant funding, including Enhanced Resource "
        "Provision projects, are not eligible.",
    ),
)

MONEY_LIMIT_PENCE = 500_000_00  # no single referral asks for more than £500,000: a typo guard

PUPIL_FIELDS: tuple[Field, ...] = (
    Field(
        "pupil_initials",
        "Pupil's initials",
        max_length=4,
        # Capitals only: "Tom" or "Amy" typed here would put a first name on the channel's agenda.
        pattern=r"[A-Z]{1,4}",
        pattern_message="Give the pupil's initials only, in capitals: up to 4 letters, no name (e.g. JS).",
        hint="Initials only, e.g. JS",
    ),
    Field("year_group", "Year group", FieldType.CHOICE, choices=YEAR_GROUPS),
    Field(
        "pupil_ref",
        "School's pupil reference",
        max_length=20,
        pattern=r"[A-Za-z0-9\-/]{1,20}",
        pattern_message="Use the school's own pupil reference: letters, digits, - or /, no name or date of birth.",
        hint="Your MIS reference; never shown in channels",
    ),
)

# The outcomes a review rates one by one (cluster.impact.outcomes_of): the same field on every kind reviewed.
OUTCOMES_FIELD = Field(
    "outcomes", "Outcomes sought, one per line", FieldType.MULTILINE, max_length=2000, hint=OUTCOME_HINT
)

INDIVIDUAL_FIELDS: tuple[Field, ...] = (
    *PUPIL_FIELDS,
    Field("primary_need", "Primary area of need", FieldType.CHOICE, choices=AREAS_OF_NEED),
    Field("need_code", "Need code", FieldType.CHOICE, choices=NEED_CODES),
    Field("secondary_need", "Secondary area of need", FieldType.CHOICE, required=False, choices=AREAS_OF_NEED),
    Field("summary", "Summary of need", FieldType.MULTILINE, max_length=3000),
    OUTCOMES_FIELD,
    Field(
        "current_provision",
        "What the school already provides and has tried",
        FieldType.MULTILINE,
        max_length=3000,
        hint="Include your assess-plan-do-review cycles",
    ),
    Field("apdr_cycles", "Assess-plan-do-review cycles completed", FieldType.INTEGER, minimum=0, maximum=30),
    Field(
        "duration_terms",
        "Duration (terms)",
        FieldType.INTEGER,
        minimum=1,
        maximum=3,
        bound_message="Duration must be 1 to 3 terms: every allocation is reviewed within a year.",
    ),
    Field("parental_consent", "Parental consent to share this referral has been given", FieldType.CONFIRM),
)

PROJECT_FIELDS: tuple[Field, ...] = (
    Field("title", "Project title", max_length=120),
    Field("summary", "Summary", FieldType.MULTILINE, max_length=3000),
    Field("partners", "Partner settings", FieldType.MULTICHOICE, required=False),
    OUTCOMES_FIELD,
    Field("impact_measures", "How you will measure impact", FieldType.MULTILINE, max_length=2000),
    Field("timeline", "Timeline", FieldType.MULTILINE, max_length=1500),
    Field("sustainability", "How the work continues after funding", FieldType.MULTILINE, max_length=1500),
)

EHCP_FIELDS: tuple[Field, ...] = (
    *PUPIL_FIELDS,
    Field("plan_reference", "EHC plan reference", max_length=40),
    Field(
        "section_f",
        "The Section F provision this concerns",
        FieldType.MULTILINE,
        max_length=2000,
        hint="Type, hours, frequency and expertise, as written in the plan",
    ),
    Field("need_beyond_funding", "What is needed beyond current funding", FieldType.MULTILINE, max_length=3000),
    OUTCOMES_FIELD,
    Field("amount", "Amount requested (£)", FieldType.MONEY, minimum=1, maximum=MONEY_LIMIT_PENCE),
    Field("period_start", "Period from", FieldType.DATE),
    Field("period_end", "Period to", FieldType.DATE),
)

CAPITAL_FIELDS: tuple[Field, ...] = (
    Field("category", "Category", FieldType.CHOICE, choices=CAPITAL_CATEGORIES),
    Field("works", "The works", FieldType.MULTILINE, max_length=3000),
    Field(
        "amount",
        "Cost (£)",
        FieldType.MONEY,
        minimum=1,
        maximum=CAPITAL_LIMIT_PENCE,
        bound_message="The Capital Fund gives at most £15,000 per setting.",
    ),
    *(Field(name, label, FieldType.FLAG, required=False) for name, label, _ in CAPITAL_EXCLUSIONS),
    *(
        Field(name, f"{title}: your statement", FieldType.MULTILINE, max_length=2000)
        for name, title in CAPITAL_CRITERIA
    ),
)

DISCUSSION_FIELDS: tuple[Field, ...] = (
    Field("question", "Your question for peers", FieldType.MULTILINE, max_length=2000),
    Field("background", "Background", FieldType.MULTILINE, required=False, max_length=3000),
    Field(
        "pupil_initials",
        "Pupil's initials (if about one pupil)",
        required=False,
        max_length=4,
        # Capitals only: "Tom" or "Amy" typed here would put a first name on the channel's agenda.
        pattern=r"[A-Z]{1,4}",
        pattern_message="Give the pupil's initials only, in capitals: up to 4 letters, no name (e.g. JS).",
    ),
    Field("year_group", "Year group", FieldType.CHOICE, required=False, choices=YEAR_GROUPS),
)

FORMS: dict[Kind, tuple[Field, ...]] = {
    Kind.INDIVIDUAL: INDIVIDUAL_FIELDS,
    Kind.PROJECT: PROJECT_FIELDS,
    Kind.EHCP: EHCP_FIELDS,
    Kind.CAPITAL: CAPITAL_FIELDS,
    Kind.DISCUSSION: DISCUSSION_FIELDS,
}

# Kinds whose funding is reviewed, outcome by outcome (a discussion asks for no money; the Capital Fund is
# evaluated by its panel instead).
REVIEWED = frozenset({Kind.INDIVIDUAL, Kind.PROJECT, Kind.EHCP})

# Kinds whose money comes from cost rows (a provision map, or a project's costs).
COSTED = frozenset({Kind.INDIVIDUAL, Kind.PROJECT})
NO_COST_ROWS = "This kind of referral has no cost rows."

PROVISION_FIELDS: tuple[Field, ...] = (
    Field("provision", "Provision", max_length=200),
    Field("area_of_need", "Area of need", FieldType.CHOICE, choices=AREAS_OF_NEED),
    Field("delivered_by", "Delivered by (role)", max_length=100, hint="e.g. Teaching assistant"),
    Field("minutes_per_session", "Minutes per session", FieldType.INTEGER, minimum=5, maximum=480),
    Field("sessions_per_week", "Sessions per week", FieldType.INTEGER, minimum=1, maximum=35),
    Field("group_size", "Group size", FieldType.INTEGER, minimum=1, maximum=40),
    Field("weeks", "Weeks", FieldType.INTEGER, minimum=1, maximum=52, hint="38 is a school year"),
    Field(
        "hourly_rate",
        "Hourly rate (£)",
        FieldType.MONEY,
        hint="£ per hour, e.g. 32.50",
        minimum=1,
        maximum=500_00,
        bound_message="Hourly rate must be between £0.01 and £500.00.",
    ),
)

CONTRIBUTION_FIELD = Field(
    "contribution",
    "The school's own contribution (£)",
    FieldType.MONEY,
    required=False,
    minimum=0,
    maximum=MONEY_LIMIT_PENCE,
)


def _one_year_after(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def form_fields(kind: Kind, partner_choices: Sequence[tuple[str, str]] = ()) -> tuple[Field, ...]:
    """A kind's fields; a project's partner list offers the cluster's other settings."""
    if kind is not Kind.PROJECT:
        return FORMS[kind]
    return tuple(replace(f, choices=tuple(partner_choices)) if f.name == "partners" else f for f in FORMS[kind])


def check_details(kind: Kind, raw: Mapping[str, Any], partner_choices: Sequence[tuple[str, str]] = ()) -> Checked:
    """Check a kind's main form, with the rules that span fields."""
    checked = check_form(form_fields(kind, partner_choices), raw)
    errors = dict(checked.errors)
    values = checked.values
    if kind is Kind.EHCP and "period_start" in values and "period_end" in values:
        start, end = date.fromisoformat(values["period_start"]), date.fromisoformat(values["period_end"])
        if end <= start:
            errors["period_end"] = "The period must end after it starts."
        elif end > _one_year_after(start):
            errors["period_end"] = "The period can be at most a year: every allocation is reviewed within a year."
    if kind in REVIEWED and "outcomes" in values:
        too_many = too_many_outcomes(values["outcomes"])
        if too_many:
            errors["outcomes"] = too_many
    if kind is Kind.CAPITAL:
        for name, _, reason in CAPITAL_EXCLUSIONS:
            if values.get(name):
                errors[name] = reason
    return Checked(values, errors)


def provision_row(values: Mapping[str, Any]) -> ProvisionRow:
    """A provision row from a checked provision form."""
    return ProvisionRow(
        provision=values["provision"],
        area_of_need=values["area_of_need"],
        delivered_by=values["delivered_by"],
        minutes_per_session=values["minutes_per_session"],
        sessions_per_week=values["sessions_per_week"],
        group_size=values["group_size"],
        weeks=values["weeks"],
        hourly_rate_pence=values["hourly_rate"],
    )
