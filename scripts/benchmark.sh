#!/usr/bin/env bash
# The benchmark runner. Builds in release mode, generates (or reuses) a data set with
# DemoDataGenerator, imports every file into a fresh warehouse, runs the reports, every
# attribution model, scoring, segments and a snapshot export, and prints seconds, rows/s and
# peak resident memory for each step. Beside each step that has one it runs the nearest
# reference on the same data in the same run and prints the ratio (reference ÷ ours): the
# sqlite3 shell's `.import` of the same file for imports, the same report hand-written in SQL
# (scripts/reference-sql) for reports, `sqlite3 .dump | gzip -6` for the snapshot. After the
# imports it prints SQLite's own floor for the touch file's rows (scripts/touch-floor.sh).
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

db="$work/bench.sqlite"
# Read-only steps whose bar is a second or two (reports, attribution) run this many times and
# print the median, with the fastest and slowest run: on a shared machine one run can be 10-30 %
# off. Imports run once (each needs the warehouse as it was before it); references run once.
runs="${BENCH_RUNS:-3}"
printf '%-50s %10s %9s %11s %8s %11s %8s  %s\n' "step" "rows" "seconds" "rows/s" "RSS MB" "reference s" "ratio" "runs"
# timed COMMAND... : runs it, sets $secs and $kb (peak resident memory).
timed() {
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" > "$work/out" 2>&1 || { cat "$work/out" >&2; exit 1; }
  read -r secs kb < "$work/time"
}
# timed_runs N COMMAND... : runs it N times; sets $secs to the median, $kb to the largest peak
# and $spread to "N: fastest-slowest" (empty for one run).
timed_runs() {
  local n="$1" i peak=0; shift
  : > "$work/times"
  for ((i = 0; i < n; i++)); do
    timed "$@"
    echo "$secs" >> "$work/times"
    if (( kb > peak )); then peak=$kb; fi
  done
  kb=$peak
  read -r secs spread < <(sort -n "$work/times" | awk '{ v[NR] = $1 }
    END { printf "%s %s\n", v[int((NR + 1) / 2)], (NR > 1 ? sprintf("%d: %.2f-%.2f", NR, v[1], v[NR]) : "") }')
}
# row NAME ROWS SECONDS KB [REFERENCE_SECONDS [SPREAD]]: one line of the table. The ratio is the
# reference's time over ours: above 1, LeadLedger is faster than the reference.
row() {
  awk -v n="$1" -v r="$2" -v s="$3" -v k="$4" -v ref="${5:-}" -v spread="${6:-}" 'BEGIN {
    rate = (s > 0 && r > 0) ? sprintf("%.0f", r / s) : "-"
    refs = (ref == "") ? "-" : sprintf("%.2f", ref)
    ratio = (ref == "" || s == 0) ? "-" : sprintf("%.2f", ref / s)
    printf "%-50s %10s %9.2f %11s %8.1f %11s %8s  %s\n", n, r, s, rate, k / 1024, refs, ratio, (spread == "" ? "-" : spread) }'
}
# measure and versus run our command $repeat times (1 unless the call sets it: `repeat=$runs measure …`).
measure() {  # NAME ROWS COMMAND...
  local name="$1" rows="$2"; shift 2
  timed_runs "${repeat:-1}" "$@"
  row "$name" "$rows" "$secs" "$kb" "" "$spread"
}
versus() {  # NAME ROWS REFERENCE_SHELL_COMMAND COMMAND... : ours beside the nearest reference, same data, same run
  local name="$1" rows="$2" reference="$3"; shift 3
  timed sh -c "$reference"
  local ref="$secs"
  timed_runs "${repeat:-1}" "$@"
  row "$name" "$rows" "$secs" "$kb" "$ref" "$spread"
}
count() { echo $(( $(wc -l < "$1") - 1 )); }
# The sqlite3 shell's .import of the same file into a bare table (no validation, no index).
sqlite_import() {
  local mode=csv; case "$1" in *.tsv) mode=tabs ;; esac
  echo "rm -f '$work/ref.sqlite'; sqlite3 '$work/ref.sqlite' '.mode $mode' '.import \"$1\" t'"
}

if [ ! -f "$data/touches.csv" ]; then
  echo "generating $leads leads over $days days into $data"
  timed "$bin/DemoDataGenerator" --out "$data" --leads "$leads" --days "$days" --no-bad-rows
  row "generate the data set (DemoDataGenerator)" "$leads" "$secs" "$kb"
fi

import_file() {  # SOURCE FILE
  versus "import $1 $(basename "$2")" "$(count "$2")" "$(sqlite_import "$2")" "$bin/leadledger" import "$1" "$2" --db "$db"
}
import_file leads "$data/leads.csv"
for dir in "$data"/*/; do
  for f in "$dir"*; do import_file "$(basename "$dir")" "$f"; done
done
# The touch file as exports sorted by person come (by lead, then time), into a copy of the
# warehouse as it is before the touches: a file's row order must not decide the speed.
if [ ! -f "$data/touches-by-lead.csv" ]; then
  { head -1 "$data/touches.csv"; tail -n +2 "$data/touches.csv" | LC_ALL=C sort -t, -k2,2 -k1,1 -S 1G; } > "$data/touches-by-lead.csv"
fi
cp "$db" "$work/by-lead.sqlite"
versus "import touches touches-by-lead.csv (sorted by lead)" "$(count "$data/touches-by-lead.csv")" "$(sqlite_import "$data/touches-by-lead.csv")" \
  "$bin/leadledger" import touches "$data/touches-by-lead.csv" --db "$work/by-lead.sqlite"
rm -f "$work/by-lead.sqlite"
for source in touches conversions stages outreach; do import_file "$source" "$data/$source.csv"; done
measure "re-import touches (no-op)" "$(count "$data/touches.csv")" "$bin/leadledger" import touches "$data/touches.csv" --db "$db"
# What SQLite alone needs to store the touch file's rows in each table shape (scripts/touch-floor.sh):
# the floor under the touch-import bar, measured on this machine in this run.
echo "SQLite's own floor for the touch file's rows (scripts/touch-floor.sh; parsed and resolved beforehand):"
scripts/touch-floor.sh "$db" touches.csv | sed 's/^/  /'
# Reports beside the same report hand-written in SQL (scripts/reference-sql) run by sqlite3.
for report in channels campaigns funnel; do
  repeat=$runs versus "report $report (vs plain SQL)" "-" "sqlite3 '$db' < scripts/reference-sql/report-$report.sql" \
    "$bin/leadledger" report "$report" --db "$db"
done
for report in cohorts velocity; do
  repeat=$runs measure "report $report" "-" "$bin/leadledger" report "$report" --db "$db"
done
measure "score" "-" "$bin/leadledger" score --db "$db" --format csv
measure "segments" "-" "$bin/leadledger" segments --db "$db"
# Changing the channel grouping re-classifies every stored web touch (issue #25's bar: 10 s for 6 M).
printf 'channel zalo Zalo OA\nrule zalo source=zalo\nrule seo source=newsletter\n' > "$work/grouping.txt"
measure "grouping set (re-classify every web touch)" "$(count "$data/touches.csv")" "$bin/leadledger" grouping set "$work/grouping.txt" --db "$db"
measure "grouping clear (re-classify back)" "$(count "$data/touches.csv")" "$bin/leadledger" grouping clear --db "$db"
conversions=$(( $(wc -l < "$data/conversions.csv") - 1 ))
for model in first last linear time-decay position w-shaped full-path markov shapley; do
  repeat=$runs measure "attribute --model $model (warehouse)" "$conversions" "$bin/leadledger" attribute --model "$model" --db "$db"
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
  repeat=$runs measure "attribute --model $model (1M-journey path file)" 1000000 "$bin/leadledger" attribute --model "$model" --paths "$paths"
done
echo "model time alone on the 1M journeys (attribute --timings, after reading the file):"
"$bin/leadledger" attribute --model all --paths "$paths" --timings 2>&1 >/dev/null | sed 's/^/  /'
versus "snapshot export (gzip 6) vs sqlite3 .dump | gzip -6" "-" "sqlite3 '$db' .dump | gzip -6 > '$work/dump.sql.gz'" \
  "$bin/leadledger" snapshot export "$work/snap" --db "$db"
snapshot_bytes=$(du -sb "$work/snap" | cut -f1)
db_bytes=$(stat -c %s "$db")
awk -v b="$db_bytes" -v s="$secs" 'BEGIN { printf "snapshot export: %.1f MB/s of warehouse\n", b / 1e6 / s }'
measure "snapshot verify" "-" "$bin/leadledger" snapshot verify "$work/snap"
echo "snapshot: $snapshot_bytes bytes; sqlite3 .dump | gzip -6: $(stat -c %s "$work/dump.sql.gz") bytes; warehouse: $db_bytes bytes"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -m), $(sqlite3 --version | cut -d' ' -f1-2 | sed 's/^/SQLite /'), $(swift --version 2>&1 | head -1)"
