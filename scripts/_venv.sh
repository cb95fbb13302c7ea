# Sourced by the other scripts: make .venv with Python 3.11+ and install the project into it, only when needed.
# The install is editable, so changed code needs none; it is redone when pyproject.toml changes (dependencies,
# entry points) or .venv is new. .venv/.clusterbot-installed records what was installed: "<checksum> <extras>".
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
pick_python() {
  for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  echo "clusterbot needs Python 3.11 or newer on PATH" >&2; return 1
}
if [ ! -x .venv/bin/python ]; then
  "$(pick_python)" -m venv .venv
fi
stamp=.venv/.clusterbot-installed
project="$(cksum < pyproject.toml | tr -s ' ' '-')"
extras="${EXTRAS:-}"
installed() {
  # This project with these extras, or (when none are asked for) with any extras: [test] includes the rest.
  [ -f "$stamp" ] && { grep -qxF "$project $extras" "$stamp" || { [ -z "$extras" ] && grep -q "^$project " "$stamp"; }; }
}
if ! installed; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e ".$extras"
  # A changed pyproject.toml makes every earlier line stale.
  { grep "^$project " "$stamp" 2>/dev/null || true; echo "$project $extras"; } > "$stamp.new"
  mv "$stamp.new" "$stamp"
fi
