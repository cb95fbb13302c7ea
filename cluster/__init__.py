"""The cluster's rules: plain types and functions that know nothing of Teams, HTTP or the database.

Everything a SENCO, chair or admin may or may not do is decided here, so that it can be read and tested
without a bot or a database in the way.
"""
