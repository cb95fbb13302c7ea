"""How a command's fields are read from what a card sent: one parser for every card, one shape of mistakes.

A field is declared with one of the makers below (:func:`row_id`, :func:`text`, :func:`money`, :func:`day`,
:func:`choice`, :func:`flag`, :func:`whole`, :func:`answers`), which records where its value comes from:

- ``DATA``, the card's own data, put there by our card (a row id, a vote's choice). A value our cards never
  send means the card is old or altered: the click is refused as out of date (:data:`~cluster.errors.OUT_OF_DATE`),
  or with the field's ``missing`` sentence when it is absent.
- ``INPUT``, what a person typed or chose. Every input is read, and each mistake is kept beside its field with
  what was typed (:class:`~cluster.errors.InvalidInput`), so the form comes back as the person left it.

The card's key is the field's name unless ``key`` says otherwise; a key may name other fields in braces
(``"day_{meeting_id}"``), for forms with one input per row.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any, TypeVar

from cluster.card_ids import parse_card_id
from cluster.errors import OUT_OF_DATE, InvalidInput, Refusal
from cluster.provision import NotAnAmount, parse_money

C = TypeVar("C")


class Source(StrEnum):
    """Where a field's value comes from."""

    DATA = "data"  # the card's own data: our cards put it there
    INPUT = "input"  # what a person typed or chose


class Kind(StrEnum):
    """How a field's value is read."""

    ROW_ID = "row_id"
    TEXT = "text"
    MONEY = "money"
    DAY = "day"
    CHOICE = "choice"
    FLAG = "flag"
    WHOLE = "whole"
    ANSWERS = "answers"


@dataclass(frozen=True)
class Spec:
    """One field of a command: where it comes from, how it is read, and what to say when it is wrong."""

    kind: Kind
    source: Source
    required: bool
    label: str = ""
    missing: str = ""  # the sentence for a required field left empty (else "<label> is required.")
    wrong: str = ""  # the sentence for what cannot be read as this field (else one naming the label)
    max_length: int = 200
    choices: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    key: str = ""  # the card's key, when not the field's name; may name other fields in braces
    empty_is_zero: bool = False  # money left empty reads as £0.00


def _field(spec: Spec, default: Any = dataclasses.MISSING) -> Any:
    if default is dataclasses.MISSING:
        return dataclasses.field(metadata={"spec": spec})
    return dataclasses.field(default=default, metadata={"spec": spec})


def row_id(missing: str = "", *, required: bool = True, key: str = "", source: Source = Source.DATA) -> Any:
    """A row's id: an int from 1 to 2**31-1. ``missing`` is said when the card sent none (default: out of date).

    ``required=False`` makes it ``int | None``, None when absent. ``source=INPUT`` is for a choice of row
    (a person picked it from a list), whose absence is a mistake beside that list.
    """
    spec = Spec(Kind.ROW_ID, source, required, missing=missing, key=key)
    return _field(spec) if required else _field(spec, None)


def text(
    label: str = "",
    missing: str = "",
    *,
    required: bool = True,
    max_length: int = 200,
    key: str = "",
    source: Source = Source.INPUT,
) -> Any:
    """Text, trimmed; at most ``max_length`` characters. Optional text is ``""`` when left empty."""
    spec = Spec(Kind.TEXT, source, required, label, missing, max_length=max_length, key=key)
    return _field(spec) if required else _field(spec, "")


def money(label: str, missing: str = "", *, required: bool = True, empty_is_zero: bool = False, key: str = "") -> Any:
    """An amount typed in pounds (the one strict reader, :func:`cluster.provision.parse_money`), as whole pence.

    Optional money is None when left empty, or 0 with ``empty_is_zero``.
    """
    spec = Spec(Kind.MONEY, Source.INPUT, required, label, missing, key=key, empty_is_zero=empty_is_zero)
    if required:
        return _field(spec)
    return _field(spec, 0 if empty_is_zero else None)


def day(label: str, missing: str = "", *, required: bool = True, key: str = "", wrong: str = "") -> Any:
    """A date from an ``Input.Date`` (YYYY-MM-DD). Optional dates are None when left empty."""
    spec = Spec(Kind.DAY, Source.INPUT, required, label, missing, wrong, key=key)
    return _field(spec) if required else _field(spec, None)


def choice(
    label: str,
    choices: tuple[str, ...],
    missing: str = "",
    *,
    required: bool = True,
    key: str = "",
    source: Source = Source.INPUT,
) -> Any:
    """One of ``choices``. In the card's data (``source=DATA``) anything else is an altered card."""
    spec = Spec(Kind.CHOICE, source, required, label, missing, choices=choices, key=key)
    return _field(spec) if required else _field(spec, "")


def flag(label: str = "", *, key: str = "", source: Source = Source.INPUT) -> Any:
    """A checkbox (``Input.Toggle``): True when ticked ("true"), False when not or absent."""
    return _field(Spec(Kind.FLAG, source, False, label, key=key), False)


def whole(
    label: str,
    missing: str = "",
    *,
    required: bool = True,
    minimum: int | None = None,
    maximum: int | None = None,
    key: str = "",
    source: Source = Source.INPUT,
) -> Any:
    """A whole number within the bounds. Optional numbers are None when left empty."""
    spec = Spec(Kind.WHOLE, source, required, label, missing, minimum=minimum, maximum=maximum, key=key)
    return _field(spec) if required else _field(spec, None)


def answers() -> Any:
    """Every other input as text, for a form whose fields depend on a stored row (a referral's kind).

    The use case checks them against that row's form (:func:`cluster.forms.check_form`), which says how long
    each may be and how long what was typed is: so each reaches it whole, only trimmed (the body's own limit
    bounds them all).
    """
    return dataclasses.field(default_factory=dict, metadata={"spec": Spec(Kind.ANSWERS, Source.INPUT, False)})


def specs(command: type[Any]) -> list[tuple[str, Spec]]:
    """The command's fields and their specs, in declaration order."""
    found = []
    for f in dataclasses.fields(command):
        spec = f.metadata.get("spec")
        if not isinstance(spec, Spec):
            raise TypeError(f"{command.__name__}.{f.name} is not declared with cluster.commands.inputs")
        found.append((f.name, spec))
    return found


def _as_text(raw: Any) -> str:
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "true" if raw else ""
    if isinstance(raw, str | int | float):
        return str(raw).strip()
    return ""  # a list or an object where text belongs: nothing a person typed


def _key(name: str, spec: Spec, parsed: Mapping[str, Any]) -> str:
    return spec.key.format(**parsed) if spec.key else name


def _required_message(spec: Spec) -> str:
    return spec.missing or f"{spec.label} is required."


def _read(spec: Spec, raw: Any) -> Any:
    """The field's value from what was sent; raises ValueError with the sentence to show when it is wrong."""
    shown = _as_text(raw)
    if spec.kind is Kind.ROW_ID:
        if raw is None or raw == "":
            if spec.required:
                raise LookupError(spec.missing)
            return None
        number = parse_card_id(raw)
        if number is None:
            raise Refusal(OUT_OF_DATE)
        return number
    if spec.kind is Kind.FLAG:
        return shown.lower() in ("true", "1", "yes", "on")
    if not shown:
        if spec.required:
            raise LookupError(_required_message(spec))
        if spec.kind is Kind.MONEY and spec.empty_is_zero:
            return 0
        return "" if spec.kind in (Kind.TEXT, Kind.CHOICE) else None
    if spec.kind is Kind.TEXT:
        if len(shown) > spec.max_length:
            raise ValueError(f"{spec.label or 'This'} is too long: at most {spec.max_length} characters.")
        return shown
    if spec.kind is Kind.MONEY:
        try:
            return parse_money(shown)
        except NotAnAmount as wrong:
            raise ValueError(wrong.message) from None
    if spec.kind is Kind.DAY:
        try:
            return date.fromisoformat(shown)
        except ValueError:
            raise ValueError(spec.wrong or f"{spec.label}: choose a date.") from None
    if spec.kind is Kind.CHOICE:
        if shown not in spec.choices:
            raise ValueError(spec.wrong or f"Choose one of the options for {spec.label.lower()}.")
        return shown
    if spec.kind is Kind.WHOLE:
        if not shown.isascii() or not shown.lstrip("-").isdigit() or len(shown) > 10:
            raise ValueError(spec.wrong or f"{spec.label} must be a whole number.")
        number = int(shown)
        low, high = spec.minimum, spec.maximum
        if (low is not None and number < low) or (high is not None and number > high):
            raise ValueError(f"{spec.label} must be between {low} and {high}.")
        return number
    raise AssertionError(f"unhandled field kind {spec.kind}")


def parse(command: type[C], data: Mapping[str, Any]) -> C:
    """The command a card's data asks for.

    Raises :class:`~cluster.errors.Refusal` when the card's own data is wrong (out of date, or the field's
    ``missing`` sentence), and :class:`~cluster.errors.InvalidInput` with a mistake per input at fault and
    every input as typed, when what a person typed needs fixing. Nothing is half-read: either the whole
    command, or no command.
    """
    parsed: dict[str, Any] = {}
    errors: dict[str, str] = {}
    claimed: set[str] = {"verb"}
    fields = specs(command)
    for name, spec in fields:
        if spec.kind is Kind.ANSWERS:
            continue
        key = _key(name, spec, parsed)
        claimed.add(key)
        try:
            parsed[name] = _read(spec, data.get(key))
        except LookupError as absent:
            if spec.source is Source.DATA:
                raise Refusal(str(absent.args[0]) or OUT_OF_DATE) from None
            errors[key] = str(absent.args[0])
        except ValueError as wrong:
            if spec.source is Source.DATA:
                raise Refusal(OUT_OF_DATE) from None
            errors[key] = str(wrong)
    for name, spec in fields:
        if spec.kind is Kind.ANSWERS:
            parsed[name] = {
                k: _as_text(v)
                for k, v in data.items()
                if k not in claimed and isinstance(k, str) and isinstance(v, str | int | float | bool)
            }
    if errors:
        raise InvalidInput(errors, kept(command, data))
    return command(**parsed)


def kept(command: type[Any], data: Mapping[str, Any]) -> dict[str, str]:
    """Every input of the form as the person typed it (by card key), to show the form again unchanged."""
    values: dict[str, str] = {}
    parsed: dict[str, Any] = {}
    for name, spec in specs(command):
        if spec.source is Source.DATA:
            parsed[name] = data.get(spec.key or name)
            continue
        if spec.kind is Kind.ANSWERS:
            claimed = {s.key or n for n, s in specs(command)} | {"verb"}
            values.update({k: _as_text(v) for k, v in data.items() if isinstance(k, str) and k not in claimed})
            continue
        try:
            key = _key(name, spec, parsed)
        except (KeyError, IndexError):
            continue
        if data.get(key) is not None:
            values[key] = _as_text(data.get(key))
    return values


def input_keys(command: type[Any]) -> frozenset[str]:
    """The names of the command's typed inputs (fixed keys only), for tests that hold a form to its command."""
    return frozenset(spec.key or name for name, spec in specs(command) if spec.source is Source.INPUT)


def data_for(command: type[Any], **values: Any) -> dict[str, Any]:
    """The data a card's button carries for ``command``: only fields the command reads from the card's data.

    A name the command does not read from data, or a missing required one, is a programming error here,
    when the card is drawn, not a click that fails later.
    """
    wanted = {name: spec for name, spec in specs(command) if spec.source is Source.DATA}
    unknown = set(values) - set(wanted)
    if unknown:
        raise TypeError(f"{command.__name__} reads no card data named {sorted(unknown)}")
    absent = [n for n, s in wanted.items() if s.required and s.kind is Kind.ROW_ID and n not in values]
    if absent:
        raise TypeError(f"{command.__name__} needs {absent} in its button's data")
    return {(wanted[name].key or name): value for name, value in values.items() if value is not None}


@dataclass(frozen=True, kw_only=True)
class Nothing:
    """The command of an action that reads nothing from the card (a list, a help card)."""
