"""The wider team around a cluster: observers who each represent a service (health, social care, early help...).

The council's page: "as the cluster approach grows we will also have a representative from health, social care
and early help, along with a commissioning colleague". Each is an observer of one cluster who names the service
they represent; the council may add services of its own (``clusterbot people services add``). An observer sees
the agenda without any pupil's details (no initials, no year group, nothing typed about a pupil), is listed by
service on the register and in the minutes, and never votes (``cluster.voting``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING

from cluster.roles import Grant, Role
from cluster.text import clean_text

if TYPE_CHECKING:  # the agenda reads the register, which lists the wider team from here: types only
    from cluster.agenda import AgendaEntry, AgendaView

# The services the council's page names; the council adds others (kept in the ``council_service`` table).
SERVICES = ("Health", "Social care", "Early help", "Commissioning")
SERVICE_MAX = 60  # as role_assignment.service and council_service.name keep it
NO_SERVICE = "Service not named"  # an observer added before services were named


def service_name(text: str) -> str:
    """A service as typed, cleaned: one line, single spaces, first letter capital ('early help' -> 'Early help')."""
    cleaned = " ".join(clean_text(text).split())
    return cleaned[:1].upper() + cleaned[1:]


def parse_service(text: str, added: Iterable[str] = ()) -> str:
    """The service a typed name means, from the page's four and those the council added; ValueError naming them."""
    wanted = service_name(text).casefold()
    known = (*SERVICES, *added)
    for service in known:
        if service.casefold() == wanted:
            return service
    raise ValueError(f"unknown service {text.strip()!r}; use one of: {', '.join(known)} (or add it first)")


def service_problem(role: Role, service: str | None) -> str | None:
    """What is wrong with a role's service, or None: only an observer names one."""
    if service and role is not Role.OBSERVER:
        return "only an observer names the service they represent"
    return None


def sees_pupils(grants: Iterable[Grant], cluster_id: int) -> bool:
    """Whether someone sees pupils' details on the cluster's agenda: anyone but an observer and nothing more.

    A person who is also a SENCO, chair or officer sees what that role sees; an observer only (the wider team)
    does not: they never decide on a pupil, so they need no pupil's details.
    """
    reaching = [g for g in grants if g.cluster_id == cluster_id or g.role is Role.COUNCIL_OFFICER]
    return any(g.role is not Role.OBSERVER for g in reaching)


def by_service(people: Iterable[tuple[str, str]]) -> list[str]:
    """'Health: Dr Ann Lee, Sam Nurse' lines, one a service, in service order (the page's four first)."""
    grouped: dict[str, list[str]] = {}
    for service, name in people:
        grouped.setdefault(service or NO_SERVICE, []).append(name)
    order = {s: i for i, s in enumerate(SERVICES)}
    services = sorted(grouped, key=lambda s: (order.get(s, len(order)), s == NO_SERVICE, s.casefold()))
    return [f"{service}: {', '.join(grouped[service])}" for service in services]


def entry_without_pupil(entry: AgendaEntry) -> AgendaEntry:
    """An agenda entry as the wider team sees it: no initials or year group, no reason typed about a pupil."""
    return replace(
        entry,
        pupil_label="",
        outcome_ratings=(),
        custom_rows=tuple(replace(row, reason="") for row in entry.custom_rows),
    )


def agenda_without_pupils(view: AgendaView) -> AgendaView:
    """The agenda as an observer sees it: every entry without its pupil's details (see entry_without_pupil)."""
    return replace(view, entries=tuple(entry_without_pupil(e) for e in view.entries))
