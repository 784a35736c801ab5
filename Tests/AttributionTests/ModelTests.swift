import Foundation
import Testing
import TestSupport
@testable import Attribution

let day: Int64 = 86_400

/// The worked example of docs/attribution.md: A, B, C are units 0, 1, 2.
///   J1: A (10 days before) → B (3 days) → C (at conversion): 1 conversion worth 300
///   J2: B (7 days) → C (at conversion): 1 conversion worth 100
///   J3: A: no conversion (a null path)
let workedExample = [
    Journey(steps: [0, 1, 2], secondsBefore: [10 * day, 3 * day, 0], conversions: 1, value: 300),
    Journey(steps: [1, 2], secondsBefore: [7 * day, 0], conversions: 1, value: 100),
    Journey(steps: [0], secondsBefore: [0], conversions: 0, nulls: 1),
]

func credit(_ model: any AttributionModel, _ journeys: [Journey] = workedExample, units: Int = 3) throws -> [Double] {
    try model.attribute(journeys, units: units).conversions
}

func close(_ a: [Double], _ b: [Double], _ tolerance: Double = 1e-12) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tolerance }
}

@Suite struct WorkedExampleTests {
    @Test func firstAndLast() throws {
        #expect(try credit(FirstTouchModel()) == [1, 1, 0])
        #expect(try credit(LastTouchModel()) == [0, 0, 2])
    }

    @Test func linear() throws {
        // J1: 1/3 each; J2: 1/2 each.
        #expect(close(try credit(LinearModel()), [1.0 / 3, 1.0 / 3 + 0.5, 1.0 / 3 + 0.5]))
        let revenue = try LinearModel().attribute(workedExample, units: 3).value
        #expect(close(revenue, [100, 100 + 50, 100 + 50]))
    }

    @Test func timeDecayHalvesEverySevenDays() throws {
        // J1 weights ∝ 2^(−10/7), 2^(−3/7), 2^0; J2 ∝ 2^(−7/7) = 1/2, 1.
        let a = pow(2, -10.0 / 7), b = pow(2, -3.0 / 7), c = 1.0
        let j1 = [a, b, c].map { $0 / (a + b + c) }
        let j2 = [0.5 / 1.5, 1 / 1.5]
        #expect(close(try credit(try TimeDecayModel(halfLifeDays: 7)), [j1[0], j1[1] + j2[0], j1[2] + j2[1]]))
    }

    @Test func positionBased() throws {
        // J1: 40 % A, 20 % B, 40 % C; J2 (two touches): 50 % / 50 %.
        #expect(close(try credit(try PositionBasedModel()), [0.4, 0.2 + 0.5, 0.4 + 0.5]))
        // One touch takes everything; other weights split two touches in proportion.
        #expect(close(try PositionBasedModel(first: 0.3, last: 0.5).weights(Journey(steps: [0, 1], conversions: 1)), [0.3 / 0.8, 0.5 / 0.8]))
        #expect(try PositionBasedModel().weights(Journey(steps: [4], conversions: 1)) == [1])
        #expect(throws: AttributionError.self) { try PositionBasedModel(first: 0.7, last: 0.4) }
    }

    @Test func markovRemovalEffectsByHand() throws {
        // Paths: A > B (1 conversion), A (1 null), B (1 conversion).
        // P(start→A) = 2/3, P(start→B) = 1/3, P(A→B) = P(A→null) = 1/2, P(B→conv) = 1.
        // P(conv) = 2/3·1/2 + 1/3 = 2/3. Without A: 1/3, effect 1/2. Without B: 0, effect 1.
        let journeys = [Journey(steps: [0, 1], conversions: 1), Journey(steps: [0], conversions: 0, nulls: 1), Journey(steps: [1], conversions: 1)]
        let fit = try MarkovModel().fit(journeys, units: 2)
        #expect(abs(fit.conversionProbability - 2.0 / 3) < 1e-12)
        #expect(close(fit.removalEffects, [0.5, 1]))
        // Credits: the effects normalised to the 2 conversions.
        #expect(close(try credit(try MarkovModel(), journeys, units: 2), [2 * 0.5 / 1.5, 2 * 1 / 1.5]))
    }

    @Test func shapleySplitsEachJourneyAmongItsDistinctUnits() throws {
        // A → A → B counts as {A, B}: half each, unlike linear (2/3 to A).
        let repeated = [Journey(steps: [0, 0, 1], conversions: 1)]
        #expect(try credit(ShapleyModel(), repeated, units: 2) == [0.5, 0.5])
        #expect(close(try credit(LinearModel(), repeated, units: 2), [2.0 / 3, 1.0 / 3]))
        #expect(close(try credit(ShapleyModel()), [1.0 / 3, 1.0 / 3 + 0.5, 1.0 / 3 + 0.5]))
    }

    @Test func wShapedAndFullPath() throws {
        // Six touches; the lead was created at step 2, the opportunity at step 4, the customer at 5.
        // W-shaped: 30 % to steps 0, 2 and 4; 10 % shared by steps 1, 3 and 5.
        let j = Journey(steps: [0, 1, 2, 3, 4, 5], conversions: 1, anchors: StageAnchors(lead: 2, opportunity: 4, customer: 5))
        let w = try StageAnchoredModel(.wShaped).weights(j)
        #expect(close(w, [0.3, 0.1 / 3, 0.3, 0.1 / 3, 0.3, 0.1 / 3]))
        // Full path: 22.5 % to first, lead, opportunity and customer; 10 % over steps 1 and 3.
        #expect(close(try StageAnchoredModel(.fullPath).weights(j), [0.225, 0.05, 0.225, 0.05, 0.225, 0.225]))
        // Anchors on the same step add up; with no other steps the anchors share everything.
        let short = Journey(steps: [0, 1], conversions: 1, anchors: StageAnchors(lead: 0, opportunity: 1))
        #expect(close(try StageAnchoredModel(.wShaped).weights(short), [2.0 / 3, 1.0 / 3]))
        // Without stage data, only the first touch is an anchor.
        #expect(close(try StageAnchoredModel(.wShaped).weights(Journey(steps: [0, 1, 2], conversions: 1)), [0.3, 0.35, 0.35]))
    }
}

/// Property: every model credits exactly the total conversions, on any journeys.
@Suite struct SumInvariantProperty {
    static func randomJourneys(seed: UInt64, units: Int) -> [Journey] {
        var rng = SplitMix(seed: seed)
        return (0..<Int(rng.next() % 200 + 20)).map { _ in
            let n = Int(rng.next() % 9 + 1)
            let steps = (0..<n).map { _ in Int32(rng.next() % UInt64(units)) }
            let seconds = (0..<n).map { i in Int64((n - i) * Int(rng.next() % 900_000)) }
            let converts = rng.next() % 3 != 0
            let lead = Int(rng.next() % UInt64(n)), opp = rng.next() % 2 == 0 ? Int(rng.next() % UInt64(n)) : nil
            return Journey(steps: steps, secondsBefore: seconds, conversions: converts ? Double(rng.next() % 3 + 1) : 0,
                           value: converts ? Double(rng.next() % 100_000) : 0, nulls: converts ? 0 : Double(rng.next() % 4 + 1),
                           anchors: StageAnchors(lead: lead, opportunity: opp, customer: n - 1))
        }
    }

    @Test(arguments: 1...25)
    func creditsSumToTheConversions(_ seed: Int) throws {
        let units = Int(seed % 7 + 2)
        let journeys = Self.randomJourneys(seed: UInt64(seed), units: units)
        let total = journeys.reduce(0) { $0 + $1.conversions }
        let value = journeys.reduce(0) { $0 + $1.value }
        let models: [any AttributionModel] = [
            FirstTouchModel(), LastTouchModel(), LinearModel(), try TimeDecayModel(halfLifeDays: 3), try PositionBasedModel(first: 0.3, last: 0.5),
            try StageAnchoredModel(.wShaped), try StageAnchoredModel(.fullPath), try MarkovModel(order: 1), try MarkovModel(order: 3), ShapleyModel(),
        ]
        for transforms in [[PathTransform](), [.exposure], [.first], [.frequency]] {
            for result in try AttributionRun(transforms: transforms).run(models, journeys: journeys, units: units) {
                #expect(abs(result.credit.totalConversions - total) < 1e-9, "\(result.model) \(transforms)")
                #expect(abs(result.credit.value.reduce(0, +) - value) < 1e-6 * max(1, value), "\(result.model)")
                #expect(result.credit.conversions.allSatisfy { $0 >= -1e-12 }, "\(result.model)")
            }
        }
    }
}
