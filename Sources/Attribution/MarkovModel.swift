/// Markov-chain attribution of order k, with removal effects computed exactly.
///
/// The states are `start`, `conversion`, `null` (both absorbing) and one transient state per
/// sequence of the last k units seen (the first steps of a path use the shorter sequences they
/// have). Transition probabilities are the observed transition counts over all paths, each
/// path weighted by its conversions + nulls; a path ends in `conversion` with its conversions
/// and in `null` with its nulls.
///
/// P(conversion) is the probability of absorption in `conversion` from `start`, found by
/// solving the absorbing chain's linear system (I − Q) x = r exactly (dense Gaussian
/// elimination with partial pivoting up to 1,500 transient states, sparse Gauss–Seidel to a
/// relative residual of 1e-13 beyond). The **removal effect** of a unit is
/// 1 − P(conversion with every state containing the unit sent to `null`) / P(conversion), and
/// its credited conversions are the removal effects normalised to the total conversions (the
/// convention of the common open tools); revenue is credited in the same proportions.
public struct MarkovModel: AttributionModel {
    public let id = "markov"
    public let order: Int
    /// Reads each path with consecutive repeats collapsed — the `exposure` transform, applied
    /// while counting instead of copying every journey first (``AttributionRun`` sets it).
    var collapsesRepeats = false
    /// The chain's paths to `null` are the journeys that did not convert.
    public var readsNullPaths: Bool { true }
    public var readsStepTimes: Bool { false }

    public init(order: Int = 1) throws {
        guard (1...8).contains(order) else { throw AttributionError.invalidOption("the Markov order must be between 1 and 8 (got \(order))") }
        self.order = order
    }

    /// The fitted chain and each unit's removal effect.
    public struct Fit: Sendable {
        /// Transient states as symbol sequences (order k: up to k units, or frequency labels
        /// — see ``Journey/decodeLabel(_:)``), by state index.
        public let states: [[Int32]]
        /// Transition probabilities: `start` row first, then one row per transient state; each
        /// row maps a target (a state index, or ``conversionTarget`` / ``nullTarget``) to its probability.
        public let transitions: [[Int: Double]]
        public let conversionProbability: Double
        /// Removal effect per unit id (0 for units never seen).
        public let removalEffects: [Double]

        public static let conversionTarget = -1
        public static let nullTarget = -2
    }

    public func attribute(_ journeys: [Journey], units: Int) throws -> Credit {
        let fit = try self.fit(journeys, units: units)
        var credit = Credit(units: units)
        var totalConversions = 0.0, totalValue = 0.0
        for i in journeys.indices {
            totalConversions += journeys[i].conversions
            totalValue += journeys[i].value
        }
        let sum = fit.removalEffects.reduce(0, +)
        guard sum > 0 else { return credit }
        for u in 0..<units {
            credit.conversions[u] = totalConversions * fit.removalEffects[u] / sum
            credit.value[u] = totalValue * fit.removalEffects[u] / sum
        }
        return credit
    }

    public func fit(_ journeys: [Journey], units: Int) throws -> Fit {
        // Symbols: units, or the frequency transform's labels, numbered densely from 1.
        var symbolOf: [Int32: UInt64] = [:]
        var symbolUnits: [Int32] = []
        func symbol(_ label: Int32, unit: Int32) -> UInt64 {
            if label >= 0 && label < Int32(units) && label == unit { return UInt64(label) + 1 }
            if let s = symbolOf[label] { return s }
            let s = UInt64(units + symbolUnits.count) + 1
            symbolOf[label] = s
            symbolUnits.append(unit)
            return s
        }
        // A state is the window of its last k symbols, packed into one integer when it fits.
        // (Loops read fields by index: a `for j in journeys` copies each journey, retaining its arrays.)
        var labels = Set<Int32>()
        for i in journeys.indices { if let l = journeys[i].stateLabels { labels.formUnion(l) } }
        let distinctLabels = labels.count
        let bits = max(1, (units + distinctLabels + 1).bitWidthNeeded)
        let packable = bits * order <= 63
        var stateIndex: [UInt64: Int] = [:]
        var wideIndex: [[Int32]: Int] = [:]
        var states: [[Int32]] = []
        var stateUnits: [[Int32]] = []
        // Transition counts keyed by (from row << 32 | target column); row 0 is start, row s + 1
        // state s; column s + 2 is state s, 0 conversion, 1 null.
        var counts: [UInt64: Double] = [:]
        // Few possible windows (order 1 with up to 1,023 symbols): state ids and counts in flat
        // arrays indexed by window and by (row, column) instead of hash tables.
        let dense = packable && bits * order <= 10
        let windows = dense ? 1 << (bits * order) : 0
        var denseIndex = [Int](repeating: -1, count: windows)
        var denseCounts = [Double](repeating: 0, count: dense ? (windows + 1) * (windows + 2) : 0)
        @inline(__always) func count(_ row: UInt64, _ column: Int, _ weight: Double) {
            if dense { denseCounts[Int(row) * (windows + 2) + column] += weight } else { counts[row << 32 | UInt64(column), default: 0] += weight }
        }
        var collapsed: [Int32] = []
        for n in journeys.indices where !journeys[n].steps.isEmpty && journeys[n].conversions + journeys[n].nulls > 0 {
            let j = journeys[n]
            var steps = j.steps
            if collapsesRepeats && j.stateLabels == nil && zip(steps, steps.dropFirst()).contains(where: { $0 == $1 }) {
                collapsed.removeAll(keepingCapacity: true)
                for u in steps where collapsed.last != u { collapsed.append(u) }
                steps = collapsed
            }
            let weight = j.conversions + j.nulls
            let labels = j.stateLabels ?? steps
            var previous: UInt64 = 0
            var window: UInt64 = 0
            let mask: UInt64 = packable ? (1 << UInt64(bits * order)) - 1 : 0
            for i in steps.indices {
                let index: Int
                let range = max(0, i - order + 1)...i
                if dense {
                    window = ((window << UInt64(bits)) | symbol(labels[i], unit: steps[i])) & mask
                    if denseIndex[Int(window)] >= 0 { index = denseIndex[Int(window)] } else {
                        index = states.count
                        denseIndex[Int(window)] = index
                        states.append(Array(labels[range]))
                        stateUnits.append(Array(steps[range]))
                    }
                } else if packable {
                    window = ((window << UInt64(bits)) | symbol(labels[i], unit: steps[i])) & mask
                    if let known = stateIndex[window] { index = known } else {
                        index = states.count
                        stateIndex[window] = index
                        states.append(Array(labels[range]))
                        stateUnits.append(Array(steps[range]))
                    }
                } else {
                    let key = Array(labels[range])
                    if let known = wideIndex[key] { index = known } else {
                        index = states.count
                        wideIndex[key] = index
                        states.append(key)
                        stateUnits.append(Array(steps[range]))
                    }
                }
                count(previous, index + 2, weight)
                previous = UInt64(index + 1)
            }
            if j.conversions > 0 { count(previous, 0, j.conversions) }
            if j.nulls > 0 { count(previous, 1, j.nulls) }
        }
        if dense {
            for row in 0...states.count {
                for column in 0..<(states.count + 2) where denseCounts[row * (windows + 2) + column] != 0 {
                    counts[UInt64(row) << 32 | UInt64(column)] = denseCounts[row * (windows + 2) + column]
                }
            }
        }
        var rows = [[Int: Double]](repeating: [:], count: states.count + 1)
        for (key, count) in counts {
            let column = Int(key & 0xFFFF_FFFF)
            rows[Int(key >> 32)][column == 0 ? Fit.conversionTarget : (column == 1 ? Fit.nullTarget : column - 2)] = count
        }
        // Sums run over targets in a fixed order, so that the same data gives the same bits.
        let transitions = rows.map { row -> [Int: Double] in
            let total = row.keys.sorted().reduce(0) { $0 + row[$1]! }
            return total > 0 ? row.mapValues { $0 / total } : [:]
        }
        let base = try Self.conversionProbability(transitions, states: states.count, removed: [])
        var effects = [Double](repeating: 0, count: units)
        if base > 0 {
            var statesOf = [[Int]](repeating: [], count: units)
            for (i, s) in stateUnits.enumerated() { for u in Set(s) { statesOf[Int(u)].append(i) } }
            for u in 0..<units where !statesOf[u].isEmpty {
                let p = try Self.conversionProbability(transitions, states: states.count, removed: Set(statesOf[u]))
                effects[u] = max(0, 1 - p / base)
            }
        }
        return Fit(states: states, transitions: transitions, conversionProbability: base, removalEffects: effects)
    }

    /// Absorption probability in `conversion` from `start` when the `removed` transient states
    /// lead to `null`.
    static func conversionProbability(_ transitions: [[Int: Double]], states n: Int, removed: Set<Int>) throws -> Double {
        guard n > 0 else { return transitions.first?[Fit.conversionTarget] ?? 0 }
        // x_s = r_s + Σ_t Q[s][t] x_t for every kept transient state s; removed states have x = 0.
        let x = n <= 1_500 ? solveDense(transitions, n: n, removed: removed) : try solveIterative(transitions, n: n, removed: removed)
        var p = transitions[0][Fit.conversionTarget] ?? 0
        for t in transitions[0].keys.sorted() where t >= 0 && !removed.contains(t) { p += transitions[0][t]! * x[t] }
        return p
    }

    static func solveDense(_ transitions: [[Int: Double]], n: Int, removed: Set<Int>) -> [Double] {
        var a = [Double](repeating: 0, count: n * n)
        var b = [Double](repeating: 0, count: n)
        for s in 0..<n {
            a[s * n + s] = 1
            if removed.contains(s) { continue }
            let row = transitions[s + 1]
            b[s] = row[Fit.conversionTarget] ?? 0
            for (t, q) in row where t >= 0 && !removed.contains(t) { a[s * n + t] -= q }
        }
        // Gaussian elimination with partial pivoting.
        for col in 0..<n {
            var pivot = col
            var best = abs(a[col * n + col])
            for r in (col + 1)..<max(col + 1, n) where abs(a[r * n + col]) > best { best = abs(a[r * n + col]); pivot = r }
            if best == 0 { continue }
            if pivot != col {
                for c in 0..<n { a.swapAt(col * n + c, pivot * n + c) }
                b.swapAt(col, pivot)
            }
            let d = a[col * n + col]
            for r in (col + 1)..<max(col + 1, n) {
                let f = a[r * n + col] / d
                if f == 0 { continue }
                for c in col..<n { a[r * n + c] -= f * a[col * n + c] }
                b[r] -= f * b[col]
            }
        }
        var x = [Double](repeating: 0, count: n)
        for r in stride(from: n - 1, through: 0, by: -1) {
            var sum = b[r]
            for c in (r + 1)..<max(r + 1, n) { sum -= a[r * n + c] * x[c] }
            x[r] = a[r * n + r] == 0 ? 0 : sum / a[r * n + r]
        }
        return x
    }

    static func solveIterative(_ transitions: [[Int: Double]], n: Int, removed: Set<Int>) throws -> [Double] {
        let rows = (0..<n).map { s in
            removed.contains(s) ? [] : transitions[s + 1].filter { $0.key >= 0 && !removed.contains($0.key) }.map { ($0.key, $0.value) }.sorted { $0.0 < $1.0 }
        }
        let r = (0..<n).map { s in removed.contains(s) ? 0 : transitions[s + 1][Fit.conversionTarget] ?? 0 }
        var x = r
        for _ in 0..<100_000 {
            var change = 0.0
            var scale = 0.0
            for s in 0..<n {
                var v = r[s]
                var selfLoop = 0.0
                for (t, q) in rows[s] { if t == s { selfLoop += q } else { v += q * x[t] } }
                v = selfLoop < 1 ? v / (1 - selfLoop) : 0
                change = max(change, abs(v - x[s]))
                scale = max(scale, abs(v))
                x[s] = v
            }
            if change <= 1e-13 * max(scale, 1e-300) { return x }
        }
        throw AttributionError.invalidOption("the Markov chain did not converge; try a lower --order")
    }
}

extension Int {
    /// Bits needed to write the number in binary.
    var bitWidthNeeded: Int { Int.bitWidth - leadingZeroBitCount }
}
