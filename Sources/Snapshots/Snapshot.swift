/// # Snapshots — compressed, verifiable copies of the warehouse for other tools
///
/// `leadledger snapshot export DIR` writes one gzip-compressed CSV per table
/// (`<table>.csv.gz`: RFC 4180, UTF-8, header row, ISO 8601 UTC times, money as decimal strings
/// beside a `currency` column) and a `manifest.json` with the format version, the warehouse
/// schema, per-table columns and types, row counts, byte counts and the SHA-256 of each
/// uncompressed CSV. `gunzip`, pandas, DuckDB or Spark read the tables without LeadLedger.
/// With `--archive` the same directory is packed into one uncompressed `.tar`, manifest first.
///
/// Exports stream table by table (memory stays flat) and are deterministic: rows in
/// primary-key order, a gzip header without name or time, a manifest with sorted keys and the
/// newest import's time. `verify` re-reads every table, checking gzip integrity, row counts,
/// sizes and checksums. `import` restores into a new or empty warehouse (or merges with the
/// same idempotent rules as file imports), verifying as it streams, in one transaction: a
/// damaged snapshot is refused and the warehouse is left as it was. Format:
/// `docs/snapshots.md`.
import ChannelKit
import Foundation
import Ingest
import Warehouse

public struct SnapshotOptions: Sendable {
    public var tables: [String]?
    public var from: Day?
    public var to: Day?
    public var channel: String?
    public var level: Int = 6
    public var redact = false
    public var archive = false

    public init() {}

    var isSubset: Bool { from != nil || to != nil || channel != nil }
}

public enum Snapshot {
    // MARK: Export

    /// Writes a snapshot of `warehouse` at `path` (a directory, or a `.tar` with `archive`).
    @discardableResult
    public static func export(_ warehouse: Warehouse, to path: String, options: SnapshotOptions, version: String) throws -> Manifest {
        guard (1...9).contains(options.level) else { throw SnapshotError.invalid("--level takes 1 (fastest) to 9 (smallest)") }
        let tables = try chosenTables(options.tables)
        let fm = FileManager.default
        guard !fm.fileExists(atPath: path) || (!options.archive && (try? fm.contentsOfDirectory(atPath: path))?.isEmpty == true) else {
            throw SnapshotError.invalid("\(path) already exists; snapshots are written to a new \(options.archive ? "file" : "directory")")
        }
        let dir = options.archive ? path + ".partial" : path
        try? fm.removeItem(atPath: dir)
        try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
        // A failed export (a full disk, say) leaves nothing behind: no partial snapshot to be
        // mistaken for one.
        do {
            return try writeSnapshot(warehouse, tables: tables, to: path, dir: dir, options: options, version: version)
        } catch {
            try? fm.removeItem(atPath: dir)
            if options.archive { try? fm.removeItem(atPath: path) }
            throw error
        }
    }

    private static func writeSnapshot(_ warehouse: Warehouse, tables: [SnapshotTable], to path: String, dir: String, options: SnapshotOptions,
                                      version: String) throws -> Manifest {
        let fm = FileManager.default
        let db = warehouse.db
        let arguments = subsetArguments(options)
        if options.isSubset { try createSubset(db, arguments) }
        defer { if options.isSubset { try? db.execute("DROP TABLE IF EXISTS temp.snap_touch; DROP TABLE IF EXISTS temp.snap_lead;") } }

        var entries: [Manifest.Table] = []
        for table in tables {
            entries.append(try exportTable(table, db: db, dir: dir, options: options, arguments: arguments))
        }
        let migrations = try warehouse.appliedMigrations()
        let newest = try db.scalarInt("SELECT max(finished_at) FROM import_runs") ?? 0
        let manifest = Manifest(
            format: "leadledger-snapshot", formatVersion: Manifest.currentFormatVersion, schemaVersion: migrations.last ?? "",
            migrations: migrations, leadledgerVersion: version, createdAt: Timestamp(secondsSinceEpoch: newest).description,
            filters: .init(tables: options.tables, from: options.from?.description, to: options.to?.description, channel: options.channel,
                           redacted: options.redact, level: options.level),
            tables: entries)
        try manifest.encoded().write(to: URL(fileURLWithPath: dir + "/manifest.json"))
        if options.archive {
            let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            guard fd >= 0 else { throw SnapshotError.io("cannot write \(path)") }
            defer { close(fd) }
            try Tar.append(file: dir + "/manifest.json", as: name + "/manifest.json", to: fd)
            for t in entries { try Tar.append(file: dir + "/" + t.file, as: name + "/" + t.file, to: fd) }
            try Tar.finish(fd)
            try fm.removeItem(atPath: dir)
        }
        return manifest
    }

    static func chosenTables(_ names: [String]?) throws(SnapshotError) -> [SnapshotTable] {
        guard let names else { return SnapshotTables.all }
        for n in names where SnapshotTables.named(n) == nil {
            throw SnapshotError.invalid("no table \"\(n)\"; expected some of: \(SnapshotTables.all.map(\.name).joined(separator: ", "))")
        }
        return SnapshotTables.all.filter { names.contains($0.name) }
    }

    static func subsetArguments(_ o: SnapshotOptions) -> [String: SQLValue] {
        ["channel": SQLValue(o.channel), "start": .integer(o.from?.start.secondsSinceEpoch ?? Int64.min),
         "end": .integer(o.to?.adding(days: 1).start.secondsSinceEpoch ?? Int64.max),
         "first_day": .text(o.from?.description ?? "0000-01-01"), "last_day": .text(o.to?.description ?? "9999-12-31")]
    }

    /// The consistent subset: the touchpoints of the channel and range, the leads they belong
    /// to (and, without a channel, the leads created in the range).
    static func createSubset(_ db: Database, _ arguments: [String: SQLValue]) throws {
        try db.execute("DROP TABLE IF EXISTS temp.snap_touch; DROP TABLE IF EXISTS temp.snap_lead;")
        try db.run("""
            CREATE TEMP TABLE snap_touch AS SELECT id FROM touchpoints
            WHERE (:channel IS NULL OR channel_id = :channel) AND occurred_at >= :start AND occurred_at < :end
            """, named: arguments)
        try db.run("""
            CREATE TEMP TABLE snap_lead AS
            SELECT lead_id AS id FROM touchpoints WHERE id IN snap_touch
            UNION SELECT id FROM leads WHERE :channel IS NULL AND created_at >= :start AND created_at < :end
            """, named: arguments)
    }

    static func exportTable(_ table: SnapshotTable, db: Database, dir: String, options: SnapshotOptions, arguments: [String: SQLValue]) throws -> Manifest.Table {
        let writer = try GzipWriter(path: dir + "/" + table.file, level: Int32(options.level))
        writer.write(table.columns.map(\.name).joined(separator: ",") + "\r\n")
        var sql = "SELECT " + table.columns.map(\.dbColumn).joined(separator: ", ") + " FROM \(table.name)"
        var where_: [String] = []
        if options.isSubset { where_.append("(\(table.subset))") }
        if options.redact && table.name == "settings" { where_.append("key <> 'identifier_salt'") }
        if !where_.isEmpty { sql += " WHERE " + where_.joined(separator: " AND ") }
        if let orderBy = table.orderBy { sql += " ORDER BY \(orderBy)" }
        let currencyIndex = table.currencyIndex.map(Int32.init)
        var rows = 0
        var out = CSVBytes()
        try db.query(sql, named: options.isSubset ? arguments : [:]) { s in
            for (i, column) in table.columns.enumerated() {
                if i > 0 { out.byte(44) }
                let c = Int32(i)
                if options.redact && table.redacted.contains(column.name) {
                    // A hash becomes no value; a required text (a reject's row) says it was redacted.
                    if column.name == "raw_row" { out.string("[redacted]") }
                    continue
                }
                if s.isNull(c) { continue }
                switch column.kind {
                case .integer: out.integer(s.int(c))
                case .real: out.string(String(s.double(c)))
                case .timestamp: out.timestamp(s.int(c))
                case .date, .text: s.withTextBytes(c) { out.text($0) }
                case .decimal:
                    let currency = currencyIndex.flatMap { s.text($0) }.flatMap { Currency($0) }
                    out.string(currency?.decimalString(minorUnits: s.int(c)) ?? String(s.int(c)))
                }
            }
            out.endLine()
            rows += 1
            if out.isFull { writer.submit(&out.bytes) }
        }
        writer.submit(&out.bytes)
        let (sha, uncompressed, compressed) = try writer.finish()
        return Manifest.Table(name: table.name, file: table.file, columns: table.columns.map { .init(name: $0.name, type: $0.kind.rawValue) },
                              rows: rows, uncompressedBytes: uncompressed, compressedBytes: compressed, sha256: sha)
    }
}
