"""Meeting day in the cluster's channel: the agenda, votes, decisions, minutes, and what carries over.

``meeting_rows`` and ``ballots`` load a meeting's rows in a fixed number of queries, shared by the use cases
(``agenda``, ``votes``, ``decisions``, ``minutes``); ``carry_over`` moves what an ended meeting did not reach
to the next one. The admin's meetings (adding, moving, cancelling them) are ``usecases.meetings``.
"""
