import Warehouse

/// The warehouse tables a snapshot holds, in the order they are written and restored, with
/// their CSV columns. SQL for each lives here, next to the code that needs it.
struct SnapshotColumn: Sendable {
    enum Kind: String, Sendable {
        case integer, real, text
        /// INTEGER seconds in the warehouse, ISO 8601 UTC in the CSV.
        case timestamp
        /// `YYYY-MM-DD`.
        case date
        /// INTEGER minor units in the warehouse, a decimal string in the CSV (in the row's `currency`).
        case decimal
    }

    let name: String
    let dbColumn: String
    let kind: Kind
    /// The first snapshot format version with this column; older snapshots read it as `missing`.
    let sinceFormat: Int
    let missing: SQLValue

    init(_ name: String, _ kind: Kind = .text, db: String? = nil, sinceFormat: Int = 1, missing: SQLValue = .null) {
        self.name = name
        self.kind = kind
        self.dbColumn = db ?? name
        self.sinceFormat = sinceFormat
        self.missing = missing
    }
}

struct SnapshotTable: Sendable {
    let name: String
    /// The rows' order; nil: the table's (or view's) own scan order, which is its key's.
    let orderBy: String?
    let columns: [SnapshotColumn]
    /// Columns left empty by `--redact` (identifier hashes, free text).
    let redacted: Set<String>
    /// The rows of a consistent subset, as SQL over the temp tables `snap_touch` and `snap_lead`
    /// and the parameters :channel, :start/:end (seconds) and :first_day/:last_day.
    let subset: String
    /// The columns a snapshot of `formatVersion` has for this table.
    func columns(inFormat formatVersion: Int) -> [SnapshotColumn] {
        columns.filter { $0.sinceFormat <= formatVersion }
    }

    var file: String { name + ".csv.gz" }
    var currencyIndex: Int? { columns.firstIndex { $0.name == "currency" } }
}

enum SnapshotTables {
    typealias C = SnapshotColumn

    static let inChannel = "(:channel IS NULL OR channel_id = :channel)"

    static let all: [SnapshotTable] = [
        SnapshotTable(name: "settings", orderBy: "key", columns: [C("key"), C("value")], redacted: [],
                      subset: "1"),
        SnapshotTable(name: "channels", orderBy: "id", columns: [C("id"), C("display_name"), C("origin"),
                                                                C("is_free", .integer, sinceFormat: 3, missing: .integer(0))], redacted: [], subset: "1"),
        SnapshotTable(name: "import_runs", orderBy: "id", columns: [
            C("id", .integer), C("source"), C("format"), C("file_name"), C("file_sha256"), C("file_bytes", .integer),
            C("started_at", .timestamp), C("finished_at", .timestamp), C("rows_read", .integer), C("rows_inserted", .integer),
            C("rows_updated", .integer), C("rows_unchanged", .integer), C("rows_rejected", .integer),
        ], redacted: [], subset: "1"),
        SnapshotTable(name: "exchange_rates", orderBy: "id", columns: [
            C("id", .integer), C("day", .date), C("currency"), C("target"), C("rate", .real), C("import_run_id", .integer),
        ], redacted: [], subset: "1"),
        SnapshotTable(name: "campaigns", orderBy: "id", columns: [C("id", .integer), C("channel_id"), C("key"), C("name"), C("external_id")],
                      redacted: [], subset: """
                        id IN (SELECT campaign_id FROM touchpoints WHERE id IN snap_touch
                               UNION SELECT campaign_id FROM costs WHERE \(inChannel) AND day BETWEEN :first_day AND :last_day
                               UNION SELECT campaign_id FROM channel_metrics WHERE \(inChannel) AND day BETWEEN :first_day AND :last_day)
                        """),
        SnapshotTable(name: "lead_keys", orderBy: "key", columns: [C("key"), C("lead_id", .integer)], redacted: [],
                      subset: "lead_id IN snap_lead"),
        SnapshotTable(name: "leads", orderBy: "id", columns: [
            C("id", .integer), C("created_at", .timestamp), C("email_hash"), C("phone_hash"), C("country"), C("region"), C("age_band"),
            C("gender"), C("income_band"), C("industry"), C("company_size"), C("interests"), C("source_label"), C("import_run_id", .integer),
        ], redacted: ["email_hash", "phone_hash"], subset: "id IN snap_lead"),
        // In the touch store's key order (time, lead, kind, channel), as the view reads it: no sort.
        // Format 1 had no `click_ids`: its landing pages still hold them. Format 3 added the
        // costs' and metrics' `source_key`: older snapshots' rows take their run's format.
        SnapshotTable(name: "touchpoints", orderBy: nil, columns: [
            C("id", .integer), C("lead_id", .integer), C("occurred_at", .timestamp), C("channel_id"), C("campaign_id", .integer), C("kind"),
            C("utm_source"), C("utm_medium"), C("utm_campaign"), C("referrer"), C("landing_page"), C("import_run_id", .integer), C("click_ids", sinceFormat: 2),
        ], redacted: [], subset: "id IN snap_touch"),
        SnapshotTable(name: "costs", orderBy: "id", columns: [
            C("id", .integer), C("day", .date), C("channel_id"), C("campaign_id", .integer), C("detail"), C("amount", .decimal, db: "amount_minor"),
            C("currency"), C("import_run_id", .integer), C("source_key", sinceFormat: 3, missing: .text("")),
        ], redacted: [], subset: "\(inChannel) AND day BETWEEN :first_day AND :last_day"),
        SnapshotTable(name: "channel_metrics", orderBy: "id", columns: [
            C("id", .integer), C("day", .date), C("channel_id"), C("campaign_id", .integer), C("metric"), C("detail"), C("value", .real),
            C("import_run_id", .integer), C("source_key", sinceFormat: 3, missing: .text("")),
        ], redacted: [], subset: "\(inChannel) AND day BETWEEN :first_day AND :last_day"),
        SnapshotTable(name: "conversions", orderBy: "id", columns: [
            C("id", .integer), C("lead_id", .integer), C("converted_at", .timestamp), C("revenue", .decimal, db: "revenue_minor"), C("currency"),
            C("external_id"), C("import_run_id", .integer),
        ], redacted: [], subset: "lead_id IN snap_lead AND converted_at >= :start AND converted_at < :end"),
        SnapshotTable(name: "lifecycle_stages", orderBy: "id", columns: [
            C("id", .integer), C("lead_id", .integer), C("stage"), C("changed_at", .timestamp), C("import_run_id", .integer),
        ], redacted: [], subset: "lead_id IN snap_lead AND changed_at >= :start AND changed_at < :end"),
        SnapshotTable(name: "outreach_attempts", orderBy: "id", columns: [
            C("id", .integer), C("lead_id", .integer), C("attempted_at", .timestamp), C("method"), C("responded", .integer), C("import_run_id", .integer),
        ], redacted: [], subset: "lead_id IN snap_lead AND attempted_at >= :start AND attempted_at < :end"),
        SnapshotTable(name: "rejects", orderBy: "id", columns: [
            C("id", .integer), C("import_run_id", .integer), C("file_name"), C("line", .integer), C("column_number", .integer), C("column_name"),
            C("reason"), C("raw_row"),
        ], redacted: ["raw_row"], subset: "0"),
    ]

    static func named(_ name: String) -> SnapshotTable? { all.first { $0.name == name } }
}
