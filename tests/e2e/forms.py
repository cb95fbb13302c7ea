"""Reading and filling the bot's Adaptive Cards in the Agents Playground's page, as a person would.

Shared by the end-to-end tests: each input is found by its label, filled the way its Fluent control takes a
value, and checked to hold what was typed.
"""

from __future__ import annotations

import re
from typing import Any

from cluster.provision_map import REASON_FIELD
from cluster.referrals import AREAS_OF_NEED, NEED_CODES, YEAR_GROUPS
from tests.e2e.playground import PlaygroundPage

WAIT = 15.0  # seconds for anything the page should show
CARD = ".ac-adaptiveCard"


def card_with(ui: PlaygroundPage, contains: str, timeout: float = WAIT) -> Any:
    """The newest card showing ``contains``, once it is on the page."""
    return ui.wait_for_card(contains, timeout=timeout)


def input_for(card: Any, label: str) -> Any:
    """The input a card labels ``label`` (exactly; required inputs add an aria-hidden " *" to the label)."""
    caption = card.locator("label").filter(has_text=re.compile(rf"^\s*{re.escape(label)}( \*)?\s*$"))
    assert caption.count() == 1, f"expected one input labelled {label!r}, found {caption.count()}"
    input_id = caption.get_attribute("for")
    assert input_id, f"the label {label!r} names no input"
    return card.locator(f"[id='{input_id}']")


def fill_text(card: Any, label: str, value: str) -> None:
    """Input.Text, multi-line or not."""
    box = input_for(card, label)
    box.fill(value)
    assert box.input_value() == value


def fill_number(card: Any, label: str, value: str) -> None:
    """Input.Number: a Fluent SpinButton, which takes its value when the person leaves it."""
    box = input_for(card, label)
    box.fill(value)
    box.press("Tab")
    assert box.input_value() == value


def choose(ui: PlaygroundPage, card: Any, label: str, title: str) -> None:
    """A compact Input.ChoiceSet: a Fluent Combobox; open it and click the option."""
    box = input_for(card, label)
    box.click()
    ui.page.get_by_role("option", name=title, exact=True).click()
    assert box.input_value() == title


def tick(card: Any, label: str) -> None:
    """Input.Toggle: a checkbox."""
    box = input_for(card, label)
    box.check()
    assert box.is_checked()


def title_of(choices: tuple[tuple[str, str], ...], value: str) -> str:
    return dict(choices)[value]


def click(ui: PlaygroundPage, card: Any, title: str) -> None:
    ui.click_button(title, within=card)


def fill_details(ui: PlaygroundPage, form: Any, answers: dict[str, str]) -> None:
    fill_text(form, "Pupil's initials", answers["pupil_initials"])
    choose(ui, form, "Year group", title_of(YEAR_GROUPS, answers["year_group"]))
    fill_text(form, "School's pupil reference", answers["pupil_ref"])
    choose(ui, form, "Primary area of need", title_of(AREAS_OF_NEED, answers["primary_need"]))
    choose(ui, form, "Need code", title_of(NEED_CODES, answers["need_code"]))
    choose(ui, form, "Secondary area of need", title_of(AREAS_OF_NEED, answers["secondary_need"]))
    fill_text(form, "Summary of need", answers["summary"])
    fill_text(form, "Outcomes sought, one per line", answers["outcomes"])
    fill_text(form, "What the school already provides and has tried", answers["current_provision"])
    fill_number(form, "Assess-plan-do-review cycles completed", answers["apdr_cycles"])
    fill_number(form, "Duration (terms)", answers["duration_terms"])
    assert answers["parental_consent"] == "true"
    tick(form, "Parental consent to share this referral has been given")


def fill_row(
    ui: PlaygroundPage, costs: Any, row: dict[str, str], group_size: str = "Group size", weeks: str = "Weeks"
) -> None:
    """A cost row typed by the hour (``group_size``, ``weeks``: those inputs' labels, which the priced form words
    differently)."""
    fill_text(costs, "Provision", row["provision"])
    choose(ui, costs, "Area of need", title_of(AREAS_OF_NEED, row["area_of_need"]))
    fill_text(costs, "Delivered by (role)", row["delivered_by"])
    fill_number(costs, "Minutes per session", row["minutes_per_session"])
    fill_number(costs, "Sessions per week", row["sessions_per_week"])
    fill_number(costs, group_size, row["group_size"])
    fill_number(costs, weeks, row["weeks"])
    fill_text(costs, "Hourly rate (£)", row["hourly_rate"])


def fill_custom_row(ui: PlaygroundPage, costs: Any, row: dict[str, str], reason: str) -> None:
    """With the council's document loaded (the demo loads one), a provision it lacks: "Not in the document?",
    the row by the hour, and why it is needed."""
    costs.get_by_role("button", name="Not in the document?", exact=True).click()
    fill_row(
        ui,
        costs,
        row,
        group_size="Group size (unless the document fixes it)",
        weeks="Weeks (or terms or items, when the document prices it so)",
    )
    fill_text(costs, REASON_FIELD.label, reason)


# Finding cards and pressing their buttons, as the page's user ----------------------------------------------


def press(ui: PlaygroundPage, card: Any, title: str) -> None:
    """Click the button on ``card`` whose name starts with ``title`` (a name may go on to say what it acts on)."""
    card.get_by_role("button", name=re.compile(rf"^{re.escape(title)}\b")).first.click()


def last_card(ui: PlaygroundPage, *contains: str) -> Any:
    """The newest card showing every one of ``contains``, once it is on the page."""
    cards = ui.page.locator(CARD)
    for text in contains:
        cards = cards.filter(has_text=text)
    found = cards.last
    found.wait_for(state="visible", timeout=WAIT * 1000)
    return found


def act_as(ui: PlaygroundPage, name: str, in_channel: bool = False) -> None:
    """Type ``act as <name>`` (in the channel, to the bot by @mention) and wait for the bot's answer (demo mode)."""
    answers = ui.page.get_by_text(f"You are now acting as {name}")
    before = answers.count()
    if in_channel:
        ui.mention(f"act as {name}")
    else:
        ui.send(f"act as {name}")
    answers.nth(before).wait_for(state="visible", timeout=WAIT * 1000)


def words(card: Any) -> str:
    """A card's visible text on one line."""
    return " ".join(card.inner_text().split())


def own_view(ui: PlaygroundPage, wanted: str, *contains: str) -> Any:
    """The newest card showing ``contains``, in the page user's own view: "Refresh my view" until it shows ``wanted``.

    The Playground never refreshes a card for each person (Teams does, for up to 60), so the chair asks for
    their controls with the shared card's button; a shared redraw landing just after may put the member's view
    back, so it is asked again until it stays.
    """
    for _ in range(3):
        card = last_card(ui, *contains)
        if wanted not in card.inner_text():
            press(ui, card, "Refresh my view")
            ui.page.locator(CARD).filter(has_text=wanted).last.wait_for(state="visible", timeout=WAIT * 1000)
        ui.page.wait_for_timeout(1000)  # a shared redraw owed before the click lands within a second
        if wanted in last_card(ui, *contains).inner_text():
            return last_card(ui, *contains, wanted)
    raise AssertionError(f"no card showing {contains} offered {wanted!r} in the page user's own view")
