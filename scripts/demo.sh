#!/usr/bin/env bash
# The main job on the bundled data: installs missing system libraries, builds, imports
# datasets/demo into ./leadledger-demo.sqlite and prints the channel comparison.
# Extra arguments go to `leadledger demo` (for example --format json).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-system-deps.sh
exec swift run -q leadledger demo "$@"
