"""Use cases for a referrer's referrals: drafts, forms, provision maps, documents, submission and withdrawal.

Each function is one unit of work: it checks who is acting, makes the change, writes its audit line and
owes its notices in one transaction, and returns everything the answer needs (a
:class:`~cluster.referrals.ReferralView`, with its rows' ids for the cards' buttons). What a person typed
comes as a command (:mod:`cluster.commands.referrals`); a mistake in it raises
:class:`~cluster.errors.InvalidInput` keyed by the field at fault (nothing stored), and known refusals
raise :class:`~cluster.errors.Refusal`. The admin's completeness check is in :mod:`usecases.referral_checks`.

By topic: who may do what and the shared pieces (:mod:`.access`), reading (:mod:`.views`), starting and the
details (:mod:`.drafting`), the provision map (:mod:`.provision`), documents (:mod:`.documents`),
submitting and withdrawing (:mod:`.submission`).
"""

from usecases.referrals.access import (
    ERASED,
    NOT_A_REFERRER,
    NOT_FOUND,
    ReferralChanged,
    referrer_setting_ids,
    take_referral,
    told,
    touch,
)
from usecases.referrals.documents import LINK_FIELDS, LINK_HOSTS, MAX_DOCUMENTS, add_file, add_link, remove_document
from usecases.referrals.drafting import OUT_OF_DATE_PICKER, picker, save_details, start
from usecases.referrals.provision import MAX_ROWS, add_row, edit_row, remove_row, set_contribution
from usecases.referrals.submission import cluster_admins, submit, withdraw
from usecases.referrals.views import MINE_SHOWN, OpenedReferral, for_export, mine, open_for_edit, open_referral, read

__all__ = [
    "ERASED",
    "LINK_FIELDS",
    "LINK_HOSTS",
    "MAX_DOCUMENTS",
    "MAX_ROWS",
    "MINE_SHOWN",
    "NOT_A_REFERRER",
    "NOT_FOUND",
    "OUT_OF_DATE_PICKER",
    "OpenedReferral",
    "ReferralChanged",
    "add_file",
    "add_link",
    "add_row",
    "cluster_admins",
    "edit_row",
    "for_export",
    "mine",
    "open_for_edit",
    "open_referral",
    "picker",
    "read",
    "referrer_setting_ids",
    "remove_document",
    "remove_row",
    "save_details",
    "set_contribution",
    "start",
    "submit",
    "take_referral",
    "told",
    "touch",
    "withdraw",
]
