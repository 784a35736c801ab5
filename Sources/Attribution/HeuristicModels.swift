import Foundation

/// All credit to the first step.
public struct FirstTouchModel: PerJourneyModel {
    public let id = "first"
    public var readsStepTimes: Bool { false }
    public init() {}
    public func weights(_ j: Journey) -> [Double] {
        j.steps.indices.map { $0 == 0 ? 1 : 0 }
    }
}

/// All credit to the last step.
public struct LastTouchModel: PerJourneyModel {
    public let id = "last"
    public var readsStepTimes: Bool { false }
    public init() {}
    public func weights(_ j: Journey) -> [Double] {
        j.steps.indices.map { $0 == j.steps.count - 1 ? 1 : 0 }
    }
}

/// Equal credit to every step: 1/n each.
public struct LinearModel: PerJourneyModel {
    public let id = "linear"
    public var readsStepTimes: Bool { false }
    public init() {}
    public func weights(_ j: Journey) -> [Double] {
        [Double](repeating: 1 / Double(j.steps.count), count: j.steps.count)
    }
}

/// Credit halving every `halfLife` before the conversion: step i gets 2^(−Δtᵢ / halfLife),
/// normalised so the journey's weights add up to 1. Journeys without times (path files) are
/// refused: the model needs them.
public struct TimeDecayModel: PerJourneyModel {
    public let id = "time-decay"
    public let halfLifeSeconds: Double

    public init(halfLifeDays: Double = 7) throws {
        guard halfLifeDays > 0, halfLifeDays.isFinite else { throw AttributionError.invalidOption("the half-life must be a positive number of days") }
        halfLifeSeconds = halfLifeDays * 86_400
    }

    public func weights(_ j: Journey) -> [Double] {
        precondition(j.secondsBefore.count == j.steps.count, "time decay needs the touches' times")
        // Relative to the most recent step, so that old journeys do not underflow to 0/0.
        let latest = j.secondsBefore.min() ?? 0
        let raw = j.secondsBefore.map { exp2(-Double($0 - latest) / halfLifeSeconds) }
        let sum = raw.reduce(0, +)
        return raw.map { $0 / sum }
    }
}

/// U-shaped: `first` to the first step, `last` to the last, the rest shared equally by the
/// steps between. A one-step journey gives it all its credit; a two-step journey splits the
/// credit in proportion first : last (50/50 with the defaults).
public struct PositionBasedModel: PerJourneyModel {
    public let id = "position"
    public var readsStepTimes: Bool { false }
    public let first: Double
    public let last: Double

    public init(first: Double = 0.4, last: Double = 0.4) throws {
        guard first >= 0, last >= 0, first + last <= 1, first + last > 0 else {
            throw AttributionError.invalidOption("position weights must be non-negative, with first + last between 0 and 1 (got \(first) and \(last))")
        }
        self.first = first
        self.last = last
    }

    public func weights(_ j: Journey) -> [Double] {
        let n = j.steps.count
        switch n {
        case 0: return []
        case 1: return [1]
        case 2: return [first / (first + last), last / (first + last)]
        default:
            let middle = (1 - first - last) / Double(n - 2)
            return (0..<n).map { $0 == 0 ? first : ($0 == n - 1 ? last : middle) }
        }
    }
}

/// Stage-anchored: W-shaped and full-path. Each anchor — the first touch, and the touches
/// that created the lead, the opportunity and (full path) the customer — gets `anchorWeight`;
/// the other steps share what is left equally. Anchors that fall on the same step add up.
/// When a journey has no other steps, what is left is shared by the anchors in proportion, so
/// the weights still add up to 1. Anchors the journey lacks (no stage data, or a stage reached
/// before its first touch) are skipped: their weight goes to the other steps.
public struct StageAnchoredModel: PerJourneyModel {
    public enum Shape: String, Sendable { case wShaped = "w-shaped", fullPath = "full-path" }

    public let shape: Shape
    public let anchorWeight: Double
    public var id: String { shape.rawValue }

    public init(_ shape: Shape, anchorWeight: Double? = nil) throws {
        let anchors = shape == .wShaped ? 3.0 : 4.0
        let w = anchorWeight ?? (shape == .wShaped ? 0.3 : 0.225)
        guard w >= 0, w * anchors <= 1 else {
            throw AttributionError.invalidOption("the anchor weight must be between 0 and \(1 / anchors) for \(shape.rawValue)")
        }
        self.shape = shape
        self.anchorWeight = w
    }

    public func weights(_ j: Journey) -> [Double] {
        let n = j.steps.count
        guard n > 0 else { return [] }
        // The anchor steps — first touch, lead creation, opportunity, and for full-path the
        // customer — in plain integers (-1: none): no set or array per journey.
        let lead = j.anchors.lead ?? -1, opportunity = j.anchors.opportunity ?? -1
        let customer = shape == .fullPath ? (j.anchors.customer ?? -1) : -1
        var w = [Double](repeating: 0, count: n)
        w[0] += anchorWeight
        for a in [lead, opportunity, customer] where a >= 0 && a < n { w[a] += anchorWeight }
        func isAnchor(_ i: Int) -> Bool { i == 0 || i == lead || i == opportunity || i == customer }
        var others = 0
        for i in 0..<n where !isAnchor(i) { others += 1 }
        let rest = 1 - w.reduce(0, +)
        if others == 0 {
            let sum = w.reduce(0, +)
            return w.map { $0 / sum }
        }
        for i in 0..<n where !isAnchor(i) { w[i] = rest / Double(others) }
        return w
    }
}
