/// # Targeting — which leads to chase, and who the business wants
///
/// The source articles tell *potential* customers (every lead) from *target* customers (leads
/// inside segments the business chose), grade leads hot, warm or cold by their behaviour, and
/// say when to stop chasing a lead. This module does that from the warehouse:
///
/// - ``ScoringRules`` (a JSON file; `datasets/scoring-rules.json` is the default) give points
///   per touch kind, points for fit attributes and a decay half-life; ``LeadScorer`` computes
///   every lead's score and ``Temperature`` as of any day, and ``TemperatureValidation`` shows
///   how well the temperatures predicted conversion;
/// - ``SegmentCriteria`` (a JSON file; `datasets/segments.json`) define segments over the four
///   families of the brief, some marked as targets; ``SegmentReport`` gives their KPIs and the
///   target / potential-only split per channel, and ``Persona`` the attribute values
///   over-represented among customers.
///
/// Formulas and defaults: `docs/scoring.md`.
import ChannelKit
import Foundation

/// How leads are scored and graded. Every field has a documented default, so a rules file need
/// only say what it changes.
public struct ScoringRules: Codable, Sendable, Equatable {
    /// Points per touch kind (kinds not listed score 0).
    public var points: [String: Double]
    /// Points for attributes that fit the business (not decayed).
    public var fit: [FitRule]
    /// Behaviour loses half its points every `halfLifeDays`.
    public var halfLifeDays: Double
    public var temperature: TemperatureRules
    public var dormant: DormantRules

    public struct FitRule: Codable, Sendable, Equatable {
        public var attribute: String
        public var values: [String]
        public var points: Double
    }

    public struct TemperatureRules: Codable, Sendable, Equatable {
        /// Touch kinds that make a lead hot when they happened within `hotWindowDays`.
        public var hotSignals: [String]
        public var hotWindowDays: Double
        /// Touch kinds that make a lead warm when they happened within `warmWindowDays`.
        public var warmSignals: [String]
        public var warmWindowDays: Double
        /// A score at or above this makes a lead warm whatever its signals.
        public var warmScore: Double
    }

    public struct DormantRules: Codable, Sendable, Equatable {
        /// Unanswered outreach attempts since the lead last engaged…
        public var attempts: Int
        /// …and this many days without engagement make a lead dormant.
        public var noResponseDays: Double
    }

    public static let standard = ScoringRules(
        points: ["impression": 0, "visit": 1, "click": 2, "email_open": 1, "download": 5, "newsletter_signup": 5, "referral": 8,
                 "event_attend": 8, "form_submit": 10, "consultation": 25, "quote_request": 30, "checkout_start": 40],
        fit: [],
        halfLifeDays: 30,
        temperature: TemperatureRules(hotSignals: ["quote_request", "consultation", "checkout_start"], hotWindowDays: 14,
                                      warmSignals: ["download", "newsletter_signup", "email_open", "click", "event_attend", "referral"],
                                      warmWindowDays: 60, warmScore: 15),
        dormant: DormantRules(attempts: 3, noResponseDays: 30))

    /// Attributes a fit rule may name (the warehouse's lead columns).
    public static let attributes = ["country", "region", "age_band", "gender", "income_band", "industry", "company_size", "interests"]

    enum CodingKeys: String, CodingKey { case points, fit, halfLifeDays, temperature, dormant }

    public init(points: [String: Double], fit: [FitRule], halfLifeDays: Double, temperature: TemperatureRules, dormant: DormantRules) {
        self.points = points
        self.fit = fit
        self.halfLifeDays = halfLifeDays
        self.temperature = temperature
        self.dormant = dormant
    }

    /// Missing fields take the standard values.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = ScoringRules.standard
        points = try c.decodeIfPresent([String: Double].self, forKey: .points) ?? d.points
        fit = try c.decodeIfPresent([FitRule].self, forKey: .fit) ?? d.fit
        halfLifeDays = try c.decodeIfPresent(Double.self, forKey: .halfLifeDays) ?? d.halfLifeDays
        temperature = try c.decodeIfPresent(TemperatureRules.self, forKey: .temperature) ?? d.temperature
        dormant = try c.decodeIfPresent(DormantRules.self, forKey: .dormant) ?? d.dormant
    }

    /// Reads a rules file, checking every name and number in it.
    public static func load(_ data: Data) throws -> ScoringRules {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let rules: ScoringRules
        do { rules = try decoder.decode(ScoringRules.self, from: data) } catch {
            throw TargetingError.invalidFile("the scoring rules are not valid JSON of the documented shape: \(error)")
        }
        try rules.validate()
        return rules
    }

    func validate() throws {
        let kinds = Set(TouchKind.allCases.map(\.rawValue))
        for k in points.keys where !kinds.contains(k) { throw TargetingError.invalidFile("points: \"\(k)\" is not a touch kind (\(kinds.sorted().joined(separator: ", ")))") }
        for k in temperature.hotSignals + temperature.warmSignals where !kinds.contains(k) {
            throw TargetingError.invalidFile("temperature: \"\(k)\" is not a touch kind")
        }
        for f in fit where !ScoringRules.attributes.contains(f.attribute) {
            throw TargetingError.invalidFile("fit: \"\(f.attribute)\" is not an attribute (\(ScoringRules.attributes.joined(separator: ", ")))")
        }
        guard halfLifeDays > 0, temperature.hotWindowDays > 0, temperature.warmWindowDays > 0, dormant.attempts > 0, dormant.noResponseDays >= 0 else {
            throw TargetingError.invalidFile("half_life_days, the windows and dormant.attempts must be positive")
        }
    }
}

public enum TargetingError: Error, CustomStringConvertible, Equatable {
    case invalidFile(String)

    public var description: String {
        switch self { case .invalidFile(let m): return m }
    }
}
