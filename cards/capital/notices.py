"""What the fund sends: a panel member's scoring card, and the reminders as a round's dates near."""

from __future__ import annotations

from cards.capital.common import Element, on_day, open_button, statements, summary
from cards.capital.panel import score_form
from cards.common import Card, card, heading, text
from cluster.capital_fund import ApplicationView, Audience, NudgeDue, missing_for_release
from cluster.provision import format_pence

# --- what the fund sends ----------------------------------------------------------------------------------


def score_request_card(view: ApplicationView) -> Card:
    """To each panel member once the window closes: the application, with the scoring form."""
    due = f" by {on_day(view.round.panel_by)}" if view.round else ""
    body: list[Element] = [
        heading(f"Please score {view.reference}"),
        text(f"{view.setting} · {view.cluster} cluster · {format_pence(view.asked_pence)} asked", subtle=True),
        text(
            f"The Capital Fund's window has closed: as a member of the Cluster Panel, please score this "
            f"application{due}. Your scores stay hidden from the other members until the chair closes the panel."
        ),
        *summary(view),
        *statements(view),
        *score_form(view, None, {}, {}),
    ]
    return card(body, [open_button(view, "Open the application")])


NUDGE_LINES = {
    Audience.UNSCORED: "The panel meets by {by}, and your scores for {reference} are not in yet.",
    Audience.SETTING: "Your Capital Fund project {reference} is to be complete, visited and invoiced by {by}.",
    Audience.TEAM: "The Capital Fund project {reference} needs its quality-assurance visit by {by}.",
}
EVALUATE_LINE = "The impact of the Capital Fund project {reference} is to be recorded by {by}."


def capital_nudge_card(view: ApplicationView, due: NudgeDue) -> Card:
    """A reminder as a date nears: scores not in, a project step missing, or the impact not recorded."""
    template = EVALUATE_LINE if due.point.startswith("evaluate") else NUDGE_LINES.get(due.audience, EVALUATE_LINE)
    body: list[Element] = [
        heading("Capital Fund reminder"),
        text(template.format(by=on_day(due.by), reference=view.reference)),
        text(f"{view.setting} · {view.cluster} cluster", subtle=True),
    ]
    if due.point.startswith("complete"):
        missing = missing_for_release(view.progress.journey)
        if missing:
            body.append(text("Still to do: " + "; ".join(missing) + "."))
    return card(body, [open_button(view)])
