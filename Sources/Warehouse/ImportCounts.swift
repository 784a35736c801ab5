import ChannelKit

/// What a write did to the warehouse.
public enum WriteOutcome: Sendable, Equatable {
    /// A new fact.
    case inserted
    /// A fact already present, whose values changed (costs and metrics restated by a newer export).
    case updated
    /// A fact already present, identical: nothing changed.
    case unchanged

    /// The stronger of two outcomes of one row's records: inserted > updated > unchanged.
    public func strongest(_ other: WriteOutcome) -> WriteOutcome {
        self == .inserted || other == .inserted ? .inserted : (self == .updated || other == .updated ? .updated : .unchanged)
    }
}

/// How many rows an import read and what became of them. A row counts once, by the
/// strongest thing that happened to any of its records (inserted > updated > unchanged).
public struct ImportCounts: Sendable, Equatable {
    public var read = 0
    public var inserted = 0
    public var updated = 0
    public var unchanged = 0
    public var rejected = 0
    /// Rows that landed with an amount rounded to its currency's minor unit (not stored with the run).
    public var rounded = 0
    /// The export's total and footer rows, skipped (``SummaryRowRule``); not among `read`, not
    /// stored with the run.
    public var summaryRows = 0

    public init(read: Int = 0, inserted: Int = 0, updated: Int = 0, unchanged: Int = 0, rejected: Int = 0) {
        self.read = read
        self.inserted = inserted
        self.updated = updated
        self.unchanged = unchanged
        self.rejected = rejected
    }

    /// Counts a row by its strongest outcome (``WriteOutcome/strongest(_:)``).
    public mutating func count(_ outcome: WriteOutcome) {
        switch outcome {
        case .inserted: inserted += 1
        case .updated: updated += 1
        case .unchanged: unchanged += 1
        }
    }
}
