"""The one exception type for refusals a person is meant to read, and the reference an unexpected error is logged by."""

from __future__ import annotations

import secrets


class Refusal(Exception):
    """A known, expected 'no': its message is shown to the user exactly as written.

    Anything that is not a Refusal is a bug, and the user gets an apology with a reference instead.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(Exception):
    """A form came back with mistakes: a message per field, and what was typed, to show it again.

    Nothing from such a submission is stored.
    """

    def __init__(self, errors: dict[str, str], values: dict[str, str]) -> None:
        super().__init__(f"{len(errors)} field(s) need fixing")
        self.errors = errors
        self.values = values


OUT_OF_DATE = "This card is out of date. Open it again from the latest message."
"""What a click hears when its card's data does not name a row the way our cards do (an old or altered card)."""


def new_reference() -> str:
    """A short reference a person can read out (``ERR-1A2B3C4D``), matching the log line of an unexpected error.

    The bot's apology names one (``bot.http.errors``), and so does the log line of a decision letter that could
    not be made (``usecases.decisions``): one shape, so an admin finds either by it.
    """
    return "ERR-" + secrets.token_hex(4).upper()
