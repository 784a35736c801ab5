import Testing
import TestSupport
@testable import Attribution

/// Shapley and Markov checked by independent routes.
@Suite struct ShapleySecondRoutes {
    /// v(S) = conversions of journeys whose unit set ⊆ S, and φᵢ by its definition: the mean
    /// over all n! orderings of i's marginal contribution.
    static func byOrderings(_ journeys: [Journey], units n: Int) -> [Double] {
        func v(_ members: Set<Int32>) -> Double {
            journeys.filter { Set($0.steps).isSubset(of: members) }.reduce(0) { $0 + $1.conversions }
        }
        var phi = [Double](repeating: 0, count: n)
        var count = 0.0
        func permute(_ order: [Int32], _ rest: [Int32]) {
            if rest.isEmpty {
                var before = Set<Int32>()
                for u in order {
                    let with = before.union([u])
                    phi[Int(u)] += v(with) - v(before)
                    before = with
                }
                count += 1
                return
            }
            for (i, u) in rest.enumerated() { var r = rest; r.remove(at: i); permute(order + [u], r) }
        }
        permute([], (0..<Int32(n)).map { $0 })
        return phi.map { $0 / count }
    }

    @Test(arguments: 1...10)
    func closedFormEqualsSubsetSumsAndOrderings(_ seed: Int) throws {
        let n = seed % 5 + 2  // 2…6 units
        let journeys = SumInvariantProperty.randomJourneys(seed: UInt64(seed * 7919), units: n)
        let closed = try ShapleyModel().attribute(journeys, units: n).conversions
        #expect(close(closed, ShapleyModel.bySubsetSums(journeys, units: n), 1e-9))
        #expect(close(closed, Self.byOrderings(journeys, units: n), 1e-9))
    }

    @Test func subsetSumsScaleToSixteenUnits() throws {
        let journeys = SumInvariantProperty.randomJourneys(seed: 99, units: 16)
        let closed = try ShapleyModel().attribute(journeys, units: 16).conversions
        #expect(close(closed, ShapleyModel.bySubsetSums(journeys, units: 16), 1e-8))
    }
}

@Suite struct MarkovSecondRoutes {
    /// P(conversion) by pushing probability mass through the chain step by step until
    /// (almost) all of it is absorbed: no linear algebra.
    static func byPowerIteration(_ transitions: [[Int: Double]], states n: Int, removed: Set<Int>) -> Double {
        var mass = [Double](repeating: 0, count: n)
        var converted = transitions[0][MarkovModel.Fit.conversionTarget] ?? 0
        for (t, p) in transitions[0] where t >= 0 && !removed.contains(t) { mass[t] += p }
        for _ in 0..<20_000 {
            var next = [Double](repeating: 0, count: n)
            var left = 0.0
            for s in 0..<n where mass[s] > 0 {
                for (t, p) in transitions[s + 1] {
                    if t == MarkovModel.Fit.conversionTarget { converted += mass[s] * p } else if t >= 0 && !removed.contains(t) { next[t] += mass[s] * p; left += mass[s] * p }
                }
            }
            mass = next
            if left < 1e-15 { break }
        }
        return converted
    }

    @Test(arguments: 1...10)
    func solversAgreeWithPowerIteration(_ seed: Int) throws {
        let n = seed % 5 + 2
        let journeys = SumInvariantProperty.randomJourneys(seed: UInt64(seed * 104_729), units: n)
        for order in [1, 2] {
            let fit = try MarkovModel(order: order).fit(journeys, units: n)
            let states = fit.states.count
            for u in 0..<n {
                let removed = Set(fit.states.indices.filter { fit.states[$0].contains(Int32(u)) })
                let dense = try MarkovModel.conversionProbability(fit.transitions, states: states, removed: removed)
                let iterative = try MarkovModel.solveIterative(fit.transitions, n: states, removed: removed)
                var p = fit.transitions[0][MarkovModel.Fit.conversionTarget] ?? 0
                for (t, q) in fit.transitions[0] where t >= 0 && !removed.contains(t) { p += q * iterative[t] }
                let power = Self.byPowerIteration(fit.transitions, states: states, removed: removed)
                #expect(abs(dense - p) < 1e-10 && abs(dense - power) < 1e-9, "order \(order), without unit \(u)")
            }
        }
    }

    /// With journeys of one touch each, removing a unit removes exactly its own conversions:
    /// Markov of any order gives last-touch credit.
    @Test(arguments: [1, 2, 4])
    func oneTouchJourneysGiveLastTouchCredit(_ order: Int) throws {
        var rng = SplitMix(seed: UInt64(order))
        let journeys = (0..<300).map { _ in
            let converts = rng.next() % 2 == 0
            return Journey(steps: [Int32(rng.next() % 5)], conversions: converts ? 1 : 0, nulls: converts ? 0 : 1)
        }
        #expect(close(try credit(try MarkovModel(order: order), journeys, units: 5), try credit(LastTouchModel(), journeys, units: 5), 1e-9))
    }

    /// Collapsing repeats while counting is the `exposure` transform: to the bit, any order.
    @Test(arguments: 1...8)
    func collapsingWhileCountingEqualsTheExposureTransform(_ seed: Int) throws {
        let journeys = SumInvariantProperty.randomJourneys(seed: UInt64(seed) &* 2_654_435_761, units: 4)
        for order in [1, 2, 3] {
            let markov = try MarkovModel(order: order)
            var collapsing = markov
            collapsing.collapsesRepeats = true
            let exposed = journeys.map { $0.transformed([.exposure]) }
            #expect(try collapsing.attribute(journeys, units: 4) == markov.attribute(exposed, units: 4))
            #expect(try collapsing.fit(journeys, units: 4).states == markov.fit(exposed, units: 4).states)
            // And the run takes that path by default.
            #expect(try AttributionRun().run([markov], journeys: journeys, units: 4)[0].credit == markov.attribute(exposed, units: 4))
        }
    }
}

@Suite struct PathTransformTests {
    // D A B B C D C C with D=3, A=0, B=1, C=2.
    let path = Journey(steps: [3, 0, 1, 1, 2, 3, 2, 2], secondsBefore: [80, 70, 60, 50, 40, 30, 20, 10], conversions: 1,
                       anchors: StageAnchors(lead: 3, opportunity: 6))

    @Test func theTransformsOfTheOpenTools() {
        #expect(path.transformed([.unique]).steps == [3, 0, 1, 1, 2, 3, 2, 2])
        let exposure = path.transformed([.exposure])
        #expect(exposure.steps == [3, 0, 1, 2, 3, 2])
        #expect(exposure.secondsBefore == [80, 70, 50, 40, 30, 10])  // a run keeps its last touch's time
        #expect(exposure.anchors == StageAnchors(lead: 2, opportunity: 5))
        #expect(path.transformed([.first]).steps == [3, 0, 1, 2])
        let frequency = path.transformed([.frequency])
        #expect(frequency.steps == [3, 0, 1, 2])
        #expect(frequency.stateLabels!.map { Journey.decodeLabel($0)!.count } == [2, 1, 2, 3])
        #expect(path.transformed([.removeIfNotAll([2])]).steps == [3, 0, 1, 1, 3])
        #expect(Journey(steps: [2, 2], conversions: 1).transformed([.removeIfNotAll([2])]).steps == [2, 2])
        #expect(path.transformed([.removeIfLastAndNotAll([2])]).steps == [3, 0, 1, 1, 2, 3])
        #expect(path.transformed([], maxLength: 3).steps == [3, 2, 2])
    }

    /// Property: the fast path for `unique` and `exposure` (with or without a length cap) gives
    /// what the step-by-step path gives — steps, times and stage anchors — for random journeys.
    @Test(arguments: 1...4)
    func theFastPathAgreesWithTheStepByStepPath(_ seed: Int) {
        var rng = SplitMix(seed: UInt64(seed) &* 31)
        for _ in 0..<500 {
            let n = 1 + Int(rng.next() % 9)
            let steps = (0..<n).map { _ in Int32(rng.next() % 3) }
            let seconds = (0..<n).map { Int64(100 - $0 * 10) }
            func anchor() -> Int? { rng.next() % 3 == 0 ? nil : Int(rng.next() % UInt64(n)) }
            let journey = Journey(steps: steps, secondsBefore: seconds, conversions: 1,
                                  anchors: StageAnchors(lead: anchor(), opportunity: anchor(), customer: anchor()))
            for transforms in [[PathTransform.unique], [.exposure], []] {
                for maxLength in [nil, 1, 3] {
                    #expect(journey.transformed(transforms, maxLength: maxLength) == journey.transformedStepByStep(transforms, maxLength: maxLength),
                            "\(steps) \(journey.anchors) \(transforms) \(String(describing: maxLength))")
                }
            }
        }
    }
}

@Suite struct PathFileTests {
    @Test func readsTheOpenToolsFormat() throws {
        let (units, journeys) = try PathFile.parse("path;total_conversions;total_conversion_value;total_null\nseo > email > seo;3;450.5;10\nsocial;0;0;7\n\n")
        #expect(units.names == ["seo", "email", "social"])
        #expect(journeys == [Journey(steps: [0, 1, 0], conversions: 3, value: 450.5, nulls: 10), Journey(steps: [2], conversions: 0, value: 0, nulls: 7)])
    }

    @Test func refusesMalformedLinesWithTheirNumber() {
        #expect(throws: PathFile.Problem(line: 2, reason: "\"x\" is not a non-negative number (total_conversions)")) {
            try PathFile.parse("path;total_conversions;total_conversion_value;total_null\na > b;x;0;1\n")
        }
        #expect(throws: PathFile.Problem(line: 1, reason: "the path \"a > > b\" has an empty step")) { try PathFile.parse("a > > b;1;0;0") }
        #expect(throws: PathFile.Problem.self) { try PathFile.parse("a,b,1,0", separator: ";") }
    }
}
