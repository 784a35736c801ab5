#!/usr/bin/env bash
# Import and report benchmark on generated data. Builds in release mode, generates (or
# reuses) a data set with DemoDataGenerator, imports every file into a fresh warehouse and
# runs `report channels`, printing seconds, rows/s and peak resident memory for each step,
# next to the sqlite3 shell's `.import` of the same touches file as a reference.
#
#   scripts/benchmark.sh [LEADS] [DAYS]      # default 200000 leads over 365 days
#
# Nothing here asserts on time: it measures. CI runs it on a small data set as a smoke test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-system-deps.sh
leads="${1:-200000}"
days="${2:-365}"
data="${BENCH_DATA:-bench-data}/leads-$leads-days-$days"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

swift build -c release -q --product leadledger
swift build -c release -q --product DemoDataGenerator
bin="$(swift build -c release --show-bin-path)"

if [ ! -f "$data/touches.csv" ]; then
  echo "generating $leads leads over $days days into $data"
  "$bin/DemoDataGenerator" --out "$data" --leads "$leads" --days "$days" --no-bad-rows
fi

db="$work/bench.sqlite"
printf '%-52s %10s %9s %12s %12s\n' "step" "rows" "seconds" "rows/s" "peak RSS MB"
measure() {  # name rows command...
  local name="$1" rows="$2"; shift 2
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" > "$work/out" 2>&1 || { cat "$work/out" >&2; exit 1; }
  read -r secs kb < "$work/time"
  awk -v n="$name" -v r="$rows" -v s="$secs" -v k="$kb" \
    'BEGIN { printf "%-52s %10s %9.2f %12s %12.1f\n", n, r, s, (s > 0 && r > 0 ? sprintf("%.0f", r / s) : "-"), k / 1024 }'
}
count() { echo $(( $(wc -l < "$1") - 1 )); }

measure "import leads" "$(count "$data/leads.csv")" "$bin/leadledger" import leads "$data/leads.csv" --db "$db"
for dir in "$data"/*/; do
  channel="$(basename "$dir")"
  for f in "$dir"*; do
    measure "import $channel $(basename "$f")" "$(count "$f")" "$bin/leadledger" import "$channel" "$f" --db "$db"
  done
done
measure "import touches" "$(count "$data/touches.csv")" "$bin/leadledger" import touches "$data/touches.csv" --db "$db"
measure "import conversions" "$(count "$data/conversions.csv")" "$bin/leadledger" import conversions "$data/conversions.csv" --db "$db"
measure "re-import touches (no-op)" "$(count "$data/touches.csv")" "$bin/leadledger" import touches "$data/touches.csv" --db "$db"
for report in channels campaigns funnel cohorts velocity; do
  measure "report $report" "-" "$bin/leadledger" report "$report" --db "$db"
done
measure "score" "-" "$bin/leadledger" score --db "$db" --format csv
measure "segments" "-" "$bin/leadledger" segments --db "$db"
conversions=$(( $(wc -l < "$data/conversions.csv") - 1 ))
for model in first last linear time-decay position w-shaped full-path markov shapley; do
  measure "attribute --model $model (warehouse)" "$conversions" "$bin/leadledger" attribute --model "$model" --db "$db"
done
# The models alone on 1M journeys: a path file of one row per journey (1-12 steps, 7 channels).
paths="${BENCH_DATA:-bench-data}/paths-1m.csv"
if [ ! -f "$paths" ]; then
  python3 - "$paths" <<'PY'
import random, sys
rng = random.Random(42)
channels = ["social", "seo", "email", "referral", "events", "direct", "other"]
with open(sys.argv[1], "w") as f:
    f.write("path;total_conversions;total_conversion_value;total_null\n")
    for _ in range(1_000_000):
        steps = " > ".join(rng.choice(channels) for _ in range(rng.randint(1, 12)))
        converted = rng.random() < 0.2
        f.write(f"{steps};{1 if converted else 0};{rng.randint(50, 2000) if converted else 0};{0 if converted else 1}\n")
PY
fi
for model in first last linear position markov shapley; do
  measure "attribute --model $model (1M-journey path file)" 1000000 "$bin/leadledger" attribute --model "$model" --paths "$paths"
done
echo "model time alone on the 1M journeys (attribute --timings, after reading the file):"
"$bin/leadledger" attribute --model all --paths "$paths" --timings 2>&1 >/dev/null | sed 's/^/  /'
# Reference: the sqlite3 shell loading the same CSV into a bare table (no validation, no index).
measure "snapshot export (level 6)" "-" "$bin/leadledger" snapshot export "$work/snap" --db "$db"
measure "snapshot verify" "-" "$bin/leadledger" snapshot verify "$work/snap"
measure "reference: sqlite3 .dump | gzip -6" "-" sh -c "sqlite3 '$db' .dump | gzip -6 > '$work/dump.sql.gz'"
echo "snapshot: $(du -sb "$work/snap" | cut -f1) bytes; sqlite3 .dump | gzip -6: $(stat -c %s "$work/dump.sql.gz") bytes; warehouse: $(stat -c %s "$db") bytes"
measure "reference: sqlite3 .import touches.csv" "$(count "$data/touches.csv")" \
  sqlite3 "$work/ref.sqlite" ".mode csv" ".import $data/touches.csv touches"
echo "warehouse: $(du -h "$db" | cut -f1); machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -m)"
