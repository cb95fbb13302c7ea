"""Our tables, migrations, queries, transactions and the audit log.

The same code runs on SQLite (the embedded default) and PostgreSQL (production). Importing the package
starts the record chain's watch on every session (``store.chain``): no change to the money's rows is missed.
"""

import store.chain as _chain  # noqa: F401  (registers the session events)
