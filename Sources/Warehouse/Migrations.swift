/// An ordered list of named schema steps, applied once each, each in its own transaction,
/// and recorded in `schema_migrations`. A shipped step is never edited; a change to the
/// schema is a new step at the end. Steps use plain SQL and never depend on app types.
public struct Migrations: Sendable {
    public struct Step: Sendable {
        public let id: String
        public let sql: String
        /// Run with foreign-key enforcement off (a table rebuilt in SQLite's documented twelve
        /// steps: its rows are copied as they are, and a DROP TABLE must not act on them).
        public let foreignKeysOff: Bool
    }

    public private(set) var steps: [Step] = []

    public init() {}

    public mutating func register(_ id: String, sql: String, foreignKeysOff: Bool = false) {
        precondition(!steps.contains { $0.id == id }, "migration \(id) registered twice")
        steps.append(Step(id: id, sql: sql, foreignKeysOff: foreignKeysOff))
    }

    /// Applies the steps `db` has not seen, in order. Returns the ids applied. `upgrading` is
    /// told the ids about to be applied when the file had steps applied before (an upgrade,
    /// which can take a while on a large warehouse — not a new file being created).
    @discardableResult
    public func migrate(_ db: Database, upgrading: (([String]) -> Void)? = nil) throws -> [String] {
        try db.execute("CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at INTEGER NOT NULL) STRICT")
        var applied = Set<String>()
        try db.query("SELECT id FROM schema_migrations") { applied.insert($0.text(0) ?? "") }
        let known = Set(steps.map(\.id))
        if let unknown = applied.subtracting(known).sorted().first, unknown.hasPrefix("core.") {
            throw WarehouseError.newerSchema(path: db.path, migration: unknown)
        }
        let pending = steps.filter { !applied.contains($0.id) }
        if !applied.isEmpty, !pending.isEmpty { upgrading?(pending.map(\.id)) }
        var done: [String] = []
        for step in pending {
            // The setting cannot change inside a transaction: it is switched around it.
            let switchOff = try step.foreignKeysOff && db.scalarInt("PRAGMA foreign_keys") == 1
            if switchOff { try db.execute("PRAGMA foreign_keys = OFF") }
            defer { if switchOff { try? db.execute("PRAGMA foreign_keys = ON") } }
            try db.transaction {
                try db.execute(step.sql)
                try db.run("INSERT INTO schema_migrations (id, applied_at) VALUES (?, unixepoch())", [.text(step.id)])
            }
            done.append(step.id)
        }
        return done
    }
}
