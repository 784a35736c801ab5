import Dispatch

/// Items handed from one producing thread to one consuming thread, in order, with at most
/// `capacity` of them waiting: the producer blocks while the consumer is behind, so memory stays
/// flat however much is produced. The consumer ends it early with ``cancel()``; the producer's
/// next ``push(_:)`` then returns `false` and it stops.
public final class Handoff<Item>: @unchecked Sendable {
    private let slots: DispatchSemaphore
    private let filled = DispatchSemaphore(value: 0)
    private let lock = DispatchQueue(label: "leadledger.handoff")
    private var items: [Item] = []
    private var cancelled = false

    public init(capacity: Int) {
        // Made empty and then filled: libdispatch stops the program when a semaphore is let go
        // holding less than it was made with, as `slots` does when the consumer cancels.
        slots = DispatchSemaphore(value: 0)
        for _ in 0..<capacity { slots.signal() }
    }

    /// Queues `item`, waiting for room; `false` (the item dropped) once the consumer cancelled.
    public func push(_ item: consuming Item) -> Bool {
        slots.wait()
        var moving: Item? = consume item
        let queued = lock.sync { () -> Bool in
            guard !cancelled else { return false }
            items.append(moving.take()!)
            return true
        }
        if queued { filled.signal() } else { slots.signal() }  // a cancelled queue stays open to every push
        return queued
    }

    /// The next item, waiting for one. Only the consumer calls it, and not after ``cancel()``.
    public func pop() -> Item {
        filled.wait()
        let item = lock.sync { items.removeFirst() }
        slots.signal()
        return item
    }

    /// Drops what is queued and makes every later ``push(_:)`` return `false` at once.
    public func cancel() {
        let dropped = lock.sync { () -> [Item] in
            cancelled = true
            defer { items = [] }
            return items
        }
        _ = consume dropped
        slots.signal()  // a producer waiting for room wakes and sees the cancel
    }
}
