#!/usr/bin/env bash
# Two builds of leadledger on the same data: the median of three alternating runs of each read
# command (reports, score, segments, every attribution model, snapshot export), and the ratio.
#
#   scripts/compare-builds.sh PREV_BIN NEW_BIN PREV_DB NEW_DB
#
# PREV_DB and NEW_DB hold the same files imported by each build (their schemas may differ).
# Used for the "nothing else slower than 10 %" check of a change to the warehouse. It measures;
# it asserts nothing.
set -euo pipefail
prev="${1:?usage: scripts/compare-builds.sh PREV_BIN NEW_BIN PREV_DB NEW_DB}"; new="$2"; prev_db="$3"; new_db="$4"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
run() {  # LABEL ARGS... (@DB@ and @OUT@ replaced per build)
  local label="$1"; shift
  local tn=() tp=() i v bin db t
  for i in 1 2 3; do
    for v in prev new; do
      if [ "$v" = new ]; then bin=$new; db=$new_db; else bin=$prev; db=$prev_db; fi
      local args=("$@"); args=("${args[@]//@DB@/$db}"); args=("${args[@]//@OUT@/$work/out-$v}")
      rm -rf "$work/out-$v"
      /usr/bin/time -f "%e" -o "$work/time" "$bin" "${args[@]}" > /dev/null 2>&1
      t=$(tail -1 "$work/time")
      if [ "$v" = new ]; then tn+=("$t"); else tp+=("$t"); fi
    done
  done
  local mn mp
  mn=$(printf '%s\n' "${tn[@]}" | sort -n | sed -n 2p); mp=$(printf '%s\n' "${tp[@]}" | sort -n | sed -n 2p)
  awk -v l="$label" -v p="$mp" -v n="$mn" 'BEGIN { printf "%-34s prev %6.2f  new %6.2f  new/prev %.2f\n", l, p, n, (p > 0 ? n / p : 0) }'
}
for r in channels campaigns funnel cohorts velocity; do run "report $r" report "$r" --db @DB@; done
for c in events referral social; do run "report channel $c" report channel "$c" --db @DB@; done
run "score" score --db @DB@ --format csv
run "segments" segments --db @DB@
for m in first last linear time-decay position w-shaped full-path markov shapley; do run "attribute $m" attribute --model "$m" --db @DB@; done
run "snapshot export" snapshot export @OUT@ --db @DB@
