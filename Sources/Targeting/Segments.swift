import ChannelKit
import Foundation
import Reports
import Warehouse

/// Who belongs to a segment: criteria over the four families of the brief, combined with
/// `all` / `any` / `not`. Written in JSON:
///
/// ```json
/// {"all": [{"attribute": "country", "in": ["VN"]},
///          {"attribute": "company_size", "in": ["11-50", "51-200"]},
///          {"not": {"purchases": {"min": 1}}}]}
/// ```
///
/// - demographic and firmographic: `{"attribute": A, "in": [values]}` with A one of country,
///   region, age_band, gender, income_band, industry, company_size;
/// - interest and need: `{"interest": "automation"}` (one of the `;`-separated interests);
/// - purchase behaviour: `{"purchases": {"min": n, "max": m}}` (conversions) and
///   `{"touches": {"kinds": [...], "channel": "email", "min": n}}` (channel habits, online
///   buying with `checkout_start`…).
///
/// Every criterion is true or false for every lead, never unknown: an attribute criterion
/// holds only for a lead whose value is known and listed, so `not` is its exact complement (a
/// lead with no company size is `not 1000+`). Values compare as ``CriterionValues`` says
/// (trimmed, case-insensitive).
///
/// Criteria become SQL over a fixed list of columns with every value bound as a parameter:
/// nothing a user writes is pasted into SQL.
public indirect enum SegmentCriteria: Sendable, Equatable {
    case all([SegmentCriteria])
    case any([SegmentCriteria])
    case not(SegmentCriteria)
    case attribute(String, in: [String])
    case interest(String)
    case purchases(min: Int?, max: Int?)
    case touches(kinds: [String]?, channel: String?, min: Int)

    public static let attributes = ["country", "region", "age_band", "gender", "income_band", "industry", "company_size"]

    /// SQL over `leads l` that is 0 or 1 for every lead (never NULL, so that `NOT` complements
    /// it), appending its parameters to `arguments` (named `:s<n>`). Needs the functions of
    /// ``CriterionValues/define(on:)`` on the connection.
    func sql(_ arguments: inout [String: SQLValue]) throws -> String {
        func bind(_ v: SQLValue) -> String {
            let name = "s\(arguments.count)"
            arguments[name] = v
            return ":" + name
        }
        switch self {
        case .all(let parts):
            return parts.isEmpty ? "1" : "(" + (try parts.map { try $0.sql(&arguments) }).joined(separator: " AND ") + ")"
        case .any(let parts):
            return parts.isEmpty ? "0" : "(" + (try parts.map { try $0.sql(&arguments) }).joined(separator: " OR ") + ")"
        case .not(let part):
            return "NOT (" + (try part.sql(&arguments)) + ")"
        case .attribute(let name, let values):
            guard SegmentCriteria.attributes.contains(name) else {
                throw TargetingError.invalidFile("\"\(name)\" is not an attribute; expected one of \(SegmentCriteria.attributes.joined(separator: ", "))")
            }
            let folded = Set(values.map(CriterionValues.fold)).subtracting([""]).sorted()
            guard !folded.isEmpty else { return "0" }
            // An unknown value (NULL) makes IN unknown: coalesce makes it false.
            return "coalesce(\(CriterionValues.foldFunction)(l.\(name)) IN (" + folded.map { bind(.text($0)) }.joined(separator: ", ") + "), 0)"
        case .interest(let interest):
            let folded = CriterionValues.fold(interest)
            guard !folded.isEmpty else { return "0" }
            return "instr(\(CriterionValues.interestListFunction)(l.interests), ';' || \(bind(.text(folded))) || ';') > 0"
        case .purchases(let min, let max):
            let count = "(SELECT count(*) FROM conversions c WHERE c.lead_id = l.id)"
            var parts: [String] = []
            if let min { parts.append("\(count) >= \(bind(.integer(Int64(min))))") }
            if let max { parts.append("\(count) <= \(bind(.integer(Int64(max))))") }
            return parts.isEmpty ? "1" : "(" + parts.joined(separator: " AND ") + ")"
        case .touches(let kinds, let channel, let min):
            let known = Set(TouchKind.allCases.map(\.rawValue))
            for k in kinds ?? [] where !known.contains(k) { throw TargetingError.invalidFile("\"\(k)\" is not a touch kind") }
            guard min > 0 else { return "1" }
            // The leads with enough such touches, found in one grouped pass over the touch store
            // (no index by lead to count one lead's touches with), by kind and channel code.
            var filter = "1"
            if let kinds {
                filter += " AND t.kind_code IN (SELECT code FROM touch_kinds WHERE name IN (" + kinds.map { bind(.text($0)) }.joined(separator: ", ") + "))"
            }
            if let channel { filter += " AND t.channel_code = (SELECT code FROM channel_codes WHERE channel_id = \(bind(.text(channel))))" }
            return "l.id IN (SELECT t.lead_id FROM touches t WHERE \(filter) GROUP BY t.lead_id HAVING count(*) >= \(bind(.integer(Int64(min)))))"
        }
    }
}

extension SegmentCriteria: Codable {
    private struct Range: Codable { var min: Int?; var max: Int? }
    private struct Touches: Codable { var kinds: [String]?; var channel: String?; var min: Int? }
    private enum Keys: String, CodingKey { case all, any, not, attribute, `in`, interest, purchases, touches }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        let present = c.allKeys.filter { $0 != .in }
        guard present.count == 1, let key = present.first else {
            throw TargetingError.invalidFile("a criterion has exactly one of all, any, not, attribute (with in), interest, purchases, touches; found \(c.allKeys.map(\.stringValue))")
        }
        switch key {
        case .all: self = .all(try c.decode([SegmentCriteria].self, forKey: .all))
        case .any: self = .any(try c.decode([SegmentCriteria].self, forKey: .any))
        case .not: self = .not(try c.decode(SegmentCriteria.self, forKey: .not))
        case .attribute: self = .attribute(try c.decode(String.self, forKey: .attribute), in: try c.decode([String].self, forKey: .in))
        case .interest: self = .interest(try c.decode(String.self, forKey: .interest))
        case .purchases:
            let r = try c.decode(Range.self, forKey: .purchases)
            self = .purchases(min: r.min, max: r.max)
        case .touches:
            let t = try c.decode(Touches.self, forKey: .touches)
            self = .touches(kinds: t.kinds, channel: t.channel, min: t.min ?? 1)
        case .in: fatalError("unreachable")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        switch self {
        case .all(let p): try c.encode(p, forKey: .all)
        case .any(let p): try c.encode(p, forKey: .any)
        case .not(let p): try c.encode(p, forKey: .not)
        case .attribute(let a, let v): try c.encode(a, forKey: .attribute); try c.encode(v, forKey: .in)
        case .interest(let i): try c.encode(i, forKey: .interest)
        case .purchases(let min, let max): try c.encode(Range(min: min, max: max), forKey: .purchases)
        case .touches(let k, let ch, let min): try c.encode(Touches(kinds: k, channel: ch, min: min), forKey: .touches)
        }
    }
}

/// A named segment; targets are the ones the business chose to focus on.
public struct Segment: Codable, Sendable, Equatable {
    public let name: String
    public let target: Bool
    public let criteria: SegmentCriteria

    enum CodingKeys: String, CodingKey { case name, target, criteria }

    public init(name: String, target: Bool, criteria: SegmentCriteria) {
        self.name = name
        self.target = target
        self.criteria = criteria
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        target = try c.decodeIfPresent(Bool.self, forKey: .target) ?? false
        criteria = try c.decode(SegmentCriteria.self, forKey: .criteria)
    }

    /// Reads a segments file: `{"segments": [{"name": …, "target": true, "criteria": {…}}, …]}`.
    public static func load(_ data: Data) throws -> [Segment] {
        struct File: Decodable { let segments: [Segment] }
        let segments: [Segment]
        do { segments = try JSONDecoder().decode(File.self, from: data).segments } catch let e as TargetingError { throw e } catch {
            throw TargetingError.invalidFile("the segments file is not valid JSON of the documented shape: \(error)")
        }
        var arguments: [String: SQLValue] = [:]
        for s in segments { _ = try s.criteria.sql(&arguments) }  // check every criterion now
        guard Set(segments.map(\.name)).count == segments.count else { throw TargetingError.invalidFile("two segments have the same name") }
        return segments
    }

    /// Ids of the leads in the segment.
    public func members(_ warehouse: Warehouse) throws -> Set<Int64> {
        var arguments: [String: SQLValue] = [:]
        let condition = try criteria.sql(&arguments)
        try CriterionValues.define(on: warehouse.db)
        var ids = Set<Int64>()
        try warehouse.db.query("SELECT l.id FROM leads l WHERE \(condition)", named: arguments) { ids.insert($0.int(0)) }
        return ids
    }
}

/// Per segment: leads, share, customers, conversion rate, apportioned cost, CPL, CAC and the
/// channels that bring it; and per channel, how many of its leads are targets.
///
/// Costs are apportioned through the channels: a lead carries its first-touch channel's cost per
/// lead (the channel's spend / its leads), so a segment's cost is Σ over channels of
/// (its leads from the channel × the channel's CPL). Channels without recorded costs add nothing.
public struct SegmentReport: Sendable {
    public struct Row: Sendable, Equatable {
        public let name: String
        public let target: Bool
        public let leads: Int
        public let share: Double?
        public let customers: Int
        public let conversionRate: Double?
        public let costMinor: Double?
        public let topChannels: [(channel: String, leads: Int)]

        public var costPerLeadMinor: Double? { costMinor.flatMap { leads == 0 ? nil : $0 / Double(leads) } }
        public var costPerCustomerMinor: Double? { costMinor.flatMap { customers == 0 ? nil : $0 / Double(customers) } }

        public static func == (a: Row, b: Row) -> Bool {
            a.name == b.name && a.leads == b.leads && a.customers == b.customers && a.costMinor == b.costMinor
        }
    }

    public struct ChannelSplit: Sendable, Equatable {
        public let channel: String
        public let leads: Int
        public let targets: Int
        public var potentialOnly: Int { leads - targets }
        public var targetShare: Double? { leads == 0 ? nil : Double(targets) / Double(leads) }
    }

    public let rows: [Row]
    public let channels: [ChannelSplit]
    public let currency: Currency?

    public static func compute(_ warehouse: Warehouse, segments: [Segment]) throws -> SegmentReport {
        let db = warehouse.db
        var channelOf: [Int64: String] = [:]
        var customers = Set<Int64>()
        try db.query("SELECT f.lead_id, \(ChannelReport.firstTouchChannel("f")) FROM lead_firsts f") { channelOf[$0.int(0)] = $0.text(1) ?? "direct" }
        try db.query("SELECT DISTINCT lead_id FROM conversions") { customers.insert($0.int(0)) }
        var spend: [String: Int64] = [:]
        var currencies = Set<String>()
        try db.query("SELECT channel_id, currency, sum(amount_minor) FROM costs GROUP BY channel_id, currency") {
            let channel = $0.text(0) ?? ""
            spend[channel] = try ReportError.sum(spend[channel] ?? 0, $0.int(2), "the spend of \(channel)")
            currencies.insert($0.text(1) ?? "")
        }
        guard currencies.count <= 1 else { throw ReportError.mixedCurrencies(currencies.sorted()) }
        var leadsPerChannel: [String: Int] = [:]
        for c in channelOf.values { leadsPerChannel[c, default: 0] += 1 }
        let cpl = spend.reduce(into: [String: Double]()) { out, e in
            if let n = leadsPerChannel[e.key], n > 0 { out[e.key] = Double(e.value) / Double(n) }
        }
        let total = channelOf.count
        var targets = Set<Int64>()
        var rows: [Row] = []
        for segment in segments {
            let members = try segment.members(warehouse)
            if segment.target { targets.formUnion(members) }
            var byChannel: [String: Int] = [:]
            for id in members { byChannel[channelOf[id] ?? "direct", default: 0] += 1 }
            let bought = members.filter { customers.contains($0) }.count
            let cost: Double? = cpl.isEmpty ? nil : byChannel.reduce(0) { $0 + Double($1.value) * (cpl[$1.key] ?? 0) }
            rows.append(Row(name: segment.name, target: segment.target, leads: members.count,
                            share: total == 0 ? nil : Double(members.count) / Double(total), customers: bought,
                            conversionRate: members.isEmpty ? nil : Double(bought) / Double(members.count), costMinor: members.isEmpty ? nil : cost,
                            topChannels: byChannel.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(3).map { ($0.key, $0.value) }))
        }
        var split: [String: (Int, Int)] = [:]
        for (id, channel) in channelOf {
            let t = split[channel] ?? (0, 0)
            split[channel] = (t.0 + 1, t.1 + (targets.contains(id) ? 1 : 0))
        }
        let channels = split.map { ChannelSplit(channel: $0.key, leads: $0.value.0, targets: $0.value.1) }.sorted { ($0.leads, $1.channel) > ($1.leads, $0.channel) }
        return SegmentReport(rows: rows, channels: channels, currency: currencies.first.flatMap { Currency($0) })
    }
}

/// The buyer persona: attribute values over-represented among customers.
///
/// For every value v of every attribute (and every declared interest):
/// lift = (customers with v / customers with the attribute known) ÷ (leads with v / leads with
/// the attribute known). A lift of 2 means the value is twice as common among buyers as among
/// all leads. Every value some lead holds is listed, with its counts (a value no customer holds
/// has lift 0; with no customer knowing the attribute, shares and lift are undefined);
/// ``overRepresented(minimumCustomers:)`` is the filtered view people read. Values compare as
/// ``CriterionValues`` says; each is shown in the spelling of the first lead that has it.
public struct Persona: Sendable {
    public struct Trait: Sendable, Equatable {
        public let attribute: String
        public let value: String
        public let customers: Int
        public let leads: Int
        /// nil when no customer has the attribute known.
        public let customerShare: Double?
        public let leadShare: Double
        public var lift: Double? { customerShare.map { $0 / leadShare } }
    }

    public let traits: [Trait]
    public let customers: Int

    /// The values worth a look: lift above 1, held by at least `minimumCustomers` customers
    /// (fewer is noise).
    public func overRepresented(minimumCustomers: Int) -> [Trait] {
        traits.filter { $0.customers >= minimumCustomers && ($0.lift ?? 0) > 1 }
    }

    public static func compute(_ warehouse: Warehouse, channel: String? = nil) throws -> Persona {
        let db = warehouse.db
        try CriterionValues.define(on: db)
        let scope = channel == nil ? "1" : "l.id IN (SELECT f.lead_id FROM lead_firsts f WHERE \(ChannelReport.firstTouchChannel("f")) = :channel)"
        let arguments: [String: SQLValue] = channel.map { ["channel": .text($0)] } ?? [:]
        var traits: [Trait] = []
        var customerCount = 0
        try db.query("SELECT count(*) FROM leads l WHERE \(scope) AND EXISTS (SELECT 1 FROM conversions c WHERE c.lead_id = l.id)", named: arguments) {
            customerCount = Int($0.int(0))
        }
        for attribute in SegmentCriteria.attributes + ["interests"] {
            var leads: [String: Int] = [:], buyers: [String: Int] = [:], spelling: [String: String] = [:]
            var knownLeads = 0, knownBuyers = 0
            // The column name comes from the fixed list above, never from user text.
            try db.query("""
                SELECT l.\(attribute), EXISTS (SELECT 1 FROM conversions c WHERE c.lead_id = l.id)
                FROM leads l WHERE \(scope) AND l.\(attribute) IS NOT NULL ORDER BY l.id
                """, named: arguments) { s in
                let raw = s.text(0) ?? ""
                let values: [(key: String, shown: String)] = attribute == "interests"
                    ? CriterionValues.interests(raw).map { ($0, $0) }
                    : [(CriterionValues.fold(raw), raw.trimmingCharacters(in: .whitespacesAndNewlines))]
                let distinct = values.filter { !$0.key.isEmpty }
                guard !distinct.isEmpty else { return }  // blank: unknown
                let bought = s.int(1) == 1
                knownLeads += 1
                if bought { knownBuyers += 1 }
                for v in Dictionary(distinct.map { ($0.key, $0.shown) }, uniquingKeysWith: { a, _ in a }) {
                    if spelling[v.key] == nil { spelling[v.key] = v.value }
                    leads[v.key, default: 0] += 1
                    if bought { buyers[v.key, default: 0] += 1 }
                }
            }
            for (key, n) in leads {
                let bought = buyers[key] ?? 0
                traits.append(Trait(attribute: attribute, value: spelling[key]!, customers: bought, leads: n,
                                    customerShare: knownBuyers == 0 ? nil : Double(bought) / Double(knownBuyers),
                                    leadShare: Double(n) / Double(knownLeads)))
            }
        }
        return Persona(traits: traits.sorted { ($0.lift ?? -1, $0.customers, $1.attribute, $1.value) > ($1.lift ?? -1, $1.customers, $0.attribute, $0.value) },
                       customers: customerCount)
    }
}
