"""Cards for the meeting day (issue 4): the agenda, live votes, the decision form, minutes and the notices.

The agenda, vote cards, decision form and minutes are posted in the cluster's team channel, where every
member of the team reads them. So they show a pupil only by the entry's ``pupil_label`` (initials and year
group at most) and never the school's pupil reference, the pupil's name or date of birth, nor the referral's
details; and while a vote is open they show which settings have voted, never how each voted. How each
setting voted is shown once the vote is closed. The outcome notice alone goes to the referrer in personal
chat.

The vote card is shared by everyone in the channel and updated in place; while the vote is open it carries
a ``refresh`` action, so Teams asks the bot for each listed member's own copy (showing their own choice).
Buttons that do not submit the card's inputs send none (``associatedInputs: None``).

One module each: ``agenda``, ``votes``, ``decision_form``, ``minutes``, ``notices`` (to the referrer), and
``parts``, the pieces they share. The admin's meetings card is ``cards.meetings``.
"""
