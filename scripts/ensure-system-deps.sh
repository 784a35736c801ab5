#!/usr/bin/env bash
# Installs the system packages LeadLedger builds and tests against, when they are missing:
#   libsqlite3-dev  the SQLite C library and header (the warehouse)
#   zlib1g-dev      zlib (compressed snapshots)
#   sqlite3         the sqlite3 command-line tool (tests and benchmarks compare against it)
# Safe to run repeatedly; it does nothing when everything is present.
set -euo pipefail

missing=()
[ -f /usr/include/sqlite3.h ] || missing+=(libsqlite3-dev)
[ -f /usr/include/zlib.h ] || missing+=(zlib1g-dev)
command -v sqlite3 >/dev/null 2>&1 || missing+=(sqlite3)
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "LeadLedger needs: ${missing[*]} (SQLite and zlib development files). Install them with your package manager." >&2
  exit 1
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "Installing ${missing[*]}…" >&2
$sudo apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >&2
