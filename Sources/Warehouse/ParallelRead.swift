import Dispatch

/// Runs `body` on a second connection to the same warehouse file, on another thread, while the
/// caller goes on with its own connection; ``wait()`` returns the result. Readers never block
/// each other in SQLite. An in-memory database has no second connection: `body` then runs on
/// the caller's connection when it waits.
public final class ParallelRead<T: Sendable>: @unchecked Sendable {
    private let group = DispatchGroup()
    private var result: Result<T, any Error>?
    private let fallback: (() throws -> T)?

    public init(_ db: Database, _ body: @escaping @Sendable (Database) throws -> T) {
        let path = db.path
        guard !path.isEmpty, path != ":memory:" else {
            fallback = { try body(db) }
            return
        }
        fallback = nil
        group.enter()
        DispatchQueue.global().async { [self] in
            result = Result { try body(try Database(path: path)) }
            group.leave()
        }
    }

    public func wait() throws -> T {
        if let fallback { return try fallback() }
        group.wait()
        return try result!.get()
    }
}
