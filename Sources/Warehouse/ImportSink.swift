import ChannelKit
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the parts of one import share: the connection, the run it records, the run stamped on
/// the rows it writes, and the derived rows to bring up to date.
final class ImportScope {
    let db: Database
    /// The import run this sink records (nil for a snapshot, whose rows keep their own runs):
    /// a fact this run already wrote is a key given twice by one file.
    let runID: Int64?
    /// The `import_run_id` written on new and restated rows.
    var stamp: Int64
    let derived = DerivedRowTracker()

    init(db: Database, runID: Int64?) {
        self.db = db
        self.runID = runID
        self.stamp = runID ?? 0
    }
}

/// One import into the warehouse, from start to end: the only way rows get in.
///
/// The sink owns the transaction (one per file or snapshot: a killed import leaves the
/// warehouse as it was), the journal and foreign-key policy, the `import_runs` row, lead
/// lookup and merge (``leads``), touch and fact writes (``touches``, ``facts``), campaign ids
/// (``campaigns``), rejects, and the derived per-lead rows it brings up to date when it commits.
/// Ingest reads, parses and classifies; snapshots stream tables; both hand rows here.
///
/// ```swift
/// let sink = try warehouse.beginImport(.file(source: "leads", format: "crm-leads", fileName: "leads.csv"), bytes: size)
/// do {
///     let (lead, _) = try sink.leads.upsert(record, emailHash: hash, phoneHash: nil)
///     _ = try sink.touches.insert(TouchRow(leadID: lead, …))
///     try sink.commit(counts, sha256: sha, bytes: size)
/// } catch { sink.rollback(); throw error }
/// ```
///
/// **Large imports** (``Warehouse/largeImportBytes`` and more) are written with a rollback
/// journal instead of the WAL when nothing else has the warehouse open (pages written once, not
/// twice), resolve lead keys and email hashes from maps read once, and — into a warehouse with
/// no lead yet — build the leads' indexes at the end. Why, and what each saves:
/// docs/benchmarks.md ("Large imports").
public final class ImportSink {
    public enum Kind: Sendable, Equatable {
        /// A file of a source, recorded as an import run.
        case file(source: String, format: String, fileName: String)
        /// A snapshot's rows copied as they are, ids kept, into a warehouse without data;
        /// derived rows are rebuilt when it commits.
        case snapshotRestore
        /// A snapshot's rows joined to the warehouse's under the file imports' rules, ids renumbered.
        case snapshotMerge
    }

    public let kind: Kind
    /// Whether the import takes the large route (see the type's documentation).
    public let isLarge: Bool
    public let leads: LeadIdentity
    public let touches: TouchWriter
    public let facts: FactWriter
    public let campaigns: CampaignDirectory
    let scope: ImportScope
    private var db: Database { scope.db }
    private let journal: RollbackJournal?
    private var isOpen = true
    private lazy var rejectStatement = Result {
        try db.prepare("""
            INSERT INTO rejects (import_run_id, file_name, line, column_number, column_name, reason, raw_row)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
            """)
    }

    /// The import run this sink records (nil for a snapshot).
    public var runID: Int64? { scope.runID }

    init(warehouse: Warehouse, kind: Kind, bytes: Int64, startedAt: Int64) throws {
        let db = warehouse.db
        self.kind = kind
        isLarge = bytes >= warehouse.largeImportBytes
        journal = isLarge ? RollbackJournal(switching: db) : nil
        var began = false
        do {
            // A file's ids all come from a lookup or an insert in this transaction, so SQLite's
            // per-row foreign-key checks are off for it (the tests run `PRAGMA foreign_key_check`
            // after every kind of import); a snapshot's rows name ids of their own, checked at commit.
            if case .file = kind { try db.execute("PRAGMA foreign_keys = OFF") }
            try db.execute("BEGIN IMMEDIATE")
            began = true
            if case .file = kind {} else { try db.execute("PRAGMA defer_foreign_keys = ON") }
            var runID: Int64?
            if case .file(let source, let format, let fileName) = kind {
                try db.run("""
                    INSERT INTO import_runs (source, format, file_name, file_sha256, file_bytes, started_at, finished_at,
                                             rows_read, rows_inserted, rows_updated, rows_unchanged, rows_rejected)
                    VALUES (?, ?, ?, ?, 0, ?, ?, 0, 0, 0, 0, 0)
                    """, [.text(source), .text(format), .text(fileName), .text(String(repeating: "0", count: 64)), .integer(startedAt), .integer(startedAt)])
                runID = db.lastInsertedRowID
            }
            scope = ImportScope(db: db, runID: runID)
            campaigns = try CampaignDirectory(db)
            leads = try LeadIdentity(scope)
            touches = try TouchWriter(scope)
            facts = try FactWriter(scope, campaigns: campaigns)
            if isLarge && kind != .snapshotRestore {
                try leads.resolveFromMemory()
                try leads.deferIndexes()
            }
        } catch {
            if began { try? db.execute("ROLLBACK") }
            if case .file = kind { try? db.execute("PRAGMA foreign_keys = ON") }
            journal?.restore(db)
            throw error
        }
    }

    deinit { rollback() }

    /// Keeps a refused row with where it was and why (the reason and the row without personal values).
    public func reject(fileName: String, line: Int, column: Int?, columnName: String?, reason: String, rawRow: String) throws {
        let s = try rejectStatement.get()
        s.reset()
        try s.bind(scope.stamp, at: 1)
        try s.bind(fileName, at: 2)
        try s.bind(Int64(line), at: 3)
        try s.bind(column.map(Int64.init), at: 4)
        try s.bind(columnName, at: 5)
        try s.bind(reason, at: 6)
        try s.bind(rawRow, at: 7)
        try s.step()
    }

    /// An import of the same source with this checksum before this one, if any: the same file
    /// again, found once it is read (a file of a size seen before is checked before it is read).
    public func previousImport(sha256: String) throws -> (id: Int64, at: Timestamp)? {
        guard case .file(let source, _, _) = kind, let runID = scope.runID else { return nil }
        return try Warehouse.previousImport(db, source: source, sha256: sha256, before: runID)
    }

    /// Writes the file's checksum and size and the run's final counts, builds the leads'
    /// indexes if the run deferred them, brings the derived rows of every lead the run changed
    /// up to date, and commits. On failure everything is rolled back.
    public func commit(_ counts: ImportCounts, sha256: String, bytes: Int64, finishedAt: Int64) throws {
        try finishing {
            if let runID = scope.runID {
                try db.run("""
                    UPDATE import_runs SET file_sha256 = ?, file_bytes = ?, finished_at = ?, rows_read = ?, rows_inserted = ?,
                        rows_updated = ?, rows_unchanged = ?, rows_rejected = ?
                    WHERE id = ?
                    """, [.text(sha256), .integer(bytes), .integer(finishedAt), .integer(Int64(counts.read)), .integer(Int64(counts.inserted)),
                          .integer(Int64(counts.updated)), .integer(Int64(counts.unchanged)), .integer(Int64(counts.rejected)), .integer(runID)])
            }
        }
    }

    /// Commits a snapshot's rows: derived rows rebuilt (a restore) or brought up to date (a merge).
    public func commit() throws { try finishing {} }

    private func finishing(_ body: () throws -> Void) throws {
        precondition(isOpen, "an import commits once")
        do {
            try leads.buildDeferredIndexes()
            try touches.saveNextID()
            if kind == .snapshotRestore {
                try Warehouse.refreshDerivedLeadColumns(db)
                // A snapshot older than the facts' `source_key` (format 3): as migration core.15 does.
                for table in ["costs", "channel_metrics"] {
                    try db.run("""
                        UPDATE \(table) SET source_key = ifnull((SELECT format FROM import_runs r WHERE r.id = \(table).import_run_id), '')
                        WHERE source_key = ''
                        """)
                }
            } else {
                try scope.derived.apply(db)
            }
            try body()
            try db.execute("COMMIT")
        } catch {
            rollback()
            throw error
        }
        end()
    }

    /// Undoes everything the import wrote. Nothing happens after a commit or a rollback.
    public func rollback() {
        guard isOpen else { return }
        try? db.execute("ROLLBACK")
        end()
    }

    private func end() {
        isOpen = false
        if case .file = kind { try? db.execute("PRAGMA foreign_keys = ON") }
        journal?.restore(db)
    }

    // MARK: Snapshots

    /// Writes the rows that follow with `run` as their import run (a merged snapshot's rows keep
    /// the run they came from, renumbered).
    public func stampRows(withRun run: Int64) { scope.stamp = run }

    /// The warehouse's run for a snapshot's import run: the same run if the warehouse has it
    /// (same source, checksum and start), else a copy. `values` are the run's columns after its
    /// id, in table order. Returns its id here and whether it was added.
    public func adoptRun(_ values: [SQLValue]) throws -> (id: Int64, added: Bool) {
        precondition(values.count == 12, "an import run has 12 columns after its id")
        if let existing = try db.scalarInt("SELECT id FROM import_runs WHERE source = ? AND file_sha256 = ? AND started_at = ?",
                                           [values[0], values[3], values[5]]) {
            return (existing, false)
        }
        try db.run("""
            INSERT INTO import_runs (source, format, file_name, file_sha256, file_bytes, started_at, finished_at, rows_read, rows_inserted,
                                     rows_updated, rows_unchanged, rows_rejected) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, values)
        return (db.lastInsertedRowID, true)
    }

    /// Adds a channel a snapshot names if the warehouse lacks it. Returns whether it did.
    public func addChannel(id: SQLValue, displayName: SQLValue, origin: SQLValue) throws -> Bool {
        try db.run("INSERT INTO channels (id, display_name, origin) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING", [id, displayName, origin])
        return db.changes > 0
    }

    /// A statement that copies rows of `table` as they are (ids kept), for a restore: `columns`
    /// are bound in order. Settings already present take the snapshot's value; channels already
    /// present are kept.
    public func rowCopier(table: String, columns: [String]) throws -> RowCopier {
        precondition(kind == .snapshotRestore, "rows are copied as they are only into a warehouse without data")
        let conflict = switch table {
        case "settings": " ON CONFLICT (key) DO UPDATE SET value = excluded.value"
        case "channels": " ON CONFLICT (id) DO NOTHING"
        default: ""
        }
        let sql = "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES (\(columns.indices.map { "?\($0 + 1)" }.joined(separator: ", ")))\(conflict)"
        return RowCopier(db: db, statement: try db.prepare(sql))
    }
}

/// Copies rows of one table as they are (``ImportSink/rowCopier(table:columns:)``).
public struct RowCopier {
    let db: Database
    let statement: Statement

    /// Writes one row; whether it was added (a channel already present is not).
    public func copy(_ values: [SQLValue]) throws -> Bool {
        statement.reset()
        try statement.bind(values)
        try statement.step()
        return db.changes > 0
    }
}

extension Warehouse {
    /// Starts an import of `bytes` bytes (what decides the large route). Commit or roll it back.
    public func beginImport(_ kind: ImportSink.Kind, bytes: Int64, startedAt: Int64 = Int64(time(nil))) throws -> ImportSink {
        try ImportSink(warehouse: self, kind: kind, bytes: bytes, startedAt: startedAt)
    }

    /// The first import of `source` with this checksum, if any: the same file imported before.
    public func previousImport(source: String, sha256: String) throws -> (id: Int64, at: Timestamp)? {
        try Self.previousImport(db, source: source, sha256: sha256, before: .max)
    }

    /// Whether a file of `source` with this size was imported before (only then can a file be
    /// the same one, and is worth hashing before it is read).
    public func hasImport(source: String, bytes: Int64) throws -> Bool {
        try db.scalarInt("SELECT 1 FROM import_runs WHERE source = ? AND file_bytes = ? LIMIT 1", [.text(source), .integer(bytes)]) != nil
    }

    static func previousImport(_ db: Database, source: String, sha256: String, before runID: Int64) throws -> (id: Int64, at: Timestamp)? {
        var result: (Int64, Timestamp)?
        try db.query("SELECT id, finished_at FROM import_runs WHERE source = ? AND file_sha256 = ? AND id < ? ORDER BY id LIMIT 1",
                     [.text(source), .text(sha256), .integer(runID)]) {
            result = ($0.int(0), Timestamp(secondsSinceEpoch: $0.int(1)))
        }
        return result
    }
}
