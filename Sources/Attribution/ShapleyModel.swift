/// Shapley-value attribution over units, with the coalition value of Zhao et al. (2018):
/// v(S) = the conversions of journeys whose set of distinct units is a subset of S.
///
/// That game is a sum of unanimity games — v = Σ_T c(T)·u_T, where c(T) is the conversions of
/// journeys whose unit set is exactly T and u_T(S) = 1 when T ⊆ S — and the Shapley value of
/// u_T gives 1/|T| to each member of T. So the exact Shapley value is
/// φᵢ = Σ_{T ∋ i} c(T) / |T|: every journey's conversions split equally among its distinct
/// units. This is exact for any number of units in O(total path length); no sampling is ever
/// needed. (The tests check it against the subset-sum route, Σ over coalitions with v from a
/// zeta transform in O(2ⁿ·n), and against the definition over all n! orderings for small n.)
///
/// What it ignores, by definition of v: the order of the touches and how often a unit
/// repeats — a journey A → A → B counts as the set {A, B}.
public struct ShapleyModel: AttributionModel {
    public let id = "shapley"
    public var readsStepTimes: Bool { false }
    public init() {}

    public func attribute(_ journeys: [Journey], units: Int) throws -> Credit {
        var credit = Credit(units: units)
        for j in journeys where j.conversions > 0 && !j.steps.isEmpty {
            let distinct = Set(j.steps)
            let share = 1 / Double(distinct.count)
            for u in distinct { credit.add(u, share: share, of: j) }
        }
        return credit
    }

    /// The same values by the general route: v(S) for every coalition S of `units` units by a
    /// subset-sum (zeta) transform, then φᵢ = Σ_{S ∌ i} |S|!(n−|S|−1)!/n! · (v(S ∪ {i}) − v(S)).
    /// O(2ⁿ·n); for n ≤ 20. Used to check ``attribute(_:units:)``.
    public static func bySubsetSums(_ journeys: [Journey], units n: Int) -> [Double] {
        precondition(n <= 20)
        var v = [Double](repeating: 0, count: 1 << n)
        for j in journeys where j.conversions > 0 {
            var mask = 0
            for u in j.steps { mask |= 1 << Int(u) }
            v[mask] += j.conversions
        }
        for i in 0..<n { for mask in 0..<(1 << n) where mask & (1 << i) != 0 { v[mask] += v[mask ^ (1 << i)] } }
        var factorial = [Double](repeating: 1, count: n + 1)
        for k in stride(from: 1, through: n, by: 1) { factorial[k] = factorial[k - 1] * Double(k) }
        var phi = [Double](repeating: 0, count: n)
        for mask in 0..<(1 << n) {
            let size = mask.nonzeroBitCount
            for i in 0..<n where mask & (1 << i) == 0 {
                phi[i] += factorial[size] * factorial[n - size - 1] / factorial[n] * (v[mask | (1 << i)] - v[mask])
            }
        }
        return phi
    }
}
