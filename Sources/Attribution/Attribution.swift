/// # Attribution — who gets credit for a conversion
///
/// When a customer touched five channels before buying, how much credit does each deserve?
/// This module gives every conversion's credit to the units (channels or campaigns) on the
/// journey that led to it, with the models marketers use:
///
/// - ``FirstTouchModel``, ``LastTouchModel``, ``LinearModel``;
/// - ``TimeDecayModel``: weight 2^(−Δt / half-life), 7-day half-life by default;
/// - ``PositionBasedModel``: 40 % first, 40 % last, the rest shared by the middle;
/// - ``StageAnchoredModel``: W-shaped (first touch, lead creation, opportunity creation: 30 %
///   each, 10 % over the rest) and full-path (plus the touch before becoming a customer:
///   22.5 % each, 10 % over the rest);
/// - ``MarkovModel``: removal effects from an absorbing Markov chain of order k, solved exactly;
/// - ``ShapleyModel``: Shapley values of the coalition game v(S) = conversions of journeys whose
///   channel set is a subset of S (Zhao et al., 2018), exact for any number of channels.
///
/// The math works on ``Journey`` values (integer unit ids in time order) and is pure; reading
/// journeys from the warehouse (``JourneyReader``) or from an aggregated path file
/// (``PathFile``) is kept at the edge. Every model's credited conversions add up to the
/// total conversions (checked by a property test). Formulas and worked examples:
/// `docs/attribution.md`.

/// One path to a conversion (or to nothing), with the touches' units in time order.
public struct Journey: Sendable, Equatable {
    /// Unit ids (channels or campaigns, see ``UnitTable``) in time order.
    public var steps: [Int32]
    /// For each step, seconds before the conversion (or before the end of the range for a
    /// journey without conversion). Empty when unknown (aggregated path files).
    public var secondsBefore: [Int64]
    /// Conversions this path stands for (1 for one customer's journey; a count in path files).
    public var conversions: Double
    /// Revenue of those conversions, in minor units.
    public var value: Double
    /// Journeys with this path that did not convert (null paths).
    public var nulls: Double
    /// Which steps started the lead, the opportunity and the customer, when stage data says.
    public var anchors: StageAnchors
    /// Markov state symbols when they differ from the units (the `frequency` transform's
    /// "unit with its count"); `nil` otherwise.
    public var stateLabels: [Int32]?

    public init(steps: [Int32], secondsBefore: [Int64] = [], conversions: Double, value: Double = 0, nulls: Double = 0,
                anchors: StageAnchors = StageAnchors()) {
        self.steps = steps
        self.secondsBefore = secondsBefore
        self.conversions = conversions
        self.value = value
        self.nulls = nulls
        self.anchors = anchors
    }
}

/// Indices into a journey's steps of the touches that created the lead, the opportunity and
/// the customer (the last touch at or before each stage change), when known.
public struct StageAnchors: Sendable, Equatable {
    public var lead: Int?
    public var opportunity: Int?
    public var customer: Int?

    public init(lead: Int? = nil, opportunity: Int? = nil, customer: Int? = nil) {
        self.lead = lead
        self.opportunity = opportunity
        self.customer = customer
    }
}

/// Names of the units credited (channel ids or campaign names), indexed by the ids journeys use.
public struct UnitTable: Sendable, Equatable {
    public private(set) var names: [String] = []
    private var ids: [String: Int32] = [:]

    public init(_ names: [String] = []) { for n in names { _ = id(for: n) } }

    public mutating func id(for name: String) -> Int32 {
        if let id = ids[name] { return id }
        let id = Int32(names.count)
        names.append(name)
        ids[name] = id
        return id
    }

    public func lookup(_ name: String) -> Int32? { ids[name] }
    public var count: Int { names.count }
}

/// Credit per unit: conversions and revenue (minor units), indexed by unit id.
public struct Credit: Sendable, Equatable {
    public var conversions: [Double]
    public var value: [Double]

    public init(units: Int) {
        conversions = [Double](repeating: 0, count: units)
        value = [Double](repeating: 0, count: units)
    }

    /// Adds `share` of a journey's conversions and value to `unit`.
    @inline(__always)
    mutating func add(_ unit: Int32, share: Double, of journey: Journey) {
        conversions[Int(unit)] += share * journey.conversions
        value[Int(unit)] += share * journey.value
    }

    public var totalConversions: Double { conversions.reduce(0, +) }
}

/// A model that splits each conversion among the steps of its journey.
public protocol AttributionModel: Sendable {
    /// Stable id used on the command line (`first`, `time-decay`, `markov`…).
    var id: String { get }
    /// Credit for every unit over all journeys. `units` is the number of unit ids in use.
    func attribute(_ journeys: [Journey], units: Int) throws -> Credit
    /// Whether the credit depends on the paths that did not convert (false unless a model says so).
    var readsNullPaths: Bool { get }
    /// Whether the credit depends on the steps' times or stage anchors (true unless a model says
    /// it reads only the steps).
    var readsStepTimes: Bool { get }
}

extension AttributionModel {
    public var readsNullPaths: Bool { false }
    public var readsStepTimes: Bool { true }
}

/// A model whose credit for a journey depends on that journey alone: it gives weights to the
/// journey's steps, which add up to 1.
public protocol PerJourneyModel: AttributionModel {
    /// Weights of the journey's steps, summing to 1 (empty for an empty journey).
    func weights(_ journey: Journey) -> [Double]
}

extension PerJourneyModel {
    public func attribute(_ journeys: [Journey], units: Int) throws -> Credit {
        var credit = Credit(units: units)
        for journey in journeys where journey.conversions > 0 && !journey.steps.isEmpty {
            let w = weights(journey)
            for (i, unit) in journey.steps.enumerated() where w[i] != 0 { credit.add(unit, share: w[i], of: journey) }
        }
        return credit
    }
}

public enum AttributionError: Error, CustomStringConvertible, Equatable {
    case invalidOption(String)
    case noConversions

    public var description: String {
        switch self {
        case .invalidOption(let message): return message
        case .noConversions: return "there are no conversions to attribute in this range"
        }
    }
}
