import Dispatch

/// Work started on another thread now, its result collected later with ``wait()``: the caller
/// goes on with its own share in the meantime.
///
/// ```swift
/// let upper = BackgroundTask { try sum(of: secondHalf) }
/// let lower = try sum(of: firstHalf)
/// let total = lower + (try upper.wait())
/// ```
public final class BackgroundTask<T: Sendable>: @unchecked Sendable {
    private let group = DispatchGroup()
    private var result: Result<T, any Error>?

    public init(_ body: @escaping @Sendable () throws -> T) {
        group.enter()
        DispatchQueue.global().async { [self] in
            result = Result { try body() }
            group.leave()
        }
    }

    /// The body's result or error, once it has finished.
    public func wait() throws -> T {
        group.wait()
        return try result!.get()
    }
}

/// Starts `body` on another thread at once. For the long-lived producer side of a ``Handoff``.
public func startThread(_ body: @escaping @Sendable () -> Void) {
    DispatchQueue.global().async(execute: body)
}

/// Hands a value that is not `Sendable` to one other thread, which alone uses it from then on.
public struct UncheckedBox<T>: @unchecked Sendable {
    public let value: T
    public init(_ value: T) { self.value = value }
}
