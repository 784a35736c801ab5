#!/usr/bin/env bash
# Regenerates the bundled sample data in datasets/demo, byte for byte (a test checks that
# the shipped files are exactly this output). Pass other sizes to make larger data sets:
#   scripts/generate-demo.sh --out /tmp/big --leads 200000 --days 365 --no-bad-rows
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-system-deps.sh
if [ $# -eq 0 ]; then set -- --out datasets/demo --leads 2000 --days 90 --seed 42; fi
exec swift run -q -c release DemoDataGenerator "$@"
