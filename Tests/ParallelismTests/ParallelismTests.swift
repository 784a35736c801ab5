import Testing
import Dispatch
import Parallelism

@Suite struct HandoffTests {
    /// Items arrive in order, and the producer is never more than the capacity ahead.
    @Test func handsItemsOverInOrderWithAtMostTheCapacityWaiting() {
        let handoff = Handoff<Int>(capacity: 3)
        let pushed = Counter()
        DispatchQueue.global().async {
            for i in 0..<500 {
                guard handoff.push(i) else { return }
                pushed.add()
            }
        }
        var popped: [Int] = []
        for _ in 0..<500 {
            let item = handoff.pop()
            popped.append(item)
            // The producer pushed at most this item, the capacity after it, and one blocked on.
            #expect(pushed.value <= popped.count + 3)
        }
        #expect(popped == Array(0..<500))
    }

    /// A producer waiting for room wakes when the consumer cancels, and stops.
    @Test func cancellingReleasesAWaitingProducer() {
        let handoff = Handoff<[Int]>(capacity: 2)
        let stopped = DispatchSemaphore(value: 0)
        let refused = Counter()
        DispatchQueue.global().async {
            for i in 0..<1_000 where !handoff.push([i]) { refused.add() }
            stopped.signal()
        }
        #expect(handoff.pop() == [0])
        handoff.cancel()
        // A deadlock guard, not a timing assertion: the producer ends long before.
        #expect(stopped.wait(timeout: .now() + 30) == .success)
        #expect(refused.value >= 997)
    }
}

@Suite struct BackgroundTaskTests {
    /// The body runs while the caller does its own share; its result and its error come back.
    @Test func returnsTheResultOrTheError() throws {
        let started = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
        let task = BackgroundTask { () -> Int in
            started.signal()
            release.wait()  // runs on another thread: the caller is not blocked meanwhile
            return 42
        }
        #expect(started.wait(timeout: .now() + 30) == .success)
        release.signal()
        #expect(try task.wait() == 42)
        struct Failure: Error {}
        #expect(throws: Failure.self) { try BackgroundTask { () throws -> Int in throw Failure() }.wait() }
    }
}

private final class Counter: @unchecked Sendable {
    private let lock = DispatchQueue(label: "counter")
    private var count = 0
    func add() { lock.sync { count += 1 } }
    var value: Int { lock.sync { count } }
}