"""The one exception type for refusals a person is meant to read."""


class Refusal(Exception):
    """A known, expected 'no': its message is shown to the user exactly as written.

    Anything that is not a Refusal is a bug, and the user gets an apology with a reference instead.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
