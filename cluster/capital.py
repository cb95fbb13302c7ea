"""Who may apply to the Inclusive Environments Capital Fund: a one-off grant per mainstream setting.

The council gives each mainstream setting the grant at most once, and not to a setting that already
received High Needs Capital Grant funding (Enhanced Resource Provision projects included). Those two facts
are kept about the setting (``mainstream``, ``received_hncg``), set by the council from the seed data, the
command line or the admin's settings card; a SENCO's own tick on the form is checked separately.

An application *counts against* its setting - so the setting cannot start or submit another - when it is:

- **pending**: submitted and waiting for the admin's check; returned to the referrer to complete (it is
  still theirs to finish and resubmit; withdrawing it is how it is abandoned); accepted, and with the
  Cluster Panel and the Board (or, before the Board decided capital, on a meeting's agenda, including one a
  meeting deferred to the next meeting);
- **approved**: decided, with the Board's approval (or, before, a meeting's in full, for less or with
  conditions).

It does not count when it is a draft (several drafts may exist; the first one submitted wins and the
others are then refused at submit), withdrawn, or decided without funding (declined, or advice only), so a
declined setting may apply again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from cluster.errors import Refusal
from cluster.referrals import State


@dataclass(frozen=True)
class SettingFacts:
    """What the council records about a setting that decides whether it may apply."""

    name: str
    mainstream: bool = True
    received_hncg: bool = False


@dataclass(frozen=True)
class SettingRow:
    """One setting of a cluster and its facts, as the admin's card and the command line list them."""

    id: int
    cluster: str
    name: str
    mainstream: bool
    received_hncg: bool

    @property
    def facts(self) -> SettingFacts:
        """The facts the rule reads."""
        return SettingFacts(self.name, self.mainstream, self.received_hncg)


@dataclass(frozen=True)
class Application:
    """One of the setting's Capital Fund referrals, as far as eligibility needs it."""

    id: int
    reference: str | None
    state: State
    funded: bool = False  # the meeting recorded an approval (in full, or for less or with conditions)
    deferred: bool = False  # back on the agenda because a meeting deferred it


class Standing(StrEnum):
    """Whether an application counts against its setting."""

    PENDING = "pending"
    APPROVED = "approved"


PENDING_STATES = frozenset({State.SUBMITTED, State.RETURNED, State.ACCEPTED})


def standing(application: Application) -> Standing | None:
    """Pending, approved, or None when the application does not stop the setting applying (see the module)."""
    if application.state in PENDING_STATES:
        return Standing.PENDING
    if application.state is State.DECIDED and application.funded:
        return Standing.APPROVED
    return None


def _where(application: Application) -> str:
    """Where a pending application stands, as the refusal says it."""
    if application.state is State.SUBMITTED:
        return "is submitted and waiting for the admin's check"
    if application.state is State.RETURNED:
        return "was returned to be completed: finish and resubmit that one, or withdraw it first"
    if application.deferred:
        return "was deferred and is on the next meeting's agenda"
    return "is with the Cluster Panel and the Board"


def capital_eligibility(
    setting: SettingFacts, applications: Iterable[Application], applying: int | None = None
) -> str | None:
    """The sentence refusing ``setting`` a Capital Fund application, or None when it may apply.

    ``applications`` are the setting's Capital Fund referrals; ``applying`` is the id of the one being
    submitted, which never counts against itself.
    """
    if not setting.mainstream:
        return (
            f"{setting.name} is not a mainstream setting, so it cannot apply to the Capital Fund: "
            "the fund is for mainstream settings."
        )
    if setting.received_hncg:
        return (
            f"{setting.name} already received High Needs Capital Grant funding (Enhanced Resource Provision "
            "projects included), so it cannot apply to the Capital Fund."
        )
    others = [a for a in applications if a.id != applying]
    for application in sorted(others, key=lambda a: a.id):
        if standing(application) is Standing.APPROVED:
            return (
                f"{setting.name} has already been awarded the Capital Fund's one-off grant "
                f"({application.reference}, approved), so it cannot apply again: each setting can receive it once."
            )
    for application in sorted(others, key=lambda a: a.id):
        if standing(application) is Standing.PENDING:
            return (
                f"{setting.name} already has a Capital Fund application, {application.reference}, which "
                f"{_where(application)}. The grant is one-off, so a setting makes one application at a time."
            )
    return None


def check_capital_eligibility(
    setting: SettingFacts, applications: Iterable[Application], applying: int | None = None
) -> None:
    """Refuse with :func:`capital_eligibility`'s sentence when the setting may not apply."""
    refusal = capital_eligibility(setting, applications, applying)
    if refusal is not None:
        raise Refusal(refusal)
