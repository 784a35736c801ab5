import Parallelism

/// Runs `body` on a second connection to the same warehouse file, on another thread, while the
/// caller goes on with its own connection; ``wait()`` returns the result. Readers never block
/// each other in SQLite. An in-memory database has no second connection: `body` then runs on
/// the caller's connection when it waits.
public final class ParallelRead<T: Sendable>: Sendable {
    private enum Route: Sendable {
        case background(BackgroundTask<T>)
        case sameConnection(UncheckedBox<() throws -> T>)
    }
    private let route: Route

    public init(_ db: Database, _ body: @escaping @Sendable (Database) throws -> T) {
        let path = db.path
        guard !path.isEmpty, path != ":memory:" else {
            route = .sameConnection(UncheckedBox { try body(db) })
            return
        }
        route = .background(BackgroundTask { try body(try Database(path: path)) })
    }

    public func wait() throws -> T {
        switch route {
        case .background(let task): try task.wait()
        case .sameConnection(let body): try body.value()
        }
    }
}
