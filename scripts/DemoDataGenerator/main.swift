// Deterministic generator of LeadLedger sample data: CRM leads, web touches, conversions and
// the social channel's exports (Meta Ads daily report, LinkedIn campaign performance, Meta
// lead-form leads), all consistent with each other (same leads, period and currency).
//
//   swift run DemoDataGenerator --out datasets/demo --leads 2000 --days 90 --seed 42
//
// Same arguments, same bytes. `scripts/generate-demo.sh` regenerates the shipped demo.
import ChannelKit
import Foundation

struct Options {
    var out = "datasets/demo"
    var leads = 2000
    var days = 90
    var start = Day(year: 2026, month: 1, day: 1)!
    var seed: UInt64 = 42
    var withBadRows = true

    static func parse(_ args: [String]) -> Options {
        var o = Options()
        var i = 0
        func value() -> String {
            i += 1
            guard i < args.count else { fail("missing value for \(args[i - 1])") }
            return args[i]
        }
        while i < args.count {
            switch args[i] {
            case "--out": o.out = value()
            case "--leads": o.leads = Int(value()) ?? { fail("--leads takes a number") }()
            case "--days": o.days = Int(value()) ?? { fail("--days takes a number") }()
            case "--start": o.start = Day.parse(value()) ?? { fail("--start takes YYYY-MM-DD") }()
            case "--seed": o.seed = UInt64(value()) ?? { fail("--seed takes a number") }()
            case "--no-bad-rows": o.withBadRows = false
            case "-h", "--help":
                print("usage: DemoDataGenerator [--out DIR] [--leads N] [--days N] [--start YYYY-MM-DD] [--seed N] [--no-bad-rows]")
                exit(0)
            default: fail("unknown argument \(args[i])")
            }
            i += 1
        }
        return o
    }
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("DemoDataGenerator: \(message)\n".utf8))
    exit(2)
}

/// SplitMix64: small, fast, and the same on every platform.
struct SeededRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }
    mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }
    mutating func chance(_ p: Double) -> Bool { unit() < p }
    mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }
    mutating func weighted<T>(_ items: [(T, Double)]) -> T {
        let total = items.reduce(0) { $0 + $1.1 }
        var x = unit() * total
        for (item, w) in items { x -= w; if x < 0 { return item } }
        return items[items.count - 1].0
    }
    /// Exponential with the given mean.
    mutating func exponential(mean: Double) -> Double { -mean * log(1 - unit()) }
}

/// Where a lead came from: the channel of its first touch and how that touch looks.
enum Origin: String, CaseIterable {
    case metaAds, metaLeadForm, linkedin, organicSocial, seo, paidSearch, email, referral, event, direct
}

struct Campaign {
    let name: String
    let platform: String  // meta | linkedin
    let id: String
    let first: Int  // day offsets, inclusive
    let last: Int
    let dailyBudget: Double
    let cpm: Double
    let ctr: Double
    var key: String { CampaignRef.key(for: name) }
}

struct Lead {
    let index: Int
    let key: String
    let created: Int64
    let origin: Origin
    let campaign: Campaign?
    let name: String
    let email: String
    let phone: String?
    let metaLeadID: String?
}

let options = Options.parse(Array(CommandLine.arguments.dropFirst()))
var rng = SeededRandom(seed: options.seed)
let startSeconds = options.start.start.secondsSinceEpoch
let endSeconds = startSeconds + Int64(options.days) * 86_400

func iso(_ seconds: Int64) -> String { Timestamp(secondsSinceEpoch: seconds).description }
@MainActor func day(_ offset: Int) -> Day { options.start.adding(days: offset) }
func money(_ value: Double) -> String { String(format: "%.2f", value) }

let span = options.days - 1
let campaigns = [
    Campaign(name: "Tet Sale 2026", platform: "meta", id: "120210000000001", first: 0, last: min(span, 49), dailyBudget: 95, cpm: 6.5, ctr: 0.016),
    Campaign(name: "Always-on Retargeting", platform: "meta", id: "120210000000002", first: 0, last: span, dailyBudget: 40, cpm: 9.0, ctr: 0.021),
    Campaign(name: "Spring Webinar Promo", platform: "meta", id: "120210000000003", first: min(span, 59), last: span, dailyBudget: 70, cpm: 7.2, ctr: 0.014),
    Campaign(name: "B2B Decision Makers", platform: "linkedin", id: "184000001", first: 0, last: span, dailyBudget: 110, cpm: 38, ctr: 0.0095),
    Campaign(name: "Q1 Demand Gen", platform: "linkedin", id: "184000002", first: min(span, 31), last: span, dailyBudget: 85, cpm: 42, ctr: 0.0088),
]

@MainActor func activeCampaign(platform: String, dayOffset: Int) -> Campaign? {
    let active = campaigns.filter { $0.platform == platform && $0.first <= dayOffset && dayOffset <= $0.last }
    return active.isEmpty ? nil : rng.pick(active)
}

// MARK: - People

let givenNames = ["An", "Binh", "Chi", "Dung", "Giang", "Hoa", "Hung", "Khanh", "Lan", "Linh", "Mai", "Minh", "Nam", "Ngoc", "Phuong",
                  "Quang", "Thao", "Trang", "Tuan", "Vy", "Emma", "Liam", "Olivia", "Noah", "Ava", "Lucas", "Mia", "Ethan", "Chloe", "Ryan"]
let familyNames = ["nguyen", "tran", "le", "pham", "hoang", "vu", "vo", "dang", "bui", "do", "ngo", "duong", "ly", "smith", "tan", "lim", "wong", "jones"]
let domains = ["example.com", "example.org", "example.net"]
let countries: [(String, Double)] = [("VN", 0.72), ("SG", 0.09), ("TH", 0.07), ("US", 0.06), ("AU", 0.06)]
let vnRegions = ["Ho Chi Minh City", "Hanoi", "Da Nang", "Hai Phong", "Can Tho", "Binh Duong"]
let otherRegions = ["SG": ["Central", "East", "West"], "TH": ["Bangkok", "Chiang Mai"], "US": ["California", "Texas", "New York"], "AU": ["NSW", "Victoria"]]
let ageBands: [(String, Double)] = [("18-24", 0.14), ("25-34", 0.36), ("35-44", 0.27), ("45-54", 0.14), ("55-64", 0.07), ("65+", 0.02)]
let incomeBands = ["low", "middle", "upper_middle", "high"]
let industries = ["retail", "education", "technology", "healthcare", "finance", "manufacturing", "hospitality", "real_estate"]
let companySizes = ["1-10", "11-50", "51-200", "201-1000", "1000+"]
let interestsPool = ["pricing", "automation", "analytics", "crm", "ecommerce", "training", "events"]

let originMix: [(Origin, Double)] = [
    (.metaAds, 0.13), (.metaLeadForm, 0.09), (.linkedin, 0.08), (.organicSocial, 0.04), (.seo, 0.22), (.paidSearch, 0.08),
    (.email, 0.09), (.referral, 0.09), (.event, 0.07), (.direct, 0.11),
]
/// Base probability that a lead of this origin becomes a customer within the period.
let conversionBase: [Origin: Double] = [
    .metaAds: 0.05, .metaLeadForm: 0.07, .linkedin: 0.09, .organicSocial: 0.06, .seo: 0.09, .paidSearch: 0.08,
    .email: 0.10, .referral: 0.19, .event: 0.13, .direct: 0.11,
]
/// Typical order value (USD) by origin.
let orderValue: [Origin: Double] = [
    .metaAds: 420, .metaLeadForm: 380, .linkedin: 1900, .organicSocial: 450, .seo: 650, .paidSearch: 700,
    .email: 560, .referral: 980, .event: 1500, .direct: 720,
]

// Leads arrive more on weekdays and grow slowly over the period.
var dayWeights: [Double] = []
for d in 0..<options.days {
    let weekday = (day(d).daysSinceEpoch + 4) % 7  // 0 = Sunday
    let weekend = weekday == 0 || weekday == 6
    dayWeights.append((weekend ? 0.6 : 1.0) * (1 + 0.4 * Double(d) / Double(max(1, options.days))))
}

var leads: [Lead] = []
var usedEmails = Set<String>()
var leadRows: [String] = ["lead_id,created_at,email,phone,country,region,age_band,gender,income_band,industry,company_size,interests,lead_source"]
for i in 1...options.leads {
    let d = rng.weighted(dayWeights.indices.map { ($0, dayWeights[$0]) })
    let created = startSeconds + Int64(d) * 86_400 + Int64(rng.int(7 * 3600...22 * 3600)) + Int64(rng.int(0...59))
    var origin = rng.weighted(originMix)
    var campaign: Campaign?
    switch origin {
    case .metaAds, .metaLeadForm: campaign = activeCampaign(platform: "meta", dayOffset: d)
    case .linkedin: campaign = activeCampaign(platform: "linkedin", dayOffset: d)
    default: break
    }
    if campaign == nil && [.metaAds, .metaLeadForm, .linkedin].contains(origin) { origin = .organicSocial }
    let given = rng.pick(givenNames)
    let family = rng.pick(familyNames)
    var email = "\(given.lowercased()).\(family)\(rng.int(1...999))@\(rng.pick(domains))"
    while usedEmails.contains(email) { email = "\(given.lowercased()).\(family)\(rng.int(1000...99_999))@\(rng.pick(domains))" }
    usedEmails.insert(email)
    let country = rng.weighted(countries)
    let callingCode = ["VN": "84", "SG": "65", "TH": "66", "US": "1", "AU": "61"][country]!
    let phone: String? = rng.chance(0.7) ? (country == "VN" ? "+84 9\(rng.int(0...9)) \(rng.int(100...999)) \(rng.int(1000...9999))" : "+\(callingCode) \(rng.int(1_000_000...9_999_999))") : nil
    let region = country == "VN" ? rng.pick(vnRegions) : rng.pick(otherRegions[country]!)
    let b2b = origin == .linkedin || origin == .event || rng.chance(0.45)
    let interests = (0..<rng.int(1...3)).map { _ in rng.pick(interestsPool) }
    var uniqueInterests: [String] = []
    for x in interests where !uniqueInterests.contains(x) { uniqueInterests.append(x) }
    let key = "L" + String(format: "%06d", i)
    let metaLeadID = origin == .metaLeadForm ? "l:9000000\(String(format: "%08d", i))" : nil
    let sourceLabel: String = {
        switch origin {
        case .metaAds, .organicSocial: return "Social"
        case .metaLeadForm: return "Facebook Lead Ad"
        case .linkedin: return "LinkedIn"
        case .seo: return "Organic Search"
        case .paidSearch: return "Google Ads"
        case .email: return "Email"
        case .referral: return "Referral"
        case .event: return "Event"
        case .direct: return "Website"
        }
    }()
    leads.append(Lead(index: i, key: key, created: created, origin: origin, campaign: campaign, name: "\(given) \(family.prefix(1).uppercased() + family.dropFirst())", email: email, phone: phone, metaLeadID: metaLeadID))
    let fields = [
        key, iso(created), email, phone ?? "", country, region, rng.weighted(ageBands), rng.pick(["female", "male", "female", "male", "unknown"]),
        rng.pick(incomeBands), b2b ? rng.pick(industries) : "", b2b ? rng.pick(companySizes) : "", uniqueInterests.joined(separator: ";"), sourceLabel,
    ]
    leadRows.append(fields.map(csvField).joined(separator: ","))
}

func csvField(_ s: String) -> String {
    s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
}

// MARK: - Touches and conversions

struct Touch {
    let at: Int64
    let lead: String
    let source: String, medium: String, campaign: String, referrer: String, landing: String
    let kind: String
}

@MainActor func firstTouchTags(_ lead: Lead) -> (String, String, String, String, String) {
    let site = "https://shop.example.com"
    switch lead.origin {
    case .metaAds: return ("facebook", "paid_social", lead.campaign!.key, "https://l.facebook.com/", "\(site)/offer?utm_source=facebook&utm_medium=paid_social&fbclid=Iw\(lead.index)")
    case .metaLeadForm: return ("", "", "", "", "")
    case .linkedin: return ("linkedin", "paid_social", lead.campaign!.key, "https://www.linkedin.com/", "\(site)/b2b?utm_source=linkedin&utm_medium=paid_social&li_fat_id=\(lead.index)")
    case .organicSocial:
        return rng.pick([("", "", "", "https://www.facebook.com/", "\(site)/"), ("", "", "", "https://l.instagram.com/", "\(site)/"),
                         ("zalo", "social", "", "", "\(site)/?utm_source=zalo&utm_medium=social"), ("", "", "", "https://www.tiktok.com/", "\(site)/")])
    case .seo: return ("", "", "", rng.pick(["https://www.google.com/", "https://www.google.com.vn/", "https://coccoc.com/search", "https://www.bing.com/"]), "\(site)/blog/\(rng.pick(["lead-scoring", "crm-guide", "pricing"]))")
    case .paidSearch: return ("google", "cpc", "brand_search", "https://www.google.com/", "\(site)/?gclid=Cj0K\(lead.index)")
    case .email: return ("newsletter", "email", rng.pick(["jan_newsletter", "feb_newsletter", "mar_newsletter"]), "", "\(site)/news?utm_source=newsletter&utm_medium=email")
    case .referral: return ("", "referral", "friend_invite", "", "\(site)/join?ref=R\(rng.int(1000...9999))")
    case .event: return ("expo_hcmc", "event", "vietnam_retail_expo_2026", "", "\(site)/expo?utm_medium=event")
    case .direct: return ("", "", "", "", "\(site)/")
    }
}

let laterOrigins: [(Origin, Double)] = [(.metaAds, 0.18), (.organicSocial, 0.08), (.seo, 0.2), (.email, 0.24), (.paidSearch, 0.08), (.direct, 0.22)]
let interestKinds: [(String, Double)] = [("visit", 0.5), ("email_open", 0.2), ("download", 0.12), ("newsletter_signup", 0.06), ("click", 0.12)]

var touches: [Touch] = []
var conversions: [(lead: String, at: Int64, revenue: Double, id: String)] = []
var formLeads: [Lead] = []
for lead in leads {
    // The first touch: shortly before (or, for a lead form, exactly at) the lead's creation.
    if lead.origin == .metaLeadForm {
        formLeads.append(lead)
    } else {
        let (s, m, c, r, l) = firstTouchTags(lead)
        let firstKind = lead.origin == .event ? "event_attend" : (lead.origin == .referral ? "referral" : "visit")
        let before = Int64(rng.exponential(mean: 3 * 3600)) + 60
        touches.append(Touch(at: max(startSeconds, lead.created - before), lead: lead.key, source: s, medium: m, campaign: c, referrer: r, landing: l, kind: firstKind))
        touches.append(Touch(at: lead.created, lead: lead.key, source: s, medium: m, campaign: c, referrer: r, landing: l, kind: "form_submit"))
    }
    // A journey of further touches over the following weeks.
    let extra = rng.weighted([(0, 0.25), (1, 0.2), (2, 0.18), (3, 0.14), (4, 0.1), (6, 0.08), (9, 0.05)])
    var t = lead.created
    var hot = false
    var lastTouch = lead.created
    for _ in 0..<extra {
        t += Int64(rng.exponential(mean: 4.5 * 86_400)) + 600
        guard t < endSeconds else { break }
        let o = rng.weighted(laterOrigins)
        var campaignLead = lead
        if o == .metaAds {
            guard let c = activeCampaign(platform: "meta", dayOffset: Int((t - startSeconds) / 86_400)) else { continue }
            campaignLead = Lead(index: lead.index, key: lead.key, created: lead.created, origin: o, campaign: c, name: lead.name, email: lead.email, phone: nil, metaLeadID: nil)
        } else {
            campaignLead = Lead(index: lead.index, key: lead.key, created: lead.created, origin: o, campaign: nil, name: lead.name, email: lead.email, phone: nil, metaLeadID: nil)
        }
        let (s, m, c, r, l) = firstTouchTags(campaignLead)
        var kind = o == .email ? rng.pick(["email_open", "click"]) : rng.weighted(interestKinds)
        if rng.chance(0.07) { kind = rng.pick(["quote_request", "consultation", "checkout_start"]); hot = true }
        touches.append(Touch(at: t, lead: lead.key, source: s, medium: m, campaign: c, referrer: r, landing: l, kind: kind))
        lastTouch = t
    }
    // Conversion: more likely with a hot signal, some days after the last touch.
    let p = min(0.9, conversionBase[lead.origin]! * (hot ? 3.5 : 1) * 1.6)
    if rng.chance(p) {
        let at = max(lastTouch, lead.created) + Int64(rng.exponential(mean: 9 * 86_400)) + 3600
        if at < endSeconds {
            let revenue = (orderValue[lead.origin]! * (0.5 + rng.unit())).rounded() + 0.99 * Double(rng.int(0...1))
            conversions.append((lead.key, at, revenue, "ORD-\(100_000 + conversions.count + 1)"))
        }
    }
}
touches.sort { ($0.at, $0.lead, $0.kind) < ($1.at, $1.lead, $1.kind) }
conversions.sort { ($0.at, $0.lead) < ($1.at, $1.lead) }

var touchRows = ["occurred_at,lead_id,utm_source,utm_medium,utm_campaign,referrer,landing_page,event"]
for t in touches {
    touchRows.append([iso(t.at), t.lead, t.source, t.medium, t.campaign, t.referrer, t.landing, t.kind].map(csvField).joined(separator: ","))
}
var conversionRows = ["lead_id,converted_at,revenue,currency,conversion_id"]
for c in conversions { conversionRows.append("\(c.lead),\(iso(c.at)),\(money(c.revenue)),USD,\(c.id)") }

// MARK: - Social exports

var formLeadsByDayCampaign: [String: Int] = [:]
var formRows = ["id\tcreated_time\tad_id\tad_name\tadset_id\tadset_name\tcampaign_id\tcampaign_name\tform_id\tform_name\tis_organic\tplatform\temail\tfull_name\tphone_number"]
for lead in formLeads {
    let c = lead.campaign!
    let d = Int((lead.created - startSeconds) / 86_400)
    formLeadsByDayCampaign["\(d)|\(c.name)", default: 0] += 1
    // Meta writes times in the page's time zone, here Vietnam (+07:00).
    let local = Timestamp(secondsSinceEpoch: lead.created + 7 * 3600).description.dropLast()
    formRows.append([lead.metaLeadID!, local + "+07:00", "1202\(c.id.suffix(3))", "\(c.name) – carousel", "1201\(c.id.suffix(3))", "HCMC 25-44",
                     c.id, c.name, "70\(c.id.suffix(2))", "\(c.name) quote form", "0", rng.pick(["fb", "ig"]), lead.email, lead.name,
                     (lead.phone ?? "").replacingOccurrences(of: " ", with: "")].joined(separator: "\t"))
}

var metaRows = ["Day,Campaign name,Campaign ID,Amount spent (USD),Impressions,Reach,Link clicks,Leads"]
var linkedinRows = [
    "Campaign Performance Report (in UTC)",
    "Report Start: \(day(0).components.month)/\(day(0).components.day)/\(day(0).components.year)",
    "Report End: \(day(span).components.month)/\(day(span).components.day)/\(day(span).components.year)",
    "Account Name: Example Co",
    "",
    "Start Date (in UTC),Account Name,Campaign Group Name,Campaign Name,Campaign ID,Campaign Type,Total Spent,Currency,Impressions,Clicks,Average CTR,Leads",
]
for d in 0..<options.days {
    for c in campaigns where c.first <= d && d <= c.last {
        let spend = (c.dailyBudget * (0.75 + 0.5 * rng.unit()) * 100).rounded() / 100
        let impressions = Int(spend / c.cpm * 1000)
        let clicks = Int(Double(impressions) * c.ctr * (0.8 + 0.4 * rng.unit()))
        let platformLeads = formLeadsByDayCampaign["\(d)|\(c.name)"] ?? 0
        if c.platform == "meta" {
            let reach = Int(Double(impressions) * (0.7 + 0.2 * rng.unit()))
            metaRows.append("\(day(d)),\(csvField(c.name)),\(c.id),\(money(spend)),\(impressions),\(reach),\(clicks == 0 ? "" : String(clicks)),\(platformLeads == 0 ? "" : String(platformLeads))")
        } else {
            let (y, m, dd) = day(d).components
            let ctr = impressions == 0 ? 0 : Double(clicks) / Double(impressions) * 100
            let liLeads = Int(Double(clicks) * 0.08)
            linkedinRows.append("\(m)/\(dd)/\(y),Example Co,Q1 Demand,\(csvField(c.name)),\(c.id),Sponsored Content,\(money(spend)),USD,\(impressions),\(clicks),\(String(format: "%.2f", ctr))%,\(liLeads)")
        }
    }
}

// MARK: - A few realistic bad rows, so the demo shows how rejects are reported

if options.withBadRows {
    touchRows.insert("2026-02-30T10:00:00Z,L000007,google,cpc,brand_search,https://www.google.com/,https://shop.example.com/?gclid=x,visit", at: min(touchRows.count, 41))
    touchRows.insert("\(iso(startSeconds + 86_400 * 3)),L000009,,,,,https://shop.example.com/,pageview", at: min(touchRows.count, 97))
    conversionRows.insert("L999999,\(iso(startSeconds + 86_400 * 20)),250.00,USD,ORD-099999", at: min(conversionRows.count, 5))
    leadRows.insert("L999998,\(iso(startSeconds + 3600)),not-an-email,,VN,Hanoi,25-34,female,middle,,,pricing,Website", at: min(leadRows.count, 12))
}

// MARK: - Write

@MainActor func write(_ lines: [String], _ path: String) {
    let url = URL(fileURLWithPath: options.out).appendingPathComponent(path)
    try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    do {
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: url)
    } catch {
        fail("cannot write \(url.path): \(error)")
    }
}
write(leadRows, "leads.csv")
write(touchRows, "touches.csv")
write(conversionRows, "conversions.csv")
write(metaRows, "social/meta_ads_daily.csv")
write(linkedinRows, "social/linkedin_campaign_performance.csv")
write(formRows, "social/meta_lead_forms.tsv")
print("wrote \(leads.count) leads, \(touches.count) touches, \(conversions.count) conversions, \(formLeads.count) lead-form leads to \(options.out)")
