import ChannelKit
import Foundation
import Warehouse

/// A lead's temperature as the articles define it.
public enum Temperature: String, Sendable, CaseIterable, Comparable {
    case hot, warm, cold, dormant

    public static func < (a: Temperature, b: Temperature) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// A lead's score and temperature on a day.
public struct LeadScore: Sendable, Equatable {
    public let leadID: Int64
    /// The lead's first key (its CRM id when it has one).
    public let key: String
    public let score: Double
    public let temperature: Temperature
    /// Touch kinds that earned points, with how many touches of each, most points first.
    public let signals: [(kind: String, count: Int, points: Double)]
    public let lastTouch: (at: Timestamp, channel: String, kind: String)?

    public static func == (a: LeadScore, b: LeadScore) -> Bool {
        a.leadID == b.leadID && a.score == b.score && a.temperature == b.temperature
    }
}

/// Scores every lead that is not yet a customer, as of the end of a day.
///
/// - **score** = Σ over the lead's touches up to the moment: points(kind) × 2^(−age / half-life),
///   plus the points of every fit rule its attributes match (not decayed);
/// - **dormant**: at least `dormant.attempts` outreach attempts went unanswered since the lead
///   last engaged (a touch other than an impression, or an answered attempt), and
///   `dormant.noResponseDays` have passed since that engagement (or since it was created). A
///   lead that engages again is active again;
/// - otherwise **hot**: a hot-signal touch within `hotWindowDays`;
/// - otherwise **warm**: a warm-signal touch within `warmWindowDays`, or a score ≥ `warmScore`;
/// - otherwise **cold**: contact details and nothing recent.
///
/// Leads created after the moment, and leads who converted by then, are not scored.
public struct LeadScorer: Sendable {
    public let rules: ScoringRules

    public init(rules: ScoringRules = .standard) { self.rules = rules }

    /// The end of the latest day with a touch or conversion: the default "as of".
    public static func latestDay(_ warehouse: Warehouse) throws -> Day? {
        let latest = try warehouse.db.scalarInt("SELECT max(t) FROM (SELECT max(occurred_at) AS t FROM touches UNION ALL SELECT max(converted_at) FROM conversions)")
        return latest.map { Timestamp(secondsSinceEpoch: $0).day }
    }

    /// Scores as of the end of `day` (23:59:59 UTC).
    public func scores(_ warehouse: Warehouse, asOf day: Day) throws -> [LeadScore] {
        let db = warehouse.db
        let now = day.adding(days: 1).start.secondsSinceEpoch - 1
        let halfLife = rules.halfLifeDays * 86_400
        let hot = Set(rules.temperature.hotSignals), warm = Set(rules.temperature.warmSignals)

        var attempts: [Int64: [(at: Int64, responded: Bool)]] = [:]
        try db.query("SELECT lead_id, attempted_at, responded FROM outreach_attempts WHERE attempted_at <= ? ORDER BY lead_id, attempted_at", [.integer(now)]) {
            attempts[$0.int(0), default: []].append(($0.int(1), $0.int(2) == 1))
        }
        var keys: [Int64: String] = [:]
        try db.query("SELECT lead_id, min(key) FROM lead_keys GROUP BY lead_id") { keys[$0.int(0)] = $0.text(1) }

        var results: [LeadScore] = []

        let fitSQL = rules.fit.isEmpty ? "0" : rules.fit.indices.map { i in
            let column = rules.fit[i].attribute  // checked against ScoringRules.attributes
            let list = rules.fit[i].values.indices.map { ":fit\(i)_\($0)" }.joined(separator: ", ")
            return column == "interests"
                ? "(CASE WHEN " + rules.fit[i].values.indices.map { "instr(';' || lower(l.interests) || ';', ';' || lower(:fit\(i)_\($0)) || ';') > 0" }.joined(separator: " OR ") + " THEN :fitpoints\(i) ELSE 0 END)"
                : "(CASE WHEN l.\(column) IN (\(list)) THEN :fitpoints\(i) ELSE 0 END)"
        }.joined(separator: " + ")
        var arguments: [String: SQLValue] = ["now": .integer(now)]
        for (i, f) in rules.fit.enumerated() {
            arguments["fitpoints\(i)"] = .real(f.points)
            for (j, v) in f.values.enumerated() { arguments["fit\(i)_\(j)"] = .text(v) }
        }
        // Each lead's touches come packed, in (time, id) order, from its journey row: one lookup
        // per lead instead of a search of the touchpoints (which have no index by lead).
        let kindNames = LeadJourneys.kinds.map(\.rawValue)
        try db.query("""
            SELECT l.id, l.created_at, \(fitSQL), j.touches
            FROM leads l LEFT JOIN lead_journeys j ON j.lead_id = l.id
            WHERE l.created_at <= :now
              AND NOT EXISTS (SELECT 1 FROM conversions c WHERE c.lead_id = l.id AND c.converted_at <= :now)
            ORDER BY l.id
            """, named: arguments) { s in
            let id = s.int(0), created = s.int(1), fit = s.double(2)
            var score = 0.0
            var signals: [String: (Int, Double)] = [:]
            var last: (Int64, String, String)?
            var lastHot: Int64?, lastWarm: Int64?, lastEngaged: Int64?
            s.withBlobBytes(3) { bytes in
                var touches = PackedTouches(bytes)
                var lastChannel = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
                var lastAt: Int64?, lastKind = ""
                while touches.next(), touches.at <= now {
                    let at = touches.at
                    let kind = kindNames[touches.kind]
                    let points = (rules.points[kind] ?? 0) * exp2(-Double(now - at) / halfLife)
                    score += points
                    if points > 0 { let old = signals[kind] ?? (0, 0); signals[kind] = (old.0 + 1, old.1 + points) }
                    if hot.contains(kind) { lastHot = at }
                    if warm.contains(kind) { lastWarm = at }
                    if kind != TouchKind.impression.rawValue { lastEngaged = at }
                    (lastAt, lastChannel, lastKind) = (at, touches.channel, kind)
                }
                if let lastAt { last = (lastAt, String(decoding: lastChannel, as: UTF8.self), lastKind) }
            }
            let total = score + fit
            var temperature: Temperature
            let engaged = max(lastEngaged ?? created, created)
            let answered = attempts[id]?.filter { $0.responded }.map(\.at).max() ?? created
            let since = max(engaged, answered)
            func within(_ at: Int64?, days: Double) -> Bool { at.map { Double(now - $0) <= days * 86_400 } ?? false }
            let unanswered = attempts[id]?.filter { !$0.responded && $0.at > since }.count ?? 0
            if unanswered >= rules.dormant.attempts && Double(now - since) >= rules.dormant.noResponseDays * 86_400 {
                temperature = .dormant
            } else if within(lastHot, days: rules.temperature.hotWindowDays) {
                temperature = .hot
            } else if within(lastWarm, days: rules.temperature.warmWindowDays) || total >= rules.temperature.warmScore {
                temperature = .warm
            } else {
                temperature = .cold
            }
            let list = signals.map { (kind: $0.key, count: $0.value.0, points: $0.value.1) }.sorted { ($0.points, $0.kind) > ($1.points, $1.kind) }
            results.append(LeadScore(leadID: id, key: keys[id] ?? "#\(id)", score: total, temperature: temperature, signals: list,
                                     lastTouch: last.map { (Timestamp(secondsSinceEpoch: $0.0), $0.1, $0.2) }))
        }
        return results
    }
}

/// How well temperatures predicted conversion: graded as of a past day, then the conversion
/// rate of each temperature over the following days.
public struct TemperatureValidation: Sendable {
    public struct Row: Sendable, Equatable {
        public let temperature: Temperature
        public let leads: Int
        public let converted: Int
        public var rate: Double? { leads == 0 ? nil : Double(converted) / Double(leads) }
    }

    public let asOf: Day
    public let horizonDays: Int
    public let rows: [Row]

    public static func compute(_ warehouse: Warehouse, scorer: LeadScorer, asOf day: Day, horizonDays: Int) throws -> TemperatureValidation {
        let scores = try scorer.scores(warehouse, asOf: day)
        let start = day.adding(days: 1).start.secondsSinceEpoch
        let end = day.adding(days: 1 + horizonDays).start.secondsSinceEpoch
        var converted = Set<Int64>()
        try warehouse.db.query("SELECT DISTINCT lead_id FROM conversions WHERE converted_at >= ? AND converted_at < ?", [.integer(start), .integer(end)]) {
            converted.insert($0.int(0))
        }
        let rows = Temperature.allCases.map { t in
            let leads = scores.filter { $0.temperature == t }
            return Row(temperature: t, leads: leads.count, converted: leads.filter { converted.contains($0.leadID) }.count)
        }
        return TemperatureValidation(asOf: day, horizonDays: horizonDays, rows: rows)
    }
}
