"""Form fields and their checks: what each field accepts, and the message that says what to fix.

Validation is field by field, so a card can show each message next to the field at fault and keep
everything the person typed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from cluster.provision import NotAnAmount, format_pence, parse_money


class FieldType(StrEnum):
    """How a field is entered and checked."""

    TEXT = "text"
    MULTILINE = "multiline"
    INTEGER = "integer"
    MONEY = "money"  # pounds and pence typed, stored in pence
    CHOICE = "choice"
    MULTICHOICE = "multichoice"
    CONFIRM = "confirm"  # a checkbox that must be ticked
    FLAG = "flag"  # a yes/no checkbox
    DATE = "date"


@dataclass(frozen=True)
class Field:
    """One input on a form."""

    name: str
    label: str
    type: FieldType = FieldType.TEXT
    required: bool = True
    max_length: int = 200
    minimum: int | None = None
    maximum: int | None = None
    choices: tuple[tuple[str, str], ...] = ()  # (value, title)
    pattern: str | None = None
    pattern_message: str = ""
    hint: str = ""
    bound_message: str = ""  # said when a number or amount is outside its bounds, if more useful than the bounds

    def choice_title(self, value: str) -> str:
        """The title shown for a stored choice value."""
        return dict(self.choices).get(value, value)


@dataclass(frozen=True)
class Checked:
    """The result of checking a form: clean values for the good fields, a message for each bad one."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when nothing needs fixing."""
        return not self.errors


def _text(raw: Any) -> str:
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "true" if raw else ""
    return str(raw).strip()


def _bounded(f: Field, number: int, shown: str) -> str | None:
    if (f.minimum is not None and number < f.minimum) or (f.maximum is not None and number > f.maximum):
        if f.bound_message:
            return f.bound_message
        low = f.minimum if f.type is FieldType.INTEGER else format_pence(f.minimum or 0)
        high = f.maximum if f.type is FieldType.INTEGER else format_pence(f.maximum or 0)
        if f.maximum is None:
            return f"{f.label} must be at least {low}."
        return f"{f.label} must be between {low} and {high} (you entered {shown})."
    return None


def check_field(f: Field, raw: Any) -> tuple[Any, str | None]:
    """One field's clean value (None when empty) and its error message, if any."""
    text = _text(raw)
    if f.type in (FieldType.CONFIRM, FieldType.FLAG):
        ticked = text.lower() in ("true", "1", "yes", "on")
        if f.type is FieldType.CONFIRM and f.required and not ticked:
            return False, f"Please confirm: {f.label[0].lower() + f.label[1:]}"
        return ticked, None
    if not text:
        return None, (f"{f.label} is required." if f.required else None)
    if f.type in (FieldType.TEXT, FieldType.MULTILINE):
        # A pattern says more than a length does ("initials only"), so it is checked first.
        if f.pattern and not re.fullmatch(f.pattern, text):
            return text, f.pattern_message or f"{f.label} is not in the expected form."
        if len(text) > f.max_length:
            return text, f"{f.label} is too long: at most {f.max_length} characters (it has {len(text)})."
        return text, None
    if f.type is FieldType.INTEGER:
        if not re.fullmatch(r"-?\d{1,9}", text):
            return text, f"{f.label} must be a whole number."
        number = int(text)
        return number, _bounded(f, number, text)
    if f.type is FieldType.MONEY:
        try:
            pence = parse_money(text)
        except NotAnAmount as wrong:
            return text, wrong.message  # it names what was read, so it needs no label beside its field
        return pence, _bounded(f, pence, format_pence(pence))
    if f.type is FieldType.CHOICE:
        if text not in dict(f.choices):
            return text, f"Choose one of the options for {f.label.lower()}."
        return text, None
    if f.type is FieldType.MULTICHOICE:
        values = [v for v in (part.strip() for part in text.split(",")) if v]
        unknown = [v for v in values if v not in dict(f.choices)]
        if unknown:
            return text, f"{f.label}: choose from the list."
        return values, None
    if f.type is FieldType.DATE:
        try:
            return date.fromisoformat(text).isoformat(), None
        except ValueError:
            return text, f"{f.label} must be a date."
    raise AssertionError(f"unhandled field type {f.type}")


def check_form(fields: Sequence[Field], raw: Mapping[str, Any]) -> Checked:
    """Check every field of a form against what was typed."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for f in fields:
        value, error = check_field(f, raw.get(f.name))
        if error:
            errors[f.name] = error
        if value is not None and not error:
            values[f.name] = value
    return Checked(values, errors)


def kept_input(fields: Sequence[Field], raw: Mapping[str, Any]) -> dict[str, str]:
    """What the person typed, as text, so a card brought back with errors shows it unchanged."""
    return {f.name: _text(raw.get(f.name)) for f in fields if raw.get(f.name) is not None}


def as_typed(fields: Sequence[Field], values: Mapping[str, Any]) -> dict[str, str]:
    """Checked values back as a person would type them (money in pounds, lists comma-separated).

    Forms show stored answers this way, and stored answers are re-checked this way before submission.
    """
    shown: dict[str, str] = {}
    for f in fields:
        value = values.get(f.name)
        if value is None:
            continue
        if f.type is FieldType.MONEY and isinstance(value, int):
            pounds, pennies = divmod(value, 100)
            shown[f.name] = f"{pounds}.{pennies:02d}"
        elif isinstance(value, bool):
            shown[f.name] = "true" if value else "false"
        elif isinstance(value, list | tuple):
            shown[f.name] = ",".join(str(v) for v in value)
        else:
            shown[f.name] = str(value)
    return shown
