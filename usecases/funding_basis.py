"""The basis of a cluster's budget: the sentences that say how its formula worked each part out.

Kept apart from :mod:`usecases.funding` so the budget card and the citywide view read it without the
recording side, and both read the same sentences.
"""

from __future__ import annotations

from sqlmodel import Session

from cluster.funding import REMAINDER_RULE, Formula, formula_from_json, funding_of
from cluster.provision import format_pence
from store.models import Budget, FundingYear


def funding_basis(session: Session, budget: Budget, cluster: str) -> tuple[str, ...]:
    """How the budget's parts came from its year's formula, one sentence a part (empty: typed by hand)."""
    if budget.funding_year_id is None:
        return ()
    year = session.get(FundingYear, budget.funding_year_id)
    if year is None:
        return ()
    return basis_sentences(year.label, formula_from_json(year.formula), cluster)


def basis_sentences(label: str, formula: Formula, cluster: str) -> tuple[str, ...]:
    """The year's formula as the cluster's basis: the whole, one sentence a part, and the remainder rule."""
    funding = funding_of(formula, cluster)
    if funding is None:  # a cluster added after the formula was recorded
        return ()
    rules = {r.part: r.amount_pence for r in formula.parts}
    return (
        f"From the {label} formula: the city's allocation of {format_pence(formula.total_pence)} shared between "
        f"{len(formula.counts)} clusters.",
        *(share.sentence(rules[share.part]) for share in funding.shares),
        REMAINDER_RULE,
    )
