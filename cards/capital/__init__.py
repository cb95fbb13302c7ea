"""Capital Fund cards, for personal chat: rounds, applications, the panel, and the notices the fund sends.

The cards: the rounds and applications (:mod:`~cards.capital.rounds`), one application as each person acts
on it (:mod:`~cards.capital.application`: scoring and the recommendation in :mod:`~cards.capital.panel`, the
Board's decision in :mod:`~cards.capital.board`, the project's journey and impact in
:mod:`~cards.capital.project`), the admin's panel card, and the notices and nudges the fund sends
(:mod:`~cards.capital.notices`).

An application's card is drawn for the person looking at it: a panel member sees their own scores and no
one else's until the chair closes the panel; each form appears only to the role that fills it in. Several
forms can share one card, so no input is marked required (the use case checks each form and the card comes
back with a message next to each field to fix). Capital applications hold no pupil's details. Buttons carry
the data of the command their verb reads (``cluster.commands.capital``), made by ``data_for``.
"""

from cards.capital.application import application_card
from cards.capital.board import board_notice_card
from cards.capital.notices import capital_nudge_card, score_request_card
from cards.capital.panel import panel_card
from cards.capital.project import released_notice_card
from cards.capital.rounds import capital_card

__all__ = [
    "application_card",
    "board_notice_card",
    "capital_card",
    "capital_nudge_card",
    "panel_card",
    "released_notice_card",
    "score_request_card",
]
