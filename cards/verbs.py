"""Every verb a card can send. These strings live on in messages already posted in Teams: never rename one."""

HELP = "help.show"
WHOAMI = "whoami.show"
NEXT_MEETING = "meeting.next"

ALL = frozenset({HELP, WHOAMI, NEXT_MEETING})

# Referral intake (issue 3).
REFERRAL_NEW = "referral.new"  # show the setting and kind picker
REFERRAL_START = "referral.start"  # data: setting_id, kind, once (the picker card's one-off key)
REFERRAL_OPEN = "referral.open"  # data: referral_id; show its current step
REFERRAL_SAVE = "referral.save"  # data: referral_id, version; inputs: the kind's fields
REFERRAL_ROWS = "referral.rows"  # data: referral_id; show the cost rows step
ROW_ADD = "referral.row.add"  # data: referral_id; inputs: a provision row
ROW_EDIT = "referral.row.edit"  # data: referral_id, row_id; show the row in the form
ROW_SAVE = "referral.row.save"  # data: referral_id, row_id; inputs: a provision row
ROW_REMOVE = "referral.row.remove"  # data: referral_id, row_id
ROW_FIND = "referral.row.find"  # data: referral_id, row_id; inputs: find (the council's document looked up)
CONTRIBUTION_SAVE = "referral.contribution"  # data: referral_id; inputs: contribution
DOCUMENTS = "referral.documents"  # data: referral_id; show the documents step
LINK_ADD = "referral.link.add"  # data: referral_id; inputs: link_name, link_url
DOCUMENT_REMOVE = "referral.document.remove"  # data: referral_id, document_id
REVIEW = "referral.review"  # data: referral_id; show the summary with Submit
SUBMIT = "referral.submit"  # data: referral_id, version
WITHDRAW = "referral.withdraw"  # data: referral_id
MY_REFERRALS = "referral.mine"
TO_CHECK = "referral.tocheck"  # admins: referrals waiting for the completeness check
ACCEPT = "referral.accept"  # data: referral_id
RETURN = "referral.return"  # data: referral_id; inputs: reason
EXPORT = "referral.export"  # data: referral_id

ALL = ALL | frozenset(
    {
        REFERRAL_NEW, REFERRAL_START, REFERRAL_OPEN, REFERRAL_SAVE, REFERRAL_ROWS, ROW_ADD, ROW_EDIT, ROW_SAVE,
        ROW_REMOVE, ROW_FIND, CONTRIBUTION_SAVE, DOCUMENTS, LINK_ADD, DOCUMENT_REMOVE, REVIEW, SUBMIT, WITHDRAW,
        MY_REFERRALS, TO_CHECK, ACCEPT, RETURN, EXPORT,
    }
)  # fmt: skip

# Meeting day (issue 4): the agenda, live votes and decisions in the cluster's channel.
MEETING_START = "meeting.start"  # data: meeting_id
ITEM_OPEN = "item.open"  # data: item_id
VOTE_CAST = "vote.cast"  # data: item_id, choice (approve|decline|abstain)
VOTE_INTEREST = "vote.interest"  # data: item_id
VOTE_REFRESH = "vote.refresh"  # data: item_id; the vote card's refresh action (each member's own view)
ITEM_CLOSE = "item.close"  # data: item_id; inputs: casting (optional, approve|decline, on a tie)
DECISION_FORM = "decision.form"  # data: item_id; show the decision form
DECISION_RECORD = "decision.record"  # data: item_id; inputs: the decision form's fields
MEETING_END = "meeting.end"  # data: meeting_id
AGENDA_SHOW = "agenda.show"  # data: meeting_id; redraw the agenda (also its refresh: each one's own view)
# Issue 20: who has not voted, and handing a meeting to an acting chair.
VOTE_REMIND = "vote.remind"  # data: item_id; the chair reminds the present settings that have not voted
HAND_OVER_FORM = "meeting.handover.form"  # data: meeting_id; choose who chairs this meeting
HAND_OVER = "meeting.handover"  # data: meeting_id; inputs: person_id

ALL = ALL | frozenset(
    {
        MEETING_START, ITEM_OPEN, VOTE_CAST, VOTE_INTEREST, VOTE_REFRESH, ITEM_CLOSE, DECISION_FORM,
        DECISION_RECORD, MEETING_END, AGENDA_SHOW, VOTE_REMIND, HAND_OVER_FORM, HAND_OVER,
    }
)  # fmt: skip

# Meetings, for the cluster's admin (issue 4).
MEETINGS = "meetings.show"  # the admin's meetings card
MEETING_ADD = "meetings.add"  # inputs: new_day, new_start, new_end, new_title, new_link
MEETING_MOVE = "meetings.move"  # data: meeting_id; inputs: day_<meeting_id>
MEETING_CANCEL = "meetings.cancel"  # data: meeting_id
MEETING_LINK = "meetings.link"  # data: meeting_id; inputs: link_<meeting_id>

ALL = ALL | frozenset({MEETINGS, MEETING_ADD, MEETING_MOVE, MEETING_CANCEL, MEETING_LINK})

# The budget card (admins and council officers set it; chairs and the team see it).
BUDGET = "budget.show"
BUDGET_SET = "budget.set"  # inputs: label, starts, ends, baseline, uplift, specialist, reserve (pounds)

ALL = ALL | frozenset({BUDGET, BUDGET_SET})

# Reviews (issue 5).
REVIEWS = "review.list"  # the person's setting's reviews
REVIEW_OPEN = "review.open"  # data: review_id; the review form
REVIEW_SUBMIT = "review.submit"  # data: review_id; inputs: the review form's fields
REVIEW_SNOOZE = "review.snooze"  # data: review_id; pause nudges for a week

ALL = ALL | frozenset({REVIEWS, REVIEW_OPEN, REVIEW_SUBMIT, REVIEW_SNOOZE})

# Settings' Capital Fund facts, for the cluster's admin (issue 9).
SETTINGS = "settings.show"  # the admin's settings card
SETTINGS_SAVE = "settings.save"  # inputs: mainstream_<setting_id>, hncg_<setting_id> ("true" | "false")

ALL = ALL | frozenset({SETTINGS, SETTINGS_SAVE})

# The revenue ledger (issue 11): payments for council officers, and each decision's letter.
PAYMENTS = "payments.show"  # the officer's card of instalments due
PAYMENT_MARK = "payments.mark"  # data: instalment_id; inputs: paid_on_<id>, reference_<id>
DECISION_LETTER = "decision.letter"  # data: decision_id; offer the decision's letter (Word) again

ALL = ALL | frozenset({PAYMENTS, PAYMENT_MARK, DECISION_LETTER})
# The Capital Fund's governance (issue 11): rounds, the panel, the Board, the project's journey, its impact.
CAPITAL = "capital.show"  # the person's Capital Fund card (an officer's has the rounds and the round form)
CAPITAL_ROUND_SET = "capital.round.set"  # inputs: label, total, opens, closes, panel_by, decisions_by, ...
CAPITAL_OPEN = "capital.open"  # data: referral_id; the application as the person may see and act on it
CAPITAL_SCORE = "capital.score"  # data: referral_id; inputs: score_<criterion>, comment_<criterion>
CAPITAL_PANEL_CLOSE = "capital.panel.close"  # data: referral_id; the chair closes the scoring
CAPITAL_RECOMMEND = "capital.recommend"  # data: referral_id; inputs: recommendation, reasons, conditions
CAPITAL_PANEL = "capital.panel"  # the admin's panel members card
CAPITAL_PANEL_ADD = "capital.panel.add"  # inputs: person_id (a SENCO or delegate of the cluster)
CAPITAL_PANEL_REMOVE = "capital.panel.remove"  # data: person_id
CAPITAL_BOARD = "capital.board"  # data: referral_id; inputs: board (approve|decline), amount, conditions, reasons
CAPITAL_STARTED = "capital.started"  # data: referral_id; inputs: started_on
CAPITAL_COMPLETED = "capital.completed"  # data: referral_id; inputs: completed_on
CAPITAL_INVOICE = "capital.invoice"  # data: referral_id; inputs: invoice_amount (then the file, in chat)
CAPITAL_VISIT = "capital.visit"  # data: referral_id; inputs: visitor, visited_on, passed, notes
CAPITAL_RELEASE = "capital.release"  # data: referral_id
CAPITAL_EVALUATE = "capital.evaluate"  # data: referral_id; inputs: ehcp_pupils, pupils_weekly, ...
CAPITAL_REPORT = "capital.report"  # offer the capital report (XLSX) as a file

ALL = ALL | frozenset(
    {
        CAPITAL, CAPITAL_ROUND_SET, CAPITAL_OPEN, CAPITAL_SCORE, CAPITAL_PANEL_CLOSE, CAPITAL_RECOMMEND,
        CAPITAL_PANEL, CAPITAL_PANEL_ADD, CAPITAL_PANEL_REMOVE, CAPITAL_BOARD, CAPITAL_STARTED,
        CAPITAL_COMPLETED, CAPITAL_INVOICE, CAPITAL_VISIT, CAPITAL_RELEASE, CAPITAL_EVALUATE, CAPITAL_REPORT,
    }
)  # fmt: skip
# The citywide view (issue 12): every cluster's figures side by side, and the same as a spreadsheet.
CITYWIDE = "citywide.show"  # the citywide card (council officers; chairs and the team around a cluster)
CITYWIDE_EXPORT = "citywide.export"  # offer the citywide figures (XLSX) as a file

ALL = ALL | frozenset({CITYWIDE, CITYWIDE_EXPORT})

# Clusters (issue 12): the council officer's list of every cluster, and adding one.
CLUSTERS = "clusters.show"
CLUSTER_ADD = "clusters.add"  # inputs: name, code, deadline_days, settings, meetings, people (one per line)

ALL = ALL | frozenset({CLUSTERS, CLUSTER_ADD})

# The meeting's register (issue 20): "I'm here", apologies, the roll call, substitutes for one meeting.
REGISTER_HERE = "register.here"  # data: meeting_id; the clicker is put on the register as present
REGISTER_APOLOGIES = "register.apologies"  # data: meeting_id; the clicker's setting sends apologies
ROLL_CALL = "register.roll_call"  # data: meeting_id; the chair's or admin's roll-call card
ROLL_CALL_MARK = "register.mark"  # data: meeting_id, setting_id, presence (present | absent)
ROLL_CALL_ADD = "register.add"  # data: meeting_id; inputs: attendee_name, attends_as (tac | other)
SUBSTITUTE_FORM = "substitute.form"  # data: meeting_id; the SENCO's card to name a substitute
SUBSTITUTE_NAME = "substitute.name"  # data: meeting_id; inputs: substitute_person, substitute_email, substitute_name
SUBSTITUTE_WITHDRAW = "substitute.withdraw"  # data: meeting_id; the SENCO withdraws their setting's substitute
SUBSTITUTE_CONFIRM = "substitute.confirm"  # data: meeting_id, setting_id; an admin confirms an e-mail substitute

ALL = ALL | frozenset(
    {
        REGISTER_HERE, REGISTER_APOLOGIES, ROLL_CALL, ROLL_CALL_MARK, ROLL_CALL_ADD, SUBSTITUTE_FORM,
        SUBSTITUTE_NAME, SUBSTITUTE_WITHDRAW, SUBSTITUTE_CONFIRM,
    }
)  # fmt: skip

# The Costed Provision Document (issue 21): the council officer's card of every version loaded.
PROVISION_DOCUMENTS = "provision.documents"  # the versions card (a new version comes as a file sent in chat)

ALL = ALL | frozenset({PROVISION_DOCUMENTS})

# What worked (issue 21): the record of funded provisions' outcomes and peers' advice, searched in groups.
WHAT_WORKED = "whatworked.search"  # inputs: area_of_need, need_code, year_band, provision, text, scope
WHAT_WORKED_SHARING = "whatworked.sharing"  # the council officer's card of each cluster's consent to share
WHAT_WORKED_SHARE = "whatworked.share"  # data: cluster_id, share (on|off)

ALL = ALL | frozenset({WHAT_WORKED, WHAT_WORKED_SHARING, WHAT_WORKED_SHARE})

# The funding formula (issue 22): a council officer's card of the year's formula, its shares and its changes.
FUNDING = "funding.show"  # data: label (the year; empty: the one covering today)
FUNDING_SET = "funding.set"  # inputs: label, starts, ends, each part (pounds) and its basis, reason

ALL = ALL | frozenset({FUNDING, FUNDING_SET})

# Quality-assurance visits to settings (issue 22): the team plans and records them, the setting acknowledges.
QA_VISITS = "qa.visits"  # the visits the person may see (the team's card also plans one)
QA_PLAN = "qa.plan"  # inputs: setting_id, planned_on, visitors
QA_OPEN = "qa.open"  # data: visit_id; the visit's report (and, for the team, the form to record it)
QA_RECORD = "qa.record"  # data: visit_id; inputs: visited_on, visitors, allocations, seen, judgement, actions, ...
QA_ACKNOWLEDGE = "qa.acknowledge"  # data: visit_id; the setting's SENCO acknowledges the report
QA_ACTION_DONE = "qa.action.done"  # data: action_id; an action of the report marked done

ALL = ALL | frozenset({QA_VISITS, QA_PLAN, QA_OPEN, QA_RECORD, QA_ACKNOWLEDGE, QA_ACTION_DONE})
