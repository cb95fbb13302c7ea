"""Our tables, migrations, queries, transactions and the audit log.

The same code runs on SQLite (the embedded default) and PostgreSQL (production).
"""
