"""Write the README's "Who may do what" table from the declarations: `python scripts/permission_table.py`."""

from __future__ import annotations

import re
from pathlib import Path

from bot.actions.permissions import as_markdown

README = Path(__file__).resolve().parents[1] / "README.md"


def main() -> None:
    """Replace the table (from its header row to the first line that is not a table row) with the current one."""
    text = README.read_text(encoding="utf-8")
    pattern = re.compile(r"^\| What \| Who \(and how far\) \|.*?\n(?=[^|])", re.S | re.M)
    updated, found = pattern.subn(lambda _: as_markdown() + "\n", text, count=1)
    if not found:
        raise SystemExit("README.md has no 'Who may do what' table to replace")
    README.write_text(updated, encoding="utf-8")


if __name__ == "__main__":
    main()
