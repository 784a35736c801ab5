/// Path transforms, as the common open attribution tools name them, applied to every journey
/// before a model runs. Example path D A B B C D C C:
///
/// | transform | result |
/// |---|---|
/// | `unique` | as is: D A B B C D C C |
/// | `exposure` | consecutive repeats collapsed: D A B C D C |
/// | `first` | first occurrence of each unit: D A B C |
/// | `frequency` | first occurrences with their counts: D(2) A(1) B(2) C(3) — Markov states keep the counts; other models credit the units as `first` |
/// | `remove-if-not-all X` | X removed unless the path is all X |
/// | `remove-if-last-and-not-all X` | X removed from the end unless the path is all X |
///
/// A collapsed run keeps the time of its last touch (closest to the conversion); `first` and
/// `frequency` keep each unit's first touch. Stage anchors follow the step they were on. A cap
/// on the path length keeps the last N steps.
public enum PathTransform: Sendable, Equatable {
    case unique, exposure, first, frequency
    case removeIfNotAll(Set<Int32>)
    case removeIfLastAndNotAll(Set<Int32>)
}

/// A step being transformed: its unit, the counts label (frequency), its time and the
/// original steps it stands for.
struct WorkingStep {
    var unit: Int32
    var label: Int32
    var secondsBefore: Int64?
    var origins: [Int]
}

extension Journey {
    /// The journey after `transforms` (in order) and keeping at most the last `maxLength` steps.
    public func transformed(_ transforms: [PathTransform], maxLength: Int? = nil) -> Journey {
        if stateLabels == nil, transforms.allSatisfy({ $0 == .unique || $0 == .exposure }) {
            return collapsed(exposure: transforms.contains(.exposure), maxLength: maxLength)
        }
        return transformedStepByStep(transforms, maxLength: maxLength)
    }

    /// Any transforms, each step remembering the original steps it stands for.
    func transformedStepByStep(_ transforms: [PathTransform], maxLength: Int?) -> Journey {
        var steps = self.steps.indices.map {
            WorkingStep(unit: self.steps[$0], label: self.steps[$0], secondsBefore: secondsBefore.isEmpty ? nil : secondsBefore[$0], origins: [$0])
        }
        for t in transforms { steps = Journey.apply(t, to: steps) }
        if let maxLength, steps.count > maxLength { steps.removeFirst(steps.count - maxLength) }
        var out = self
        out.steps = steps.map(\.unit)
        out.stateLabels = steps.contains { $0.label != $0.unit } ? steps.map(\.label) : nil
        out.secondsBefore = secondsBefore.isEmpty ? [] : steps.map { $0.secondsBefore ?? 0 }
        func remap(_ index: Int?) -> Int? { index.flatMap { i in steps.firstIndex { $0.origins.contains(i) } } }
        out.anchors = StageAnchors(lead: remap(anchors.lead), opportunity: remap(anchors.opportunity), customer: remap(anchors.customer))
        return out
    }

    /// The common case — `unique` or `exposure`, and a length cap — without the bookkeeping of
    /// the general path (a million journeys go through here); a journey without consecutive
    /// repeats is returned as it is, without copying its steps.
    func collapsed(exposure: Bool, maxLength: Int?) -> Journey {
        var out = self
        if exposure && zip(steps, steps.dropFirst()).contains(where: { $0 == $1 }) {
            var steps: [Int32] = []
            var seconds: [Int64] = []
            steps.reserveCapacity(self.steps.count)
            let timed = !secondsBefore.isEmpty
            for (i, u) in self.steps.enumerated() {
                if steps.last == u {
                    if timed { seconds[seconds.count - 1] = secondsBefore[i] }
                } else {
                    steps.append(u)
                    if timed { seconds.append(secondsBefore[i]) }
                }
            }
            out.steps = steps
            out.secondsBefore = seconds
            // An anchor moves to the collapsed step of its run: one per change of unit before it.
            func collapsedIndex(_ i: Int?) -> Int? {
                i.map { i in (0..<i).reduce(0) { $0 + (self.steps[$1] != self.steps[$1 + 1] ? 1 : 0) } }
            }
            out.anchors = StageAnchors(lead: collapsedIndex(anchors.lead), opportunity: collapsedIndex(anchors.opportunity),
                                       customer: collapsedIndex(anchors.customer))
        }
        if let maxLength, out.steps.count > maxLength {
            let cut = out.steps.count - maxLength
            out.steps.removeFirst(cut)
            if !out.secondsBefore.isEmpty { out.secondsBefore.removeFirst(cut) }
            // Anchors on the steps cut off are lost.
            func shifted(_ i: Int?) -> Int? { i.flatMap { $0 >= cut ? $0 - cut : nil } }
            out.anchors = StageAnchors(lead: shifted(out.anchors.lead), opportunity: shifted(out.anchors.opportunity),
                                       customer: shifted(out.anchors.customer))
        }
        return out
    }

    static func apply(_ transform: PathTransform, to steps: [WorkingStep]) -> [WorkingStep] {
        switch transform {
        case .unique:
            return steps
        case .exposure:
            var out: [WorkingStep] = []
            for s in steps {
                if var last = out.last, last.unit == s.unit {
                    last.secondsBefore = s.secondsBefore
                    last.origins += s.origins
                    out[out.count - 1] = last
                } else {
                    out.append(s)
                }
            }
            return out
        case .first, .frequency:
            var out: [WorkingStep] = []
            var position: [Int32: Int] = [:]
            var counts: [Int32: Int32] = [:]
            for s in steps {
                counts[s.unit, default: 0] += 1
                if let p = position[s.unit] { out[p].origins += s.origins } else { position[s.unit] = out.count; out.append(s) }
            }
            if transform == .frequency {
                for i in out.indices { out[i].label = Journey.frequencyLabel(unit: out[i].unit, count: counts[out[i].unit]!) }
            }
            return out
        case .removeIfNotAll(let units):
            guard !steps.allSatisfy({ units.contains($0.unit) }) else { return steps }
            return steps.filter { !units.contains($0.unit) }
        case .removeIfLastAndNotAll(let units):
            guard !steps.allSatisfy({ units.contains($0.unit) }) else { return steps }
            var out = steps
            while let last = out.last, units.contains(last.unit) { out.removeLast() }
            return out
        }
    }

    /// Frequency labels pack a unit and its count (capped at 32,767) into one Markov state symbol.
    static func frequencyLabel(unit: Int32, count: Int32) -> Int32 { -(unit << 15 | min(count, 32_767)) - 1 }

    /// `(unit, count)` of a frequency label, or `nil` for a plain unit.
    public static func decodeLabel(_ label: Int32) -> (unit: Int32, count: Int32)? {
        guard label < 0 else { return nil }
        let packed = -(label + 1)
        return (packed >> 15, packed & 32_767)
    }
}
