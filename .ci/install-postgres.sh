#!/usr/bin/env bash
# Make sure PostgreSQL's server programs (initdb, pg_ctl) are installed, for the tests that start
# their own throwaway PostgreSQL server (tests/pgserver.py).
#
# Idempotent: does nothing if initdb is on PATH or under /usr/lib/postgresql/*/bin; otherwise installs
# Debian's `postgresql` package with apt-get. Needs root (or sudo) only when it has to install.
set -euo pipefail

find_initdb() {
    if command -v initdb >/dev/null 2>&1; then
        command -v initdb
        return 0
    fi
    local candidate
    for candidate in /usr/lib/postgresql/*/bin/initdb; do
        if [ -x "$candidate" ]; then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}

if initdb_path="$(find_initdb)"; then
    echo "PostgreSQL already installed: $initdb_path"
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "initdb not found and apt-get is not available; install PostgreSQL's server package by hand." >&2
    exit 1
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        sudo="sudo"
    else
        echo "initdb not found; installing PostgreSQL needs root (or sudo)." >&2
        exit 1
    fi
fi

export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update
$sudo apt-get install -y postgresql

if initdb_path="$(find_initdb)"; then
    echo "PostgreSQL installed: $initdb_path"
else
    echo "apt-get installed postgresql but initdb is still not found." >&2
    exit 1
fi
