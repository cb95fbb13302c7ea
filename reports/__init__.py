"""Documents the bot produces for people to keep, print or forward: the referral pack first.

Reports read the rules' views (such as :class:`cluster.referrals.ReferralView`) and return file bytes; they
know nothing of Teams or the database, so the bot's routes decide who may receive them.
"""
