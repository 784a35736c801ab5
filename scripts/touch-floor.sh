#!/usr/bin/env bash
# SQLite's own floor for storing a touch file, without LeadLedger: how long SQLite alone takes
# to store the rows of one import run when they are already parsed, resolved to lead ids and
# classified — the best any importer that writes them through SQLite could do on this machine.
#
#   scripts/touch-floor.sh WAREHOUSE [FILE_NAME]    # FILE_NAME default: touches.csv
#
# WAREHOUSE is a warehouse that has imported FILE_NAME (the benchmark runner's, or one built by
# hand). The run's touchpoints are copied, in their import order, into a staging table; the
# touches imported before that run are the "earlier" rows. For each table shape below a new
# database gets the earlier rows first (not timed), then the run's rows by one
# `INSERT … SELECT` in one transaction, with the pragmas a large import uses (rollback
# journal, synchronous FULL, 128 MiB page cache; no foreign-key checks, which an import also
# switches off for its run). The time is that insert and its commit.
#
# Shapes, widest first:
#   as stored      the warehouse's touchpoints up to core.13: text channel and kind, the five raw fields
#                  (UTM tags, referrer, landing page) in the row, natural key, channel index
#   fields apart   the same, with the raw fields in a table of their own keyed by the touch's id
#   no raw fields  the same without the raw fields at all
#   integers       channel and kind as small integers, no raw fields; natural key, channel index
#   narrowest      integers, WITHOUT ROWID keyed by the natural key: the least that still keeps
#                  "importing overlapping files never double-counts" in SQLite
#   the store      the touch store since core.14: narrowest, plus the import order, the raw tags as
#                  dictionary ids and the click ids
#   no uniqueness  integers, no index at all (a bare append: a lower bound, not a design)
#
# It measures; it asserts nothing. The brief's bar is 1,000,000 touch rows per second for the
# whole import (parsing, classifying, resolving leads, the leads' derived rows, the commit).
set -euo pipefail
db="${1:?usage: scripts/touch-floor.sh WAREHOUSE [FILE_NAME]}"
file="${2:-touches.csv}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
stage="$work/stage.sqlite"

# The run that inserted the file's rows (a later `--again` of the same file inserts none).
run=$(sqlite3 "$db" "SELECT id FROM import_runs WHERE file_name = '$(printf %s "$file" | sed "s/'/''/g")'
                     ORDER BY rows_inserted DESC, id LIMIT 1")
[ -n "$run" ] || { echo "no import run of $file in $db" >&2; exit 1; }

# The staged rows: the run's touches in import order, and the touches imported before it.
sqlite3 "$stage" > /dev/null <<SQL
PRAGMA journal_mode = OFF;
ATTACH '$db' AS w;
CREATE TABLE channel_codes (name TEXT PRIMARY KEY, code INTEGER) WITHOUT ROWID;
INSERT INTO channel_codes SELECT id, row_number() OVER (ORDER BY id) FROM w.channels;
CREATE TABLE kind_codes (name TEXT PRIMARY KEY, code INTEGER) WITHOUT ROWID;
INSERT INTO kind_codes SELECT kind, row_number() OVER (ORDER BY kind) FROM (SELECT DISTINCT kind FROM w.touchpoints);
CREATE TEMP VIEW coded AS SELECT t.id AS touch, t.import_run_id AS run, t.lead_id, t.occurred_at, t.channel_id, c.code AS channel,
    t.campaign_id, t.kind, k.code AS kind_code, t.utm_source, t.utm_medium, t.utm_campaign, t.referrer, t.landing_page,
    t.click_ids FROM w.touchpoints t JOIN channel_codes c ON c.name = t.channel_id JOIN kind_codes k ON k.name = t.kind;
CREATE TABLE staged AS SELECT * FROM coded WHERE run = $run ORDER BY touch;
CREATE TABLE earlier AS SELECT * FROM coded WHERE run < $run ORDER BY touch;
-- The raw tags' dictionary ids, looked up beforehand as the import's cache does.
CREATE TABLE tags (id INTEGER PRIMARY KEY, value TEXT UNIQUE);
INSERT OR IGNORE INTO tags (value) SELECT utm_source FROM coded UNION SELECT utm_medium FROM coded UNION SELECT utm_campaign FROM coded
    UNION SELECT referrer FROM coded UNION SELECT landing_page FROM coded;
CREATE TEMP VIEW tagged AS SELECT x.*, (SELECT id FROM tags WHERE value = x.utm_source) AS s_tag, (SELECT id FROM tags WHERE value = x.utm_medium) AS m_tag,
    (SELECT id FROM tags WHERE value = x.utm_campaign) AS c_tag, (SELECT id FROM tags WHERE value = x.referrer) AS r_tag,
    (SELECT id FROM tags WHERE value = x.landing_page) AS p_tag FROM staged x;
CREATE TABLE staged_tagged AS SELECT * FROM tagged ORDER BY rowid;
DROP VIEW tagged;
CREATE TEMP VIEW tagged AS SELECT x.*, (SELECT id FROM tags WHERE value = x.utm_source) AS s_tag, (SELECT id FROM tags WHERE value = x.utm_medium) AS m_tag,
    (SELECT id FROM tags WHERE value = x.utm_campaign) AS c_tag, (SELECT id FROM tags WHERE value = x.referrer) AS r_tag,
    (SELECT id FROM tags WHERE value = x.landing_page) AS p_tag FROM earlier x;
CREATE TABLE earlier_tagged AS SELECT * FROM tagged ORDER BY rowid;
SQL
rows=$(sqlite3 "$stage" "SELECT count(*) FROM staged")
earlier=$(sqlite3 "$stage" "SELECT count(*) FROM earlier")
echo "run #$run ($file): $rows touches, after $earlier earlier ones; 1 M rows/s would be $(awk -v r="$rows" 'BEGIN { printf "%.2f", r / 1e6 }') s"
printf '%-16s %9s %11s\n' "shape" "seconds" "rows/s"

# shape NAME DDL INSERT: earlier rows in (untimed), then the run's rows, timed. INSERT is the SQL
# that stores the rows of the table named ROWS (s.earlier, then s.staged) in their import order.
shape() {
  local name="$1" ddl="$2" insert="$3" target="$work/$1.sqlite"
  rm -f "$target"
  sqlite3 "$target" "PRAGMA page_size = 4096; $ddl" "ATTACH '$stage' AS s; ${insert//ROWS/s.earlier}"
  /usr/bin/time -f "%e" -o "$work/time" sqlite3 "$target" \
    "PRAGMA journal_mode = DELETE; PRAGMA synchronous = FULL; PRAGMA cache_size = -131072;" \
    "ATTACH '$stage' AS s;" \
    "BEGIN; ${insert//ROWS/s.staged} COMMIT;" > /dev/null
  awk -v n="$name" -v r="$rows" -v s="$(tail -n 1 "$work/time")" 'BEGIN { printf "%-16s %9.2f %11s\n", n, s, (s > 0 ? sprintf("%.0f", r / s) : "-") }'
  rm -f "$target"
}
# into TABLE COLUMNS SELECTED: an INSERT of every row of ROWS, in order.
into() { echo "INSERT INTO $1 ($2) SELECT $3 FROM ROWS ORDER BY rowid;"; }

facts="lead_id, occurred_at, channel_id, campaign_id, kind"
fields="utm_source, utm_medium, utm_campaign, referrer, landing_page"
kinds=$(sqlite3 "$stage" "SELECT group_concat('kind = ''' || name || '''', ' OR ') FROM kind_codes")
touches="CREATE TABLE t (id INTEGER PRIMARY KEY, lead_id INTEGER NOT NULL, occurred_at INTEGER NOT NULL,
    channel_id TEXT NOT NULL, campaign_id INTEGER, kind TEXT NOT NULL CHECK ($kinds)"
keys="CREATE UNIQUE INDEX t_key ON t (occurred_at, lead_id, kind, channel_id);
  CREATE INDEX t_channel ON t (channel_id, occurred_at);"
shape "as stored" "$touches, utm_source TEXT, utm_medium TEXT, utm_campaign TEXT, referrer TEXT, landing_page TEXT,
    import_run_id INTEGER NOT NULL DEFAULT 1) STRICT; $keys" "$(into t "$facts, $fields" "$facts, $fields")"
# The raw fields in a table of their own, keyed by the touch's id (an append, no index).
shape "fields apart" "$touches, import_run_id INTEGER NOT NULL DEFAULT 1) STRICT; $keys
  CREATE TABLE f (touch_id INTEGER PRIMARY KEY, utm_source TEXT, utm_medium TEXT, utm_campaign TEXT, referrer TEXT,
    landing_page TEXT) STRICT;" \
  "$(into f "touch_id, $fields" "coalesce((SELECT max(id) FROM t), 0) + rowid, $fields") $(into t "$facts" "$facts")"
shape "no raw fields" "$touches, import_run_id INTEGER NOT NULL DEFAULT 1) STRICT; $keys" "$(into t "$facts" "$facts")"
ints="lead_id, occurred_at, channel, campaign_id, kind"
picked="lead_id, occurred_at, channel, campaign_id, kind_code"
shape "integers" "CREATE TABLE t (id INTEGER PRIMARY KEY, lead_id INTEGER NOT NULL, occurred_at INTEGER NOT NULL,
    channel INTEGER NOT NULL, campaign_id INTEGER, kind INTEGER NOT NULL, import_run_id INTEGER NOT NULL DEFAULT 1) STRICT;
  CREATE UNIQUE INDEX t_key ON t (occurred_at, lead_id, kind, channel);
  CREATE INDEX t_channel ON t (channel, occurred_at);" "$(into t "$ints" "$picked")"
shape "narrowest" "CREATE TABLE t (occurred_at INTEGER NOT NULL, lead_id INTEGER NOT NULL, kind INTEGER NOT NULL,
    channel INTEGER NOT NULL, campaign_id INTEGER, PRIMARY KEY (occurred_at, lead_id, kind, channel)) STRICT, WITHOUT ROWID;" \
  "$(into t "$ints" "$picked")"
# The touch store as core.14 has it: the narrowest shape plus the id, the five raw tags as
# dictionary ids (looked up beforehand) and the click ids.
store_insert="INSERT INTO t SELECT occurred_at, lead_id, kind_code, channel, touch, campaign_id, s_tag, m_tag, c_tag, r_tag, p_tag,
    click_ids, 1 FROM ROWS_tagged ORDER BY rowid;"
shape "the store" "CREATE TABLE t (occurred_at INTEGER NOT NULL, lead_id INTEGER NOT NULL, kind_code INTEGER NOT NULL,
    channel_code INTEGER NOT NULL, id INTEGER NOT NULL, campaign_id INTEGER, utm_source_tag INTEGER, utm_medium_tag INTEGER,
    utm_campaign_tag INTEGER, referrer_tag INTEGER, landing_page_tag INTEGER, click_ids TEXT, import_run_id INTEGER NOT NULL,
    PRIMARY KEY (occurred_at, lead_id, kind_code, channel_code)) STRICT, WITHOUT ROWID;" "$store_insert"
shape "no uniqueness" "CREATE TABLE t (lead_id INTEGER NOT NULL, occurred_at INTEGER NOT NULL, channel INTEGER NOT NULL,
    campaign_id INTEGER, kind INTEGER NOT NULL) STRICT;" "$(into t "$ints" "$picked")"
