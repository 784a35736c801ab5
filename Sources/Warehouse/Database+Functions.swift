import CSQLite

/// The body of a SQL function defined in Swift: one text argument (`nil` for NULL) in, text
/// (or `nil` for NULL) out.
public typealias SQLTextFunction = @Sendable (String?) -> String?

/// Boxes a Swift closure so SQLite can carry it as the function's user data.
private final class TextFunctionBox {
    let body: SQLTextFunction
    init(_ body: @escaping SQLTextFunction) { self.body = body }
}

extension Database {
    /// Defines (or redefines) the deterministic one-argument SQL function `name` on this
    /// connection, so that SQL can apply a rule that must agree with Swift's (Unicode case
    /// folding, for example: SQLite's `lower()` folds only ASCII).
    ///
    /// ```swift
    /// try db.defineFunction("casefold") { $0?.lowercased() }
    /// try db.query("SELECT id FROM leads WHERE casefold(region) = :r", named: ["r": .text("hà nội")]) { … }
    /// ```
    ///
    /// - Parameters:
    ///   - name: the SQL name; it must not be user text.
    ///   - body: called once per row; it must give the same output for the same input.
    /// - Throws: ``WarehouseError/sql(message:sql:)`` when SQLite refuses the definition.
    public func defineFunction(_ name: String, _ body: @escaping SQLTextFunction) throws(WarehouseError) {
        let box = Unmanaged.passRetained(TextFunctionBox(body)).toOpaque()
        let call: @convention(c) (OpaquePointer?, Int32, UnsafeMutablePointer<OpaquePointer?>?) -> Void = { context, _, values in
            let box = Unmanaged<TextFunctionBox>.fromOpaque(sqlite3_user_data(context)).takeUnretainedValue()
            let argument = values?[0].flatMap { value -> String? in
                guard sqlite3_value_type(value) != SQLITE_NULL, let text = sqlite3_value_text(value) else { return nil }
                return String(cString: text)
            }
            if let result = box.body(argument) {
                sqlite3_result_text(context, result, -1, csqlite_transient())
            } else {
                sqlite3_result_null(context)
            }
        }
        let release: @convention(c) (UnsafeMutableRawPointer?) -> Void = { pointer in
            if let pointer { Unmanaged<TextFunctionBox>.fromOpaque(pointer).release() }
        }
        let flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS
        let rc = sqlite3_create_function_v2(handle, name, 1, flags, box, call, nil, nil, release)
        // On failure SQLite has already called `release` on the box.
        guard rc == SQLITE_OK else { throw error(rc, lastErrorMessage, sql: "function \(name)") }
    }
}
