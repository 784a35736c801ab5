import ChannelKit
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// # Warehouse — the one SQLite file every channel feeds
///
/// A warehouse is a single SQLite database (default `./leadledger.sqlite`) created and
/// upgraded by versioned ``Migrations``: first the core schema (`core.*`), then each channel
/// plugin's own steps (`<channel id>.<step id>`). It runs in WAL mode with foreign keys on.
///
/// ```swift
/// let warehouse = try Warehouse(path: "leadledger.sqlite", channels: ChannelRegistry.all)
/// let sink = try warehouse.beginImport(.file(source: "touches", format: "web-touches", fileName: "t.csv"), bytes: size)
/// _ = try sink.touches.insert(…)
/// try sink.commit(counts, sha256: sha, bytes: size)
/// ```
///
/// Conventions of the schema (see `CoreSchema.swift`): times are UTC seconds since the
/// epoch, days are `YYYY-MM-DD`, money is integer minor units with an ISO 4217 currency,
/// natural keys are unique so that re-imports cannot double-count, and personal identifiers
/// are stored only as salted SHA-256 hashes (the salt is per warehouse, in `settings`).
///
/// Every import writes through an ``ImportSink`` (one transaction, prepared statements reused
/// per row, derived rows kept up to date); reading
/// is plain parameterised SQL through ``Database``, next to the code that needs it.
public final class Warehouse {
    public static let defaultPath = "leadledger.sqlite"

    public let db: Database
    public var path: String { db.path }
    /// Imports of this many bytes or more take the large route (``ImportSink``).
    public var largeImportBytes: Int64 = 16 << 20

    /// Opens the warehouse at `path`, creating or upgrading it, and registers `channels`.
    /// `upgrading` is told the schema steps about to be applied to an existing warehouse.
    ///
    /// Only a new or empty file becomes a warehouse: an SQLite database holding anything but a
    /// LeadLedger warehouse is refused before a byte of it changes
    /// (``WarehouseError/notAWarehouse(path:)``). With `mustExist` (every command that only
    /// reads), a missing or empty file is ``WarehouseError/missing(path:)`` instead of a new
    /// empty warehouse.
    public init(path: String, channels: [any ChannelPlugin], mustExist: Bool = false, upgrading: (([String]) -> Void)? = nil) throws {
        let db = try Database(path: path, create: !mustExist)
        self.db = db
        switch try Warehouse.contents(of: db) {
        case .ours: break
        case .nothing: if mustExist { throw WarehouseError.missing(path: path) }
        case .foreign: throw WarehouseError.notAWarehouse(path: path)
        }
        do {
            try Warehouse.switchToWAL(db)
            // A 128 MiB page cache: imports touch indexes in random order, and a small cache
            // turns every index probe into a read from the OS.
            try db.execute("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA cache_size = -131072;")
        } catch .busy {
            throw WarehouseError.busy(path: path)
        } catch {
            throw WarehouseError.notAWarehouse(path: path)
        }
        try TouchStore.defineFunctions(on: db)
        try Warehouse.migrations(for: channels).migrate(db, upgrading: upgrading)
        try db.transaction {
            for channel in channels {
                try db.run("""
                    INSERT INTO channels (id, display_name, origin) VALUES (?, ?, 'plugin')
                    ON CONFLICT (id) DO UPDATE SET display_name = excluded.display_name
                    WHERE display_name <> excluded.display_name
                    """, [.text(channel.id), .text(channel.displayName)])
            }
            // Derived rows a migration asked for (the migration's SQL cannot pack them).
            if try db.scalarText("SELECT value FROM settings WHERE key = ?", [.text(LeadJourneys.rebuildSetting)]) != nil {
                try LeadJourneys.rebuild(db, leads: nil)
                try db.run("DELETE FROM settings WHERE key = ?", [.text(LeadJourneys.rebuildSetting)])
            }
            if try db.scalarText("SELECT value FROM settings WHERE key = 'identifier_salt'") == nil {
                var rng = SystemRandomNumberGenerator()
                let salt = (0..<4).map { _ in String(rng.next() as UInt64, radix: 16) }.joined(separator: "-")
                try db.run("INSERT INTO settings (key, value) VALUES ('identifier_salt', ?)", [.text(salt)])
            }
        }
    }

    /// Puts the file in WAL mode, waiting up to the busy timeout (5 s) for a large import that
    /// runs with a rollback journal (``withRollbackJournal(_:)``) to commit. SQLite does not call
    /// the busy handler for this switch (it could deadlock), so it would fail at once: the wait
    /// is done here.
    private static func switchToWAL(_ db: Database) throws(WarehouseError) {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: .seconds(5))
        while true {
            do {
                try db.execute("PRAGMA journal_mode = WAL")
                return
            } catch .busy where clock.now < deadline {
                usleep(50_000)
            }
        }
    }

    private enum Contents { case nothing, ours, foreign }

    /// What the file holds, read without writing: no schema at all, LeadLedger's (its core
    /// migrations recorded), or something else.
    private static func contents(of db: Database) throws(WarehouseError) -> Contents {
        do {
            guard try db.scalarInt("SELECT count(*) FROM sqlite_schema") ?? 0 > 0 else { return .nothing }
            guard try db.scalarInt("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'") != nil,
                  try db.scalarInt("SELECT 1 FROM schema_migrations WHERE id LIKE 'core.%' LIMIT 1") != nil else { return .foreign }
            return .ours
        } catch .busy {
            throw WarehouseError.busy(path: db.path)
        } catch {
            throw WarehouseError.notAWarehouse(path: db.path)
        }
    }

    /// Runs `body` — one write transaction of the caller's — with a ``RollbackJournal`` when
    /// nothing else has the warehouse open, then puts the WAL back.
    func withRollbackJournal<T>(_ body: () throws -> T) throws -> T {
        let journal = RollbackJournal(switching: db)
        defer { journal?.restore(db) }
        return try body()
    }

    /// The core schema followed by every channel's own migrations.
    public static func migrations(for channels: [any ChannelPlugin]) -> Migrations {
        var migrations = Migrations()
        CoreSchema.register(into: &migrations)
        for channel in channels {
            for step in channel.migrations { migrations.register("\(channel.id).\(step.id)", sql: step.sql) }
        }
        return migrations
    }

    /// The per-warehouse salt mixed into identifier hashes.
    public func identifierSalt() throws -> String {
        try db.scalarText("SELECT value FROM settings WHERE key = 'identifier_salt'") ?? ""
    }

    /// Records what created the warehouse (`settings.created_by`), such as the demo, which
    /// deletes only a file it created.
    public func record(createdBy creator: String) throws {
        try db.run("INSERT INTO settings (key, value) VALUES ('created_by', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    [.text(creator)])
    }

    /// What created the warehouse behind `db`, if recorded; read without opening it as a warehouse.
    public static func creator(of db: Database) throws -> String? {
        try db.scalarText("SELECT value FROM settings WHERE key = 'created_by'")
    }

    /// Ids of the migrations applied so far, in order.
    public func appliedMigrations() throws -> [String] {
        var ids: [String] = []
        try db.query("SELECT id FROM schema_migrations ORDER BY rowid") { ids.append($0.text(0) ?? "") }
        return ids
    }

    /// Recomputes every row derived from the imported facts — after a snapshot import, say;
    /// import runs keep them up to date as they go (``ImportSink``): each lead's
    /// ``LeadFirsts`` row with its milestones (`stage_*_at`, `first_converted_at`), every row of
    /// ``LeadJourneys``, then from those the first touch (`first_channel`, `first_campaign_id`,
    /// `first_touch_at`: the earliest touchpoint, the first imported on a tie).
    public func refreshDerivedLeadColumns() throws { try Self.refreshDerivedLeadColumns(db) }

    static func refreshDerivedLeadColumns(_ db: Database) throws {
        try db.execute(LeadFirsts.refreshSQL)
        try LeadJourneys.rebuild(db, leads: nil)
        // A lead's first touch is the first of its packed touches, which are in (time, id) order:
        // touchpoints have no index by lead to find it with.
        let update = try LeadFirsts.prepareFirstTouchUpdate(db)
        try LeadJourneys.read(db) { row in
            var touches = row.touches
            guard touches.next() else { return }
            update.reset()
            try update.bind(row.lead, at: 1)
            try update.bind(String(decoding: touches.channel, as: UTF8.self), at: 2)
            try update.bind(touches.campaignID, at: 3)
            try update.bind(touches.at, at: 4)
            try update.step()
        }
    }

    /// Row counts of the main tables, for summaries and tests.
    public func rowCounts() throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for table in Warehouse.factTables {
            counts[table] = Int(try db.scalarInt("SELECT count(*) FROM \(table)") ?? 0)
        }
        return counts
    }

    /// Tables holding imported facts (names are constants, never user text).
    public static let factTables = [
        "campaigns", "leads", "lead_keys", "touchpoints", "costs", "channel_metrics", "conversions",
        "lifecycle_stages", "outreach_attempts", "import_runs", "rejects",
    ]
}
