import Foundation
import Testing
import ChannelKit
import ChannelRegistry
import Ingest
import TestSupport
import Warehouse
@testable import Targeting

/// A small warehouse written by hand; each test adds what it needs.
struct Fixture {
    let dir = TemporaryDirectory()
    let warehouse: Warehouse
    let importer: Importer
    var n = 0

    init() throws {
        warehouse = try Warehouse(path: dir.file("w.sqlite"), channels: ChannelRegistry.all)
        importer = try Importer(warehouse: warehouse, channels: ChannelRegistry.all)
    }

    mutating func load(_ source: String, _ text: String) throws {
        n += 1
        let r = try importer.importFile(source: source, path: dir.write("\(source)\(n).csv", text))
        precondition(r.rejects.isEmpty, "\(r.rejects)")
    }

    func score(_ key: String, _ scores: [LeadScore]) -> LeadScore? { scores.first { $0.key == key } }
}

let day: Double = 86_400
let march31 = Day(year: 2026, month: 3, day: 31)!
/// The moment scores are taken: 2026-03-31T23:59:59Z.
let now = "2026-03-31T23:59:59Z"

@Suite struct ScoringTests {
    @Test func pointsDecayByTheHalfLife() throws {
        var f = try Fixture()
        try f.load("leads", "lead_id,created_at,country,industry\nL1,2026-01-01T00:00:00Z,VN,retail\n")
        // A download exactly 30 days (one half-life) before the moment, a quote request 60 days before, a visit now.
        try f.load("touches", """
            occurred_at,lead_id,event
            2026-03-01T23:59:59Z,L1,download
            2026-01-30T23:59:59Z,L1,quote_request
            2026-03-31T23:59:59Z,L1,visit
            """)
        var rules = ScoringRules.standard
        rules.fit = [.init(attribute: "country", values: ["VN"], points: 3), .init(attribute: "industry", values: ["retail"], points: 5),
                     .init(attribute: "company_size", values: ["1000+"], points: 100)]
        let s = try #require(f.score("L1", LeadScorer(rules: rules).scores(f.warehouse, asOf: march31)))
        // 5 × 1/2 + 30 × 1/4 + 1 × 1 + fit 3 + 5 (not the unmatched company size).
        #expect(abs(s.score - (2.5 + 7.5 + 1 + 8)) < 1e-9)
        #expect(s.signals.map(\.kind) == ["quote_request", "download", "visit"])
    }

    @Test func hotWindowBoundaries() throws {
        var f = try Fixture()
        try f.load("leads", "lead_id,created_at\nIN,2026-01-01T00:00:00Z\nOUT,2026-01-01T00:00:00Z\nFUTURE,2026-01-01T00:00:00Z\n")
        // 14 days exactly before the moment is inside the window; one second more is outside.
        try f.load("touches", """
            occurred_at,lead_id,event
            2026-03-17T23:59:59Z,IN,consultation
            2026-03-17T23:59:58Z,OUT,consultation
            2026-04-01T00:00:00Z,FUTURE,checkout_start
            """)
        var rules = ScoringRules.standard
        rules.temperature.warmScore = 1_000  // only signals make warm here
        let scores = try LeadScorer(rules: rules).scores(f.warehouse, asOf: march31)
        #expect(f.score("IN", scores)?.temperature == .hot)
        #expect(f.score("OUT", scores)?.temperature == .cold)  // a consultation is no warm signal
        // Touches after the moment do not count.
        #expect(f.score("FUTURE", scores)?.temperature == .cold && f.score("FUTURE", scores)?.score == 0)
    }

    @Test func warmBySignalOrByScoreAndCustomersAreNotScored() throws {
        var f = try Fixture()
        try f.load("leads", "lead_id,created_at\nSIGNAL,2026-01-01T00:00:00Z\nSCORE,2026-01-01T00:00:00Z\nBOUGHT,2026-01-01T00:00:00Z\nLATE,2026-04-05T00:00:00Z\n")
        try f.load("touches", """
            occurred_at,lead_id,event
            2026-02-01T00:00:01Z,SIGNAL,download
            2026-03-31T12:00:00Z,SCORE,form_submit
            2026-03-31T12:30:00Z,SCORE,form_submit
            2026-03-30T00:00:00Z,BOUGHT,quote_request
            """)
        try f.load("conversions", "lead_id,converted_at,revenue,currency\nBOUGHT,2026-03-31T00:00:00Z,10.00,USD\n")
        let scores = try LeadScorer().scores(f.warehouse, asOf: march31)
        // A download 58.99 days ago is inside the 60-day warm window; two fresh form submits score ≈ 20 ≥ 15.
        #expect(f.score("SIGNAL", scores)?.temperature == .warm)
        #expect(f.score("SCORE", scores)?.temperature == .warm)
        #expect(f.score("BOUGHT", scores) == nil)
        #expect(f.score("LATE", scores) == nil)
        // As of the day before the conversion, the buyer was a hot lead.
        let before = try LeadScorer().scores(f.warehouse, asOf: Day(year: 2026, month: 3, day: 30)!)
        #expect(f.score("BOUGHT", before)?.temperature == .hot)
    }

    @Test func dormantAfterUnansweredAttemptsAndActiveAgainAfterEngaging() throws {
        var f = try Fixture()
        try f.load("leads", "lead_id,created_at\nL1,2026-01-01T00:00:00Z\n")
        try f.load("touches", "occurred_at,lead_id,event\n2026-01-02T00:00:00Z,L1,download\n")
        try f.load("outreach", """
            lead_id,attempted_at,channel,responded
            L1,2026-01-05T00:00:00Z,call,no
            L1,2026-01-10T00:00:00Z,email,no
            L1,2026-01-20T00:00:00Z,call,no
            """)
        let scorer = LeadScorer()
        // Three unanswered attempts, but only 29 days since the download on 2 January: not yet.
        #expect(f.score("L1", try scorer.scores(f.warehouse, asOf: Day(year: 2026, month: 1, day: 30)!))?.temperature != .dormant)
        // 30 days after the last engagement: dormant.
        #expect(f.score("L1", try scorer.scores(f.warehouse, asOf: Day(year: 2026, month: 2, day: 1)!))?.temperature == .dormant)
        // The lead visits again on 3 February: active again (and warm from the download? no: 60 days have not passed, so warm).
        try f.load("touches", "occurred_at,lead_id,event\n2026-02-03T00:00:00Z,L1,visit\n")
        #expect(f.score("L1", try scorer.scores(f.warehouse, asOf: Day(year: 2026, month: 2, day: 5)!))?.temperature == .warm)
        // An answered attempt also counts as engagement.
        var g = try Fixture()
        try g.load("leads", "lead_id,created_at\nL2,2026-01-01T00:00:00Z\n")
        try g.load("outreach", """
            lead_id,attempted_at,channel,responded
            L2,2026-01-05T00:00:00Z,call,no
            L2,2026-01-06T00:00:00Z,call,no
            L2,2026-01-07T00:00:00Z,call,yes
            L2,2026-01-08T00:00:00Z,call,no
            """)
        #expect(g.score("L2", try scorer.scores(g.warehouse, asOf: Day(year: 2026, month: 3, day: 1)!))?.temperature == .cold)
    }

    @Test func validationCountsConversionsAfterTheDay() throws {
        var f = try Fixture()
        try f.load("leads", "lead_id,created_at\nH,2026-01-01T00:00:00Z\nC,2026-01-01T00:00:00Z\n")
        try f.load("touches", "occurred_at,lead_id,event\n2026-01-30T00:00:00Z,H,quote_request\n")
        try f.load("conversions", "lead_id,converted_at,revenue,currency\nH,2026-02-10T00:00:00Z,10.00,USD\nC,2026-03-20T00:00:00Z,10.00,USD\n")
        let v = try TemperatureValidation.compute(f.warehouse, scorer: LeadScorer(), asOf: Day(year: 2026, month: 1, day: 31)!, horizonDays: 30)
        #expect(v.rows.first { $0.temperature == .hot } == .init(temperature: .hot, leads: 1, converted: 1))
        // C converted 48 days later: outside the 30-day horizon.
        #expect(v.rows.first { $0.temperature == .cold } == .init(temperature: .cold, leads: 1, converted: 0))
    }

    @Test func rulesFilesAreCheckedAndFillDefaults() throws {
        let rules = try ScoringRules.load(Data(#"{"half_life_days": 7, "points": {"visit": 2}}"#.utf8))
        #expect(rules.halfLifeDays == 7 && rules.points == ["visit": 2] && rules.temperature == ScoringRules.standard.temperature)
        #expect(throws: TargetingError.self) { try ScoringRules.load(Data(#"{"points": {"teleport": 5}}"#.utf8)) }
        #expect(throws: TargetingError.self) { try ScoringRules.load(Data(#"{"fit": [{"attribute": "salary; DROP TABLE leads", "values": ["x"], "points": 1}]}"#.utf8)) }
        let shipped = try #require(FileManager.default.contents(atPath: packageRoot() + "/datasets/scoring-rules.json"))
        #expect(try ScoringRules.load(shipped).points["checkout_start"] == 40)
    }
}

@Suite struct SegmentTests {
    func fixture() throws -> Fixture {
        var f = try Fixture()
        try f.load("leads", """
            lead_id,created_at,country,region,age_band,industry,company_size,interests
            A,2026-01-01T00:00:00Z,VN,Hanoi,25-34,Retail,11-50,automation;crm
            B,2026-01-01T00:00:00Z,VN,Hanoi,45-54,technology,51-200,analytics
            C,2026-01-01T00:00:00Z,SG,Central,25-34,retail,1000+,Automation
            D,2026-01-01T00:00:00Z,TH,Bangkok,18-24,,,
            """)
        try f.load("touches", """
            occurred_at,lead_id,utm_source,utm_medium,event
            2026-01-02T00:00:00Z,A,newsletter,email,visit
            2026-01-03T00:00:00Z,A,newsletter,email,click
            2026-01-02T00:00:00Z,B,facebook,paid_social,visit
            2026-01-02T00:00:00Z,C,newsletter,email,checkout_start
            """)
        try f.load("conversions", "lead_id,converted_at,revenue,currency\nA,2026-01-10T00:00:00Z,10.00,USD\nA,2026-02-10T00:00:00Z,10.00,USD\nC,2026-01-10T00:00:00Z,10.00,USD\n")
        return f
    }

    func members(_ f: Fixture, _ json: String) throws -> Set<String> {
        try members(f, try JSONDecoder().decode(SegmentCriteria.self, from: Data(json.utf8)))
    }

    @Test func andOrNotOverTheFourFamilies() throws {
        let f = try fixture()
        #expect(try members(f, #"{"attribute": "country", "in": ["vn"]}"#) == ["A", "B"])
        #expect(try members(f, #"{"attribute": "industry", "in": ["RETAIL"]}"#) == ["A", "C"])
        #expect(try members(f, #"{"all": [{"attribute": "country", "in": ["VN"]}, {"attribute": "industry", "in": ["retail"]}]}"#) == ["A"])
        #expect(try members(f, #"{"any": [{"attribute": "region", "in": ["Bangkok"]}, {"interest": "AUTOMATION"}]}"#) == ["A", "C", "D"])
        #expect(try members(f, #"{"not": {"attribute": "age_band", "in": ["25-34"]}}"#) == ["B", "D"])
        #expect(try members(f, #"{"interest": "crm"}"#) == ["A"])
        #expect(try members(f, #"{"purchases": {"min": 2}}"#) == ["A"])
        #expect(try members(f, #"{"purchases": {"max": 0}}"#) == ["B", "D"])
        #expect(try members(f, #"{"touches": {"channel": "email", "min": 2}}"#) == ["A"])
        #expect(try members(f, #"{"touches": {"kinds": ["checkout_start"]}}"#) == ["C"])
        #expect(try members(f, #"{"all": []}"#) == ["A", "B", "C", "D"])
    }

    @Test func userTextNeverBecomesSQL() throws {
        let f = try fixture()
        #expect(try members(f, #"{"attribute": "country", "in": ["VN') OR 1=1 --"]}"#).isEmpty)
        #expect(throws: TargetingError.self) { try members(f, #"{"attribute": "country = country OR 1", "in": ["x"]}"#) }
        #expect(throws: (any Error).self) { try members(f, #"{"attribute": "country", "in": ["VN"], "interest": "x"}"#) }
        #expect(try f.warehouse.db.scalarInt("SELECT count(*) FROM leads") == 4)
    }

    @Test func segmentReportApportionsCostsThroughChannels() throws {
        var f = try fixture()
        // Social spent 50.00; its only lead is B, so B carries a cost of 50.00.
        try f.load("social", "Day,Campaign name,Amount spent (USD),Impressions\n2026-01-02,Promo,50.00,1000\n")
        let segments = [Segment(name: "Vietnam", target: true, criteria: .attribute("country", in: ["VN"])),
                        Segment(name: "Buyers", target: false, criteria: .purchases(min: 1, max: nil))]
        let report = try SegmentReport.compute(f.warehouse, segments: segments)
        let vietnam = try #require(report.rows.first)
        #expect(vietnam.leads == 2 && vietnam.share == 0.5 && vietnam.customers == 1 && vietnam.conversionRate == 0.5)
        #expect(vietnam.costMinor == 5_000 && vietnam.costPerLeadMinor == 2_500 && vietnam.costPerCustomerMinor == 5_000)
        // Email has A (target) and C; social has B (target); direct has D.
        #expect(report.channels.map { "\($0.channel):\($0.leads)/\($0.targets)" }.sorted() == ["direct:1/0", "email:2/1", "social:1/1"])
    }

    @Test func personaLiftByHand() throws {
        let f = try fixture()
        let persona = try Persona.compute(f.warehouse)
        // Customers A and C. industry known for 3 leads (A, B, C), retail for 2 of them and both customers:
        // share among customers 2/2, among leads 2/3: lift 1.5.
        let retail = try #require(persona.traits.first { $0.attribute == "industry" && $0.value == "retail" })
        #expect(retail.customers == 2 && retail.leads == 2 && abs(retail.lift! - 1.5) < 1e-12)
        // Interests: automation held by A and C (customers both), known for A, B, C: lift 1.5; crm by A only: (1/2)/(1/3) = 1.5.
        let automation = try #require(persona.traits.first { $0.attribute == "interests" && $0.value == "automation" })
        #expect(abs(automation.lift! - 1.5) < 1e-12)
        // Per channel: email's leads are A and C, both customers: every value has lift 1.
        let email = try Persona.compute(f.warehouse, channel: "email")
        #expect(email.customers == 2 && email.traits.allSatisfy { abs($0.lift! - 1) < 1e-12 || $0.attribute == "interests" })
    }

    @Test func personaListsEveryValueAndFiltersOnlyTheReadersView() throws {
        let f = try fixture()
        let persona = try Persona.compute(f.warehouse)
        // Every value some lead holds is listed, with counts, including those no customer holds:
        // B's technology (1 of 3 leads with an industry, no customer) has lift 0.
        let technology = try #require(persona.traits.first { $0.attribute == "industry" && $0.value == "technology" })
        #expect(technology.customers == 0 && technology.leads == 1 && technology.lift == 0)
        // Leads A, B, C, D hold 3 countries, 4 regions, 3 age bands, 2 industries, 3 sizes, 3 interests
        // ("Automation" and "automation" are one); D's blank industry, size and interests are unknown.
        let values = Dictionary(grouping: persona.traits, by: \.attribute).mapValues(\.count)
        #expect(values == ["country": 3, "region": 3, "age_band": 3, "industry": 2, "company_size": 3, "interests": 3])
        // Per channel: social's only lead (B) never bought, so every share among customers is undefined.
        let social = try Persona.compute(f.warehouse, channel: "social")
        #expect(social.customers == 0 && !social.traits.isEmpty && social.traits.allSatisfy { $0.customerShare == nil && $0.lift == nil })
        // The reader's view keeps lift > 1 held by enough customers: both customers (A, C) are
        // 25-34, as are 2 of the 4 leads: lift (2/2)/(2/4) = 2; retail and automation 1.5.
        #expect(Set(persona.overRepresented(minimumCustomers: 2).map(\.value)) == ["retail", "25-34", "automation"])
        #expect(persona.overRepresented(minimumCustomers: 1).allSatisfy { $0.lift! > 1 && $0.customers >= 1 })
    }

    @Test func unknownValuesAreNotInAnyListSoNotIsTheComplement() throws {
        var f = try Fixture()
        try f.load("leads", """
            lead_id,created_at,region,industry,company_size,interests
            BIG,2026-01-01T00:00:00Z,Hà Nội,Retail,1000+,CRM
            SMALL,2026-01-01T00:00:00Z,HÀ NỘI ,retail,11-50, automation ;  crm
            UNKNOWN,2026-01-01T00:00:00Z,,,,
            """)
        #expect(try members(f, #"{"attribute": "company_size", "in": ["1000+"]}"#) == ["BIG"])
        // A lead with no company size is "not 1000+" (the shipped "Young city shoppers" relies on it).
        #expect(try members(f, #"{"not": {"attribute": "company_size", "in": ["1000+"]}}"#) == ["SMALL", "UNKNOWN"])
        #expect(try members(f, #"{"not": {"interest": "crm"}}"#) == ["UNKNOWN"])
        // Case and surrounding spaces do not matter, in values and in interests, beyond ASCII too.
        #expect(try members(f, #"{"attribute": "region", "in": ["hà nội"]}"#) == ["BIG", "SMALL"])
        #expect(try members(f, #"{"attribute": "industry", "in": [" RETAIL"]}"#) == ["BIG", "SMALL"])
        #expect(try members(f, #"{"interest": "Automation"}"#) == ["SMALL"])
        #expect(try members(f, #"{"interest": "crm"}"#) == ["BIG", "SMALL"])
        // An empty value names no lead, not the unknown ones.
        #expect(try members(f, #"{"attribute": "region", "in": [""]}"#).isEmpty)
    }

    /// For random criteria over leads with unknown, mixed-case and spaced values: the SQL gives
    /// the members a direct evaluation of the documented rule gives, and a criterion and its
    /// negation split the leads in two.
    @Test(arguments: 0..<6) func criteriaAgreeWithTheRuleAndNegationPartitions(seed: UInt64) throws {
        var rng = SplitMix(seed: seed)
        var f = try Fixture()
        let regions = ["Hanoi", "hanoi", " Hanoi", "Đà Nẵng", "ĐÀ NẴNG", "Hue", ""]
        let sizes = ["1-10", "11-50", "1000+", ""]
        let interests = ["crm", "CRM", "automation", " analytics ", ""]
        var csv = "lead_id,created_at,region,company_size,interests\n"
        for i in 0..<60 {
            let picked = (0..<Int.random(in: 0...3, using: &rng)).map { _ in interests.randomElement(using: &rng)! }
            csv += "L\(i),2026-01-01T00:00:00Z,\"\(regions.randomElement(using: &rng)!)\",\(sizes.randomElement(using: &rng)!),\"\(picked.joined(separator: ";"))\"\n"
        }
        try f.load("leads", csv)
        var stored: [String: [String: String?]] = [:]
        try f.warehouse.db.query("SELECT k.key, l.region, l.company_size, l.interests FROM leads l JOIN lead_keys k ON k.lead_id = l.id") {
            stored[$0.text(0)!] = ["region": $0.text(1), "company_size": $0.text(2), "interests": $0.text(3)]
        }
        func fold(_ s: String) -> String { s.trimmingCharacters(in: .whitespaces).lowercased() }
        func holds(_ c: SegmentCriteria, _ lead: [String: String?]) -> Bool {
            switch c {
            case .all(let parts): return parts.allSatisfy { holds($0, lead) }
            case .any(let parts): return parts.contains { holds($0, lead) }
            case .not(let part): return !holds(part, lead)
            case .attribute(let name, let values):
                guard let value = lead[name] ?? nil, !fold(value).isEmpty else { return false }
                return values.map(fold).contains(fold(value))
            case .interest(let i):
                return ((lead["interests"] ?? nil) ?? "").split(separator: ";").map { fold(String($0)) }.contains(fold(i)) && !fold(i).isEmpty
            default: return true
            }
        }
        func draw(_ depth: Int) -> SegmentCriteria {
            switch Int.random(in: 0..<(depth > 2 ? 3 : 6), using: &rng) {
            case 0: return .attribute("region", in: (0..<Int.random(in: 1...2, using: &rng)).map { _ in regions.randomElement(using: &rng)! })
            case 1: return .attribute("company_size", in: [sizes.randomElement(using: &rng)!])
            case 2: return .interest(interests.randomElement(using: &rng)!)
            case 3: return .not(draw(depth + 1))
            case 4: return .all((0..<Int.random(in: 1...3, using: &rng)).map { _ in draw(depth + 1) })
            default: return .any((0..<Int.random(in: 1...3, using: &rng)).map { _ in draw(depth + 1) })
            }
        }
        let everyone = Set(stored.keys)
        for _ in 0..<40 {
            let c = draw(0)
            let inside = try members(f, c), outside = try members(f, .not(c))
            #expect(inside == Set(stored.filter { holds(c, $0.value) }.keys), "\(c)")
            #expect(inside.isDisjoint(with: outside) && inside.union(outside) == everyone, "\(c)")
        }
    }

    func members(_ f: Fixture, _ criteria: SegmentCriteria) throws -> Set<String> {
        let ids = try Segment(name: "t", target: false, criteria: criteria).members(f.warehouse)
        var keys = Set<String>()
        try f.warehouse.db.query("SELECT lead_id, key FROM lead_keys") { if ids.contains($0.int(0)) { keys.insert($0.text(1)!) } }
        return keys
    }

    @Test func theShippedSegmentsFileLoads() throws {
        let data = try #require(FileManager.default.contents(atPath: packageRoot() + "/datasets/segments.json"))
        let segments = try Segment.load(data)
        #expect(segments.filter(\.target).count == 3)
    }
}
