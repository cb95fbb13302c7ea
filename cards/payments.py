"""The council officer's payments card: instalments due in each cluster, each with its "Mark paid" form.

Each instalment shows its referral, setting, term, due day and amount, then the day it was paid (today
unless changed) and the finance system's payment reference, and a button that marks it paid. A refused
payment comes back with the mistake next to its input and what was typed kept. When the loaded term dates
run out within six months the card says so first, since no funded decision can be scheduled past them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import groupby
from typing import Any

from cards import verbs
from cards.common import Card, button, card, execute, facts, heading, text
from cluster.commands.inputs import data_for
from cluster.commands.ledger import MarkPaid
from cluster.ledger import InstalmentView, PaymentsView
from cluster.provision import format_pence

Element = dict[str, Any]


def _long_date(day: Any) -> str:
    return f"{day.day} {day:%B %Y}"


def _instalment(
    item: InstalmentView, view: PaymentsView, values: Mapping[str, str], errors: Mapping[str, str]
) -> list[Element]:
    paid_on, reference = f"paid_on_{item.id}", f"reference_{item.id}"
    due = "Due" if item.due_on <= view.today else "Falls due"
    term = f" ({item.term})" if item.term else ""
    what = f"{item.reference} due {_long_date(item.due_on)}"  # names each input and button: one per instalment
    elements: list[Element] = [
        text(f"{item.reference} · {item.setting}", weight="Bolder", separator=True),
        facts([(due, f"{_long_date(item.due_on)}{term}"), ("Amount", format_pence(item.amount_pence))]),
        {
            "type": "Input.Date",
            "id": paid_on,
            "label": f"Paid on ({what})",
            "value": values.get(paid_on, view.today.isoformat()),
        },
    ]
    if errors.get(paid_on):
        elements.append(text(errors[paid_on], color="Attention"))
    elements.append(
        {
            "type": "Input.Text",
            "id": reference,
            "label": f"Payment reference from the finance system ({what})",
            "value": values.get(reference, ""),
            "maxLength": 64,
        }
    )
    if errors.get(reference):
        elements.append(text(errors[reference], color="Attention"))
    mark = execute(f"Mark paid: {what}", verbs.PAYMENT_MARK, data_for(MarkPaid, instalment_id=item.id))
    elements.append({"type": "ActionSet", "actions": [mark]})
    return elements


def payments_card(
    view: PaymentsView, values: Mapping[str, str] | None = None, errors: Mapping[str, str] | None = None
) -> Card:
    """The instalments due by the card's horizon, grouped by cluster, oldest first.

    ``values`` and ``errors``: a payment that came back with a mistake, what was typed and the mistake
    beside its instalment's inputs.
    """
    values, errors = values or {}, errors or {}
    body: list[Element] = [heading("Payments due")]
    if view.warning:
        body.append(text(view.warning, color="Attention"))
    if view.notice:
        body.append(text(view.notice, weight="Bolder"))
    body.append(
        text(
            f"Instalments due by {_long_date(view.horizon)} and not yet marked paid. The finance system's "
            "payments can also be imported: clusterbot payments import FILE.",
            subtle=True,
        )
    )
    if not view.due:
        body.append(text("Nothing is due."))
    listed: Sequence[InstalmentView] = view.due
    for cluster, items in groupby(sorted(listed, key=lambda i: (i.cluster, i.due_on, i.id)), key=lambda i: i.cluster):
        shown = list(items)
        total = sum(i.amount_pence for i in shown)
        body.append(text(f"{cluster} cluster: {format_pence(total)}", size="Medium", weight="Bolder", spacing="Large"))
        for item in shown:
            body += _instalment(item, view, values, errors)
    if view.more:
        body.append(
            text(f"{view.more} more due: mark these paid first, or import the finance system's CSV.", subtle=True)
        )
    if view.later:
        body.append(text(f"{view.later} later instalments are scheduled.", subtle=True))
    return card(body, [button("Refresh", verbs.PAYMENTS)])
