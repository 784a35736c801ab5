import CSQLite

/// A thin connection to one SQLite database file over the C API. Only this module talks to
/// SQLite directly; everything else goes through ``Database`` and ``Statement``.
///
/// Statements are prepared once and reused (reset, bind, step): that is what makes bulk
/// inserts fast. Values are always bound, never pasted into SQL text.
public final class Database {
    let handle: OpaquePointer
    public let path: String
    private var cache: [String: Statement] = [:]

    /// Opens the database at `path`, creating it when `create` says so (else a missing file is
    /// ``WarehouseError/missing(path:)``). Use `":memory:"` for a private in-memory database.
    public init(path: String, create: Bool = true) throws(WarehouseError) {
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        if rc & 0xff == SQLITE_CANTOPEN, !create {
            if let db { sqlite3_close_v2(db) }
            throw WarehouseError.missing(path: path)
        }
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            if let db { sqlite3_close_v2(db) }
            throw WarehouseError.cannotOpen(path: path, reason: message)
        }
        self.handle = db
        self.path = path
        sqlite3_busy_timeout(db, 5_000)
        sqlite3_extended_result_codes(db, 1)
    }

    deinit {
        cache.removeAll()
        sqlite3_close_v2(handle)
    }

    /// Runs one or more statements that take no parameters (DDL, pragmas, BEGIN/COMMIT).
    public func execute(_ sql: String) throws(WarehouseError) {
        var error: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &error)
        if rc != SQLITE_OK {
            let message = error.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(error)
            throw self.error(rc, message, sql: sql)
        }
    }

    /// A new prepared statement owned by the caller.
    public func prepare(_ sql: String) throws(WarehouseError) -> Statement {
        var stmt: OpaquePointer?
        let rc = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &stmt, nil)
        guard rc == SQLITE_OK, let stmt else { throw error(rc, lastErrorMessage, sql: sql) }
        return Statement(database: self, handle: stmt, sql: sql)
    }

    /// A prepared statement from this connection's cache, reset and with bindings cleared.
    public func cached(_ sql: String) throws(WarehouseError) -> Statement {
        if let statement = cache[sql] {
            statement.reset()
            return statement
        }
        let statement = try prepare(sql)
        cache[sql] = statement
        return statement
    }

    /// Runs `sql` with `arguments` bound and calls `row` for every result row.
    public func query(_ sql: String, _ arguments: [SQLValue] = [], row: (Statement) throws -> Void) throws {
        let statement = try cached(sql)
        defer { statement.reset() }
        try statement.bind(arguments)
        while try statement.step() { try row(statement) }
    }

    /// Runs `sql` with named parameters (`:name`) bound — those the statement uses — and calls
    /// `row` for every result row.
    public func query(_ sql: String, named arguments: [String: SQLValue], row: (Statement) throws -> Void) throws {
        let statement = try cached(sql)
        defer { statement.reset() }
        try statement.bind(named: arguments)
        while try statement.step() { try row(statement) }
    }

    /// Runs a statement with named parameters and no result rows.
    public func run(_ sql: String, named arguments: [String: SQLValue]) throws {
        try query(sql, named: arguments) { _ in }
    }

    /// Runs a statement with arguments and no result rows.
    public func run(_ sql: String, _ arguments: [SQLValue] = []) throws(WarehouseError) {
        let statement = try cached(sql)
        defer { statement.reset() }
        try statement.bind(arguments)
        while try statement.step() {}
    }

    /// The first column of the first row, or `nil` when there is no row or it is NULL.
    public func scalarInt(_ sql: String, _ arguments: [SQLValue] = []) throws(WarehouseError) -> Int64? {
        let statement = try cached(sql)
        defer { statement.reset() }
        try statement.bind(arguments)
        guard try statement.step(), !statement.isNull(0) else { return nil }
        return statement.int(0)
    }

    public func scalarText(_ sql: String, _ arguments: [SQLValue] = []) throws(WarehouseError) -> String? {
        let statement = try cached(sql)
        defer { statement.reset() }
        try statement.bind(arguments)
        guard try statement.step() else { return nil }
        return statement.text(0)
    }

    /// Runs `body` inside `BEGIN IMMEDIATE … COMMIT`, rolling back if it throws.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    public var lastInsertedRowID: Int64 { sqlite3_last_insert_rowid(handle) }
    public var changes: Int { Int(sqlite3_changes(handle)) }
    var lastErrorMessage: String { String(cString: sqlite3_errmsg(handle)) }

    /// The error for SQLite's result code `rc`: a lock held too long by another connection is
    /// ``WarehouseError/busy(path:)``, a broken constraint ``WarehouseError/constraint(message:)``.
    func error(_ rc: Int32, _ message: String, sql: String) -> WarehouseError {
        switch rc & 0xff {
        case SQLITE_BUSY: return .busy(path: path)
        case SQLITE_CONSTRAINT: return .constraint(message: message)
        default: return .sql(message: message, sql: sql)
        }
    }
}

/// A value bound to a statement parameter.
public enum SQLValue: Sendable, Equatable {
    case integer(Int64)
    case real(Double)
    case text(String)
    case null
}

extension SQLValue: ExpressibleByIntegerLiteral, ExpressibleByStringLiteral {
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(stringLiteral value: String) { self = .text(value) }
    public init(_ value: String?) { self = value.map { .text($0) } ?? .null }
    public init(_ value: Int64?) { self = value.map { .integer($0) } ?? .null }

    /// The text, if this is text.
    public var textValue: String? { if case .text(let s) = self { s } else { nil } }
    /// The integer, if this is an integer.
    public var integerValue: Int64? { if case .integer(let i) = self { i } else { nil } }
}

/// A prepared statement. Bind parameters (1-based), ``step()`` through the rows, read
/// columns (0-based), then ``reset()`` to run it again.
public final class Statement {
    let handle: OpaquePointer
    unowned let database: Database
    public let sql: String

    init(database: Database, handle: OpaquePointer, sql: String) {
        self.database = database
        self.handle = handle
        self.sql = sql
    }

    deinit { sqlite3_finalize(handle) }

    public func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    public func bind(_ values: [SQLValue]) throws(WarehouseError) {
        for (i, v) in values.enumerated() { try bind(v, at: Int32(i + 1)) }
    }

    /// Binds `:name` parameters; names the statement does not use are ignored.
    public func bind(named values: [String: SQLValue]) throws(WarehouseError) {
        for (name, v) in values {
            let index = sqlite3_bind_parameter_index(handle, ":" + name)
            if index > 0 { try bind(v, at: index) }
        }
    }

    public func bind(_ value: SQLValue, at index: Int32) throws(WarehouseError) {
        switch value {
        case .integer(let v): try bind(v, at: index)
        case .real(let v): try check(sqlite3_bind_double(handle, index, v))
        case .text(let v): try bind(v, at: index)
        case .null: try check(sqlite3_bind_null(handle, index))
        }
    }

    @inline(__always)
    public func bind(_ value: Int64, at index: Int32) throws(WarehouseError) {
        try check(sqlite3_bind_int64(handle, index, value))
    }

    @inline(__always)
    public func bind(_ value: Double, at index: Int32) throws(WarehouseError) {
        try check(sqlite3_bind_double(handle, index, value))
    }

    @inline(__always)
    public func bind(_ value: String?, at index: Int32) throws(WarehouseError) {
        guard var value else { try check(sqlite3_bind_null(handle, index)); return }
        let handle = self.handle
        let rc = value.withUTF8 { buffer -> Int32 in
            guard let base = buffer.baseAddress else { return sqlite3_bind_text(handle, index, "", 0, csqlite_transient()) }
            return base.withMemoryRebound(to: CChar.self, capacity: buffer.count) { p in
                sqlite3_bind_text(handle, index, p, Int32(buffer.count), csqlite_transient())
            }
        }
        try check(rc)
    }

    /// Binds bytes as a BLOB (copied by SQLite).
    public func bind(blob bytes: [UInt8], at index: Int32) throws(WarehouseError) {
        try bind(blob: bytes[...], at: index)
    }

    /// Binds bytes as a BLOB (copied by SQLite).
    public func bind(blob bytes: ArraySlice<UInt8>, at index: Int32) throws(WarehouseError) {
        let handle = self.handle
        // A NULL pointer would bind NULL: an empty blob is a zero-length blob.
        guard !bytes.isEmpty else { try check(sqlite3_bind_zeroblob(handle, index, 0)); return }
        let rc = bytes.withUnsafeBytes { buffer in
            sqlite3_bind_blob(handle, index, buffer.baseAddress, Int32(buffer.count), csqlite_transient())
        }
        try check(rc)
    }

    public func bind(_ value: Int64?, at index: Int32) throws(WarehouseError) {
        if let value { try bind(value, at: index) } else { try check(sqlite3_bind_null(handle, index)) }
    }

    /// Advances to the next row; `false` when the statement is done.
    @discardableResult
    public func step() throws(WarehouseError) -> Bool {
        let rc = sqlite3_step(handle)
        switch rc {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let message = database.lastErrorMessage
            sqlite3_reset(handle)
            throw database.error(rc, message, sql: sql)
        }
    }

    /// The number of columns in a result row.
    public var columnCount: Int32 { sqlite3_column_count(handle) }

    public func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }
    public func int(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }
    public func double(_ column: Int32) -> Double { sqlite3_column_double(handle, column) }
    public func optionalInt(_ column: Int32) -> Int64? { isNull(column) ? nil : int(column) }
    public func optionalDouble(_ column: Int32) -> Double? { isNull(column) ? nil : double(column) }

    /// The column's text as UTF-8 bytes, without making a String (valid only inside `body`).
    public func withTextBytes<T>(_ column: Int32, _ body: (UnsafeBufferPointer<UInt8>) throws -> T) rethrows -> T {
        let p = sqlite3_column_text(handle, column)
        let count = Int(sqlite3_column_bytes(handle, column))
        return try body(UnsafeBufferPointer(start: p, count: p == nil ? 0 : count))
    }

    /// The column's BLOB bytes (empty for NULL or an empty blob; valid only inside `body`).
    public func withBlobBytes<T>(_ column: Int32, _ body: (UnsafeBufferPointer<UInt8>) throws -> T) rethrows -> T {
        let p = sqlite3_column_blob(handle, column)
        let count = Int(sqlite3_column_bytes(handle, column))
        return try body(UnsafeBufferPointer(start: p?.assumingMemoryBound(to: UInt8.self), count: p == nil ? 0 : count))
    }

    public func text(_ column: Int32) -> String? {
        guard let p = sqlite3_column_text(handle, column) else { return nil }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: p, count: count), as: UTF8.self)
    }

    @inline(__always)
    private func check(_ rc: Int32) throws(WarehouseError) {
        if rc != SQLITE_OK { throw WarehouseError.sql(message: database.lastErrorMessage, sql: sql) }
    }
}

/// What can go wrong in the warehouse, worded for people.
public enum WarehouseError: Error, CustomStringConvertible, Equatable {
    case cannotOpen(path: String, reason: String)
    case sql(message: String, sql: String)
    case constraint(message: String)
    case newerSchema(path: String, migration: String)
    case notAWarehouse(path: String)
    /// A command that reads a warehouse was pointed at a file that does not exist, or holds none yet.
    case missing(path: String)
    /// A row that gives a fact the same file already gave (the reason says which): a reject.
    case duplicateInFile(String)
    /// Another connection holds a lock the statement needs, and did not let go within the
    /// busy timeout (5 s).
    case busy(path: String)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason): return "cannot open the warehouse \(path): \(reason)"
        case .sql(let message, _): return "warehouse error: \(message)"
        case .constraint(let message): return "the warehouse refused a value: \(message)"
        case .newerSchema(let path, let migration):
            return "\(path) was written by a newer LeadLedger (it has migration \"\(migration)\" that this version does not know); upgrade LeadLedger"
        case .notAWarehouse(let path):
            return "\(path) is not a LeadLedger warehouse (another application's database, or not an SQLite database at all); it was left untouched"
        case .duplicateInFile(let reason): return reason
        case .missing(let path):
            return "there is no warehouse at \(path); create one with `leadledger init --db \(path)` or by importing a file, or check --db and $LEADLEDGER_DB"
        case .busy(let path):
            return "the warehouse \(path) is locked by another command writing to it (a large import locks it until it commits); run this again when that command has finished"
        }
    }
}
