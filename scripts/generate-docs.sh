#!/usr/bin/env bash
# Rewrites docs/formats/<source>.md from the formats' own definitions (`leadledger formats`),
# and docs/formats/README.md, their index (`leadledger formats --index`).
set -euo pipefail
cd "$(dirname "$0")/.."
"$(dirname "$0")/ensure-system-deps.sh"
swift build -q --product leadledger
bin="$(swift build --show-bin-path)/leadledger"
mkdir -p docs/formats
for source in $("$bin" formats | sed -n 's/^Import with `leadledger import \([a-z_-]*\) FILE.*/\1/p'); do
  "$bin" formats "$source" > "docs/formats/$source.md"
  echo "wrote docs/formats/$source.md"
done
"$bin" formats --index > docs/formats/README.md
echo "wrote docs/formats/README.md"
