#!/usr/bin/env bash
# The test command: installs missing system libraries, then runs every test (unit,
# property and end-to-end) with `swift test`. Extra arguments go to `swift test`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-system-deps.sh
exec swift test "$@"
