"""Cards for referral intake (issue 3), shown only in personal chat.

A SENCO moves through a referral step by step: details, cost rows (costed kinds only), documents, review.
Each step is an Action.Execute card that the bot's answer replaces in place; its buttons' data is made from
the commands their actions read (:func:`cluster.commands.inputs.data_for`).

By topic: shared pieces (:mod:`.parts`), inputs and what was entered (:mod:`.fields`), documents
(:mod:`.documents`), the SENCO's steps (:mod:`.steps`), lists and the read-only card (:mod:`.lists`),
notices (:mod:`.notices`).
"""

from cards.referrals.documents import document_list_card, document_pages, documents_card
from cards.referrals.fields import LINK_FIELDS, input_for, input_values, row_input_values
from cards.referrals.lists import checked_line, my_referrals_card, referral_card, to_check_card
from cards.referrals.notices import accepted_notice_card, admin_notice_card, returned_notice_card, withdrawn_card
from cards.referrals.parts import ATTACH_HELP, PRIVACY_NOTE, ROUNDING_RULE
from cards.referrals.steps import details_form_card, kind_picker_card, review_card, rows_card, submitted_card

__all__ = [
    "ATTACH_HELP",
    "LINK_FIELDS",
    "PRIVACY_NOTE",
    "ROUNDING_RULE",
    "accepted_notice_card",
    "admin_notice_card",
    "checked_line",
    "details_form_card",
    "document_list_card",
    "document_pages",
    "documents_card",
    "input_for",
    "input_values",
    "kind_picker_card",
    "my_referrals_card",
    "referral_card",
    "returned_notice_card",
    "review_card",
    "row_input_values",
    "rows_card",
    "submitted_card",
    "to_check_card",
    "withdrawn_card",
]
