// Deterministic generator of LeadLedger sample data: CRM leads, web touches, conversions and
// every channel's exports (Meta Ads, LinkedIn, Meta lead forms, Search Console, the SEO and
// referral ledgers, events, email, Google Ads and Microsoft Advertising), all consistent with
// each other (same leads, period and currency). A channel's sample may live in a file of its
// own (PaidSearchSample.swift).
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
    /// Index into `cumulative` (running sums of weights) drawn in proportion to the weights;
    /// the same draw as ``weighted(_:)`` over the same weights, in O(log n).
    mutating func index(cumulative: [Double]) -> Int {
        let x = unit() * cumulative[cumulative.count - 1]
        var lo = 0, hi = cumulative.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if x < cumulative[mid] { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }
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
    var event: Int? = nil
}

struct Event {
    let id: String
    let name: String
    let kind: String
    let firstDay: Int  // day offsets
    let lastDay: Int
    let venue: String
    let costs: [(String, Double)]
    var key: String { CampaignRef.key(for: name) }
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

/// Events every 25 days from day 19; the first three have the demo's names.
let events: [Event] = {
    let named: [(String, String, Int, String, [(String, Double)])] = [
        ("Vietnam Retail Expo 2026", "trade_show", 2, "SECC, Ho Chi Minh City", [("Booth", 4500), ("Travel", 800), ("Printed materials", 600)]),
        ("Lead Scoring Webinar", "webinar", 1, "Online (Zoom)", [("Webinar platform", 150), ("Promotion", 300)]),
        ("Hanoi Growth Meetup", "meetup", 1, "Hanoi", [("Venue and catering", 400)]),
        ("SaaS Growth Conference", "conference", 2, "Singapore", [("Sponsorship", 3000), ("Travel", 1200)]),
        ("CRM Hands-on Workshop", "workshop", 1, "Da Nang", [("Venue", 350), ("Trainer", 500)]),
    ]
    var result: [Event] = []
    var day = 19
    var n = 0
    while day + 1 < options.days {
        let (name, kind, length, venue, costs) = named[n % named.count]
        let round = n / named.count
        result.append(Event(id: "EV-\(String(format: "%02d", n + 1))", name: round == 0 ? name : "\(name) #\(round + 1)", kind: kind,
                            firstDay: day, lastDay: day + length - 1, venue: venue, costs: costs))
        day += 25
        n += 1
    }
    return result
}()

/// Monthly newsletters, sent on the 1st at 02:00 UTC.
struct Newsletter { let name: String; let sentAt: Int64; var key: String { CampaignRef.key(for: name) } }
let newsletters: [Newsletter] = {
    let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    var result: [Newsletter] = []
    var (y, m, _) = options.start.components
    while true {
        let sent = Day(year: y, month: m, day: 1)!.start.secondsSinceEpoch + 2 * 3600
        if sent >= endSeconds { break }
        if sent >= startSeconds { result.append(Newsletter(name: "\(monthNames[m - 1]) Newsletter", sentAt: sent)) }
        m += 1
        if m > 12 { m = 1; y += 1 }
    }
    return result
}()

/// The newsletter a reader of an email at `t` came from: the latest sent before `t`.
func newsletter(at t: Int64) -> Newsletter? {
    newsletters.last { $0.sentAt <= t } ?? newsletters.first
}

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

var cumulativeDayWeights: [Double] = []
for w in dayWeights { cumulativeDayWeights.append((cumulativeDayWeights.last ?? 0) + w) }

var leads: [Lead] = []
var usedEmails = Set<String>()
var leadRows: [String] = ["lead_id,created_at,email,phone,country,region,age_band,gender,income_band,industry,company_size,interests,lead_source"]
for i in 1...options.leads {
    let d = rng.index(cumulative: cumulativeDayWeights)
    let drawnCreated = startSeconds + Int64(d) * 86_400 + Int64(rng.int(7 * 3600...22 * 3600)) + Int64(rng.int(0...59))
    var origin = rng.weighted(originMix)
    var created = drawnCreated
    var eventIndex: Int?
    if origin == .event {
        if events.isEmpty {
            origin = .direct
        } else {
            let e = rng.int(0...(events.count - 1))
            eventIndex = e
            let eventStart = startSeconds + Int64(events[e].firstDay) * 86_400
            created = max(startSeconds + 3600, eventStart - Int64(rng.int(1...14)) * 86_400 + Int64(rng.int(8 * 3600...20 * 3600)))
        }
    }
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
    leads.append(Lead(index: i, key: key, created: created, origin: origin, campaign: campaign, name: "\(given) \(family.prefix(1).uppercased() + family.dropFirst())",
                      email: email, phone: phone, metaLeadID: metaLeadID, event: eventIndex))
    let fields = [
        key, iso(created), email, phone ?? "", country, region, rng.weighted(ageBands), rng.pick(["female", "male", "female", "male", "unknown"]),
        rng.pick(incomeBands), b2b ? rng.pick(industries) : "", b2b ? rng.pick(companySizes) : "", uniqueInterests.joined(separator: ";"), sourceLabel,
    ]
    leadRows.append(fields.map(csvField).joined(separator: ","))
}

func csvField(_ s: String) -> String {
    s.utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
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
    case .email: return ("newsletter", "email", "", "", "\(site)/news?utm_source=newsletter&utm_medium=email")
    case .referral: return ("", "referral", "friend_invite", "", "\(site)/join?ref=R\(rng.int(1000...9999))")
    case .event: return ("expo_hcmc", "event", "vietnam_retail_expo_2026", "", "\(site)/expo?utm_medium=event")
    case .direct: return ("", "", "", "", "\(site)/")
    }
}

let laterOrigins: [(Origin, Double)] = [(.metaAds, 0.18), (.organicSocial, 0.08), (.seo, 0.2), (.email, 0.24), (.paidSearch, 0.08), (.direct, 0.22)]
let interestKinds: [(String, Double)] = [("visit", 0.55), ("download", 0.15), ("newsletter_signup", 0.08), ("click", 0.22)]

var touches: [Touch] = []
var conversions: [(lead: String, at: Int64, revenue: Double, id: String)] = []
var formLeads: [Lead] = []
struct Attendee { let lead: Lead; let registeredAt: Int64?; let scannedAt: Int64? }
var attendees: [Attendee] = []
struct Referral { let email: String; let referredAt: Int64; let converted: Int64? }
var referrals: [Referral] = []
/// Email engagement per (lead, newsletter), keyed by ``engagementKey(_:_:)``: first open and first click.
var engagement: [Int: (lead: Int, newsletter: Int, opened: Int64, clicked: Int64?)] = [:]
func engagementKey(_ lead: Lead, _ newsletter: Int) -> Int { lead.index << 16 | newsletter }
var stageRows = ["lead_id,stage,changed_at"]
var outreachRows = ["lead_id,attempted_at,channel,responded"]

/// A visit from an email: the web touch, and the open and click the email platform saw.
@MainActor func emailVisit(_ lead: Lead, at t: Int64, kind: String) {
    guard let n = newsletter(at: t), let index = newsletters.firstIndex(where: { $0.name == n.name }) else { return }
    let site = "https://shop.example.com"
    touches.append(Touch(at: t, lead: lead.key, source: "newsletter", medium: "email", campaign: n.key, referrer: "",
                         landing: "\(site)/news?utm_source=newsletter&utm_medium=email&utm_campaign=\(n.key)", kind: kind))
    let key = engagementKey(lead, index)
    let opened = t - Int64(rng.int(60...1800))
    if let e = engagement[key], e.opened <= opened { return }
    engagement[key] = (lead.index, index, opened, t - 10)
}

for lead in leads {
    // The first touch: shortly before (or, for a lead form or an event registration, exactly at) the lead's creation.
    let before = Int64(rng.exponential(mean: 3 * 3600)) + 60
    let firstAt = max(startSeconds, lead.created - before)
    switch lead.origin {
    case .metaLeadForm:
        formLeads.append(lead)
    case .event:
        // Registered at creation; most came, their badge scanned during the event.
        let e = events[lead.event!]
        let scanned = rng.chance(0.8)
            ? startSeconds + Int64(e.firstDay + rng.int(0...(e.lastDay - e.firstDay))) * 86_400 + Int64(rng.int(9 * 3600...17 * 3600)) : nil
        attendees.append(Attendee(lead: lead, registeredAt: lead.created, scannedAt: scanned))
    case .email:
        emailVisit(lead, at: firstAt, kind: "visit")
        emailVisit(lead, at: lead.created, kind: "form_submit")
    default:
        let (s, m, c, r, l) = firstTouchTags(lead)
        touches.append(Touch(at: firstAt, lead: lead.key, source: s, medium: m, campaign: c, referrer: r, landing: l, kind: "visit"))
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
        var kind = rng.weighted(interestKinds)
        if rng.chance(0.07) { kind = rng.pick(["quote_request", "consultation", "checkout_start"]); hot = true }
        lastTouch = t
        if o == .email { emailVisit(lead, at: t, kind: kind); continue }
        var campaignLead = lead
        if o == .metaAds {
            guard let c = activeCampaign(platform: "meta", dayOffset: Int((t - startSeconds) / 86_400)) else { continue }
            campaignLead = Lead(index: lead.index, key: lead.key, created: lead.created, origin: o, campaign: c, name: lead.name, email: lead.email, phone: nil, metaLeadID: nil)
        } else {
            campaignLead = Lead(index: lead.index, key: lead.key, created: lead.created, origin: o, campaign: nil, name: lead.name, email: lead.email, phone: nil, metaLeadID: nil)
        }
        let (s, m, c, r, l) = firstTouchTags(campaignLead)
        touches.append(Touch(at: t, lead: lead.key, source: s, medium: m, campaign: c, referrer: r, landing: l, kind: kind))
    }
    // Conversion: more likely with a hot signal, some days after the last touch.
    let p = min(0.9, conversionBase[lead.origin]! * (hot ? 3.5 : 1) * 1.6)
    var convertedAt: Int64?
    if rng.chance(p) {
        let at = max(lastTouch, lead.created) + Int64(rng.exponential(mean: 9 * 86_400)) + 3600
        if at < endSeconds {
            let revenue = (orderValue[lead.origin]! * (0.5 + rng.unit())).rounded() + 0.99 * Double(rng.int(0...1))
            conversions.append((lead.key, at, revenue, "ORD-\(100_000 + conversions.count + 1)"))
            convertedAt = at
        }
    }
    // Lifecycle stages: every lead starts as a lead; engaged ones become MQL, SQL and
    // opportunities; customers at their conversion.
    stageRows.append("\(lead.key),lead,\(iso(lead.created))")
    if let c = convertedAt {
        let span = Double(c - lead.created)
        for (stage, f) in [("mql", 0.25), ("sql", 0.5), ("opportunity", 0.8)] { stageRows.append("\(lead.key),\(stage),\(iso(lead.created + Int64(span * f)))") }
        stageRows.append("\(lead.key),customer,\(iso(c))")
    } else if hot || rng.chance(0.3) {
        var t = lead.created
        for stage in ["mql", "sql", "opportunity"] {
            t += Int64(rng.exponential(mean: 3 * 86_400)) + 3600
            guard t < endSeconds, stage == "mql" || hot || rng.chance(0.4) else { break }
            stageRows.append("\(lead.key),\(stage),\(iso(t))")
        }
    }
    // Sales reaches out to a third of the leads a few days after they arrive; most never answer.
    if rng.chance(0.33) {
        var t = lead.created + Int64(rng.int(1...4)) * 86_400 + Int64(rng.int(8 * 3600...17 * 3600))
        let answers = convertedAt != nil || hot ? 0.5 : 0.12
        for _ in 0..<rng.int(1...5) {
            guard t < endSeconds, convertedAt.map({ t < $0 }) ?? true else { break }
            let responded = rng.chance(answers)
            outreachRows.append("\(lead.key),\(iso(t)),\(rng.pick(["call", "call", "email", "zalo"])),\(responded ? "yes" : "no")")
            if responded { break }
            t += Int64(rng.int(2...9)) * 86_400
        }
    }
    // Referred people were invited a little before their first visit.
    if lead.origin == .referral {
        referrals.append(Referral(email: lead.email, referredAt: max(startSeconds, firstAt - Int64(rng.int(3600...2 * 86_400))), converted: convertedAt))
    }
    // Subscribers open some of the newsletters sent after they became leads.
    for (index, n) in newsletters.enumerated() where n.sentAt > lead.created && rng.chance(0.2) {
        let key = engagementKey(lead, index)
        if engagement[key] == nil { engagement[key] = (lead.index, index, n.sentAt + Int64(rng.exponential(mean: 6 * 3600)) + 60, nil) }
    }
}
conversions.sort { ($0.at, $0.lead) < ($1.at, $1.lead) }

/// The touches file's lines, in time order, formatted as they are written.
let touchHeader = "occurred_at,lead_id,utm_source,utm_medium,utm_campaign,referrer,landing_page,event"
let touchOrder = sortedPermutation(touches) { ($0.at, $0.lead, $0.kind) < ($1.at, $1.lead, $1.kind) }
func touchLine(_ t: Touch) -> String {
    [iso(t.at), t.lead, t.source, t.medium, t.campaign, t.referrer, t.landing, t.kind].map(csvField).joined(separator: ",")
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

// MARK: - SEO exports

let pages = ["/blog/lead-scoring", "/blog/crm-guide", "/pricing", "/blog/hot-warm-cold-leads", "/"]
let queries = ["crm for small business", "lead scoring", "khach hang tiem nang", "crm vietnam", "email marketing tools"]
var gscDateRows = ["Date,Clicks,Impressions,CTR,Position"]
var gscPageRows = ["Date,Page,Clicks,Impressions,CTR,Position"]
var gscQueryRows = ["Date,Query,Clicks,Impressions,CTR,Position"]
func percent(_ clicks: Int, _ impressions: Int) -> String {
    impressions == 0 ? "0%" : String(format: "%.2f%%", Double(clicks) / Double(impressions) * 100)
}
for d in 0..<options.days {
    let weekday = (day(d).daysSinceEpoch + 4) % 7
    let weekend = weekday == 0 || weekday == 6
    let impressions = Int((weekend ? 7000 : 11_000) * (1 + 0.5 * Double(d) / Double(options.days)) * (0.9 + 0.2 * rng.unit()))
    let clicks = Int(Double(impressions) * (0.024 + 0.012 * rng.unit()))
    let position = 9 + 4 * rng.unit()
    gscDateRows.append("\(day(d)),\(clicks),\(impressions),\(percent(clicks, impressions)),\(String(format: "%.2f", position))")
    // The top pages and queries take most, not all, of the day's traffic.
    for (rows, names, prefix) in [(0, pages, "https://shop.example.com"), (1, queries, "")] {
        var shareLeft = 0.8
        for name in names {
            let share = shareLeft * (0.3 + 0.3 * rng.unit())
            shareLeft -= share
            let i = Int(Double(impressions) * share)
            let c = min(i, Int(Double(clicks) * share * (0.8 + 0.4 * rng.unit())))
            let row = "\(day(d)),\(csvField(prefix + name)),\(c),\(i),\(percent(c, i)),\(String(format: "%.1f", max(1, position + 6 * rng.unit() - 3)))"
            if rows == 0 { gscPageRows.append(row) } else { gscQueryRows.append(row) }
        }
    }
}
var seoCostRows = ["month,item,amount,currency,vendor"]
do {
    var (y, m, _) = options.start.components
    let (ly, lm, _) = day(span).components
    while (y, m) <= (ly, lm) {
        let month = "\(y)-\(String(format: "%02d", m))"
        seoCostRows.append("\(month),Agency retainer,1500.00,USD,Example SEO Agency")
        seoCostRows.append("\(month),Content writing,\(money(500 + 50 * Double(rng.int(0...6)))),USD,Freelance writers")
        seoCostRows.append("\(month),SEO tools,99.00,USD,Example Tools Inc.")
        m += 1
        if m > 12 { m = 1; y += 1 }
    }
}

// MARK: - Referral ledger

var referralRows = ["referral_id,referral_code,referrer_id,referred_email,referred_phone,referred_at,status,reward_amount,reward_currency,rewarded_at"]
do {
    // Invitations that never turned into a sign-up: people who are leads only through the ledger.
    var invitedOnly: [Referral] = []
    for i in 0..<(referrals.count / 3) {
        let email = "\(rng.pick(givenNames).lowercased()).friend\(i)@\(rng.pick(domains))"
        invitedOnly.append(Referral(email: email, referredAt: startSeconds + Int64(rng.int(0...(options.days * 86_400 - 1))), converted: nil))
    }
    let all = (referrals + invitedOnly).sorted { ($0.referredAt, $0.email) < ($1.referredAt, $1.email) }
    let invitedEmails = Set(invitedOnly.map(\.email))
    for (i, r) in all.enumerated() {
        let code = "R\(1000 + rng.int(0...199))"
        let referrer = "C\(String(format: "%05d", rng.int(1...400)))"
        var status = invitedEmails.contains(r.email) ? "invited" : (rng.chance(0.6) ? "signed_up" : "qualified")
        var reward = ""
        var rewardedAt = ""
        if let converted = r.converted {
            status = "qualified"
            let paid = converted + 7 * 86_400
            if paid < endSeconds { status = "rewarded"; reward = "50.00"; rewardedAt = iso(paid) }
        }
        referralRows.append("RF-\(String(format: "%05d", i + 1)),\(code),\(referrer),\(r.email),,\(iso(r.referredAt)),\(status),\(reward),\(reward.isEmpty ? "" : "USD"),\(rewardedAt)")
    }
}

// MARK: - Events

var eventRows = ["event_id,event_name,kind,start_date,end_date,venue,cost_item,cost_amount,currency"]
for e in events {
    for (item, amount) in e.costs {
        eventRows.append("\(e.id),\(csvField(e.name)),\(e.kind),\(day(e.firstDay)),\(day(e.lastDay)),\(csvField(e.venue)),\(item),\(money(amount)),USD")
    }
}
var attendeeRows = ["event_id,event_name,name,email,company,job_title,registered,attended,registered_at,scanned_at,notes"]
for a in sortedByPermutation(attendees, by: { ($0.lead.event!, $0.lead.key) < ($1.lead.event!, $1.lead.key) }) {
    let e = events[a.lead.event!]
    attendeeRows.append([e.id, e.name, a.lead.name, a.lead.email, "Example \(rng.pick(["Retail", "Foods", "Logistics", "Tech", "Clinic"]))",
                         rng.pick(["Owner", "Marketing Manager", "Buyer", "Sales Director", "Founder"]), "yes", a.scannedAt == nil ? "no" : "yes",
                         a.registeredAt.map(iso) ?? "", a.scannedAt.map(iso) ?? "",
                         rng.chance(0.2) ? rng.pick(["asked for a demo", "wants pricing", "follow up in Q2"]) : ""].map(csvField).joined(separator: ","))
}

// MARK: - Email

var engagementRows = ["email,campaign,opened_at,clicked_at"]
let createdTimes = leads.map(\.created).sorted()
var opensByNewsletter = [Int](repeating: 0, count: newsletters.count)
var clicksByNewsletter = [Int](repeating: 0, count: newsletters.count)
for e in sortedEngagement(Array(engagement.values), leads) {
    opensByNewsletter[e.newsletter] += 1
    if e.clicked != nil { clicksByNewsletter[e.newsletter] += 1 }
    engagementRows.append("\(leads[e.lead - 1].email),\(newsletters[e.newsletter].name),\(iso(e.opened)),\(e.clicked.map(iso) ?? "")")
}
var emailCampaignRows = ["campaign,sent_at,sent,delivered,opens,unique_opens,clicks,unsubscribes,bounces,cost,currency"]
for (i, n) in newsletters.enumerated() {
    // The list: subscribers from before LeadLedger's data, plus the leads created so far.
    let leadsSoFar = createdTimes.partitioningIndex { $0 >= n.sentAt }
    let sent = 1500 + leadsSoFar
    let bounces = Int(Double(sent) * (0.01 + 0.01 * rng.unit()))
    let delivered = sent - bounces
    let uniqueOpens = min(delivered, opensByNewsletter[i] + Int(1500 * (0.18 + 0.06 * rng.unit())))
    let clicks = clicksByNewsletter[i] + Int(Double(uniqueOpens) * 0.05)
    emailCampaignRows.append("\(n.name),\(iso(n.sentAt)),\(sent),\(delivered),\(Int(Double(uniqueOpens) * 1.6)),\(uniqueOpens),\(clicks),\(Int(Double(delivered) * 0.004)),\(bounces),120.00,USD")
}

// MARK: - A few realistic bad rows, so the demo shows how rejects are reported

/// Lines inserted into the touches file, each at its index among the lines (header included)
/// once the ones before it are in, as `Array.insert(_:at:)` would.
var touchInsertions: [(index: Int, line: String)] = []

if options.withBadRows {
    touchInsertions = [
        (41, "2026-02-30T10:00:00Z,L000007,google,cpc,brand_search,https://www.google.com/,https://shop.example.com/?gclid=x,visit"),
        (97, "\(iso(startSeconds + 86_400 * 3)),L000009,,,,,https://shop.example.com/,pageview"),
    ]
    conversionRows.insert("L999999,\(iso(startSeconds + 86_400 * 20)),250.00,USD,ORD-099999", at: min(conversionRows.count, 5))
    leadRows.insert("L999998,\(iso(startSeconds + 3600)),not-an-email,,VN,Hanoi,25-34,female,middle,,,pricing,Website", at: min(leadRows.count, 12))
}

// MARK: - Write

/// Writes lines to a file through a 1 MiB buffer (the large files are never one string).
final class LineWriter {
    let file: UnsafeMutablePointer<FILE>
    let path: String
    var buffer: [UInt8] = []

    @MainActor init(_ path: String) {
        let url = URL(fileURLWithPath: options.out).appendingPathComponent(path)
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        guard let file = fopen(url.path, "w") else { fail("cannot write \(url.path)") }
        self.file = file
        self.path = url.path
        buffer.reserveCapacity(1 << 20)
    }

    func line(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        buffer.append(UInt8(ascii: "\n"))
        if buffer.count >= 1 << 20 { flush() }
    }

    func flush() {
        if !buffer.isEmpty && fwrite(buffer, 1, buffer.count, file) != buffer.count { fail("cannot write \(path)") }
        buffer.removeAll(keepingCapacity: true)
    }

    func close() {
        flush()
        if fclose(file) != 0 { fail("cannot write \(path)") }
    }
}

@MainActor func write(_ lines: [String], _ path: String) {
    let w = LineWriter(path)
    for l in lines { w.line(l) }
    w.close()
}
write(leadRows, "leads.csv")
do {
    // Where each inserted line ends up among all lines, as if inserted one after the other.
    var total = 1 + touchOrder.count
    var placed: [(index: Int, line: String)] = []
    for (index, line) in touchInsertions {
        let at = min(total, index)
        placed = placed.map { $0.index >= at ? ($0.index + 1, $0.line) : $0 }
        placed.append((at, line))
        total += 1
    }
    let inserted = Dictionary(uniqueKeysWithValues: placed.map { ($0.index, $0.line) })
    let w = LineWriter("touches.csv")
    var next = touchOrder.makeIterator()
    for index in 0..<total {
        if let line = inserted[index] { w.line(line) } else if index == 0 { w.line(touchHeader) } else { w.line(touchLine(touches[next.next()!])) }
    }
    w.close()
}
write(conversionRows, "conversions.csv")
write(stageRows, "stages.csv")
write(outreachRows, "outreach.csv")
write(metaRows, "social/meta_ads_daily.csv")
write(linkedinRows, "social/linkedin_campaign_performance.csv")
write(formRows, "social/meta_lead_forms.tsv")
write(gscDateRows, "seo/search_console_dates.csv")
write(gscPageRows, "seo/search_console_pages.csv")
write(gscQueryRows, "seo/search_console_queries.csv")
write(seoCostRows, "seo/seo_costs.csv")
write(referralRows, "referral/referral_ledger.csv")
write(eventRows, "events/events_ledger.csv")
write(attendeeRows, "events/event_attendees.csv")
write(emailCampaignRows, "email/email_campaigns.csv")
write(engagementRows, "email/email_engagement.csv")
let paidSearch = PaidSearchSample(start: options.start, days: options.days, seed: options.seed)
write(paidSearch.googleRows, "paid_search/google_ads_campaigns.csv")
write(paidSearch.microsoftRows, "paid_search/microsoft_ads_campaigns.csv")
write(CustomChannelSample.grouping.split(separator: "\n", omittingEmptySubsequences: false).map(String.init), "grouping.txt")
write(CustomChannelSample.costs(start: options.start, days: options.days), "costs.csv")
print("wrote \(leads.count) leads, \(touches.count) touches, \(conversions.count) conversions, \(formLeads.count) lead-form leads to \(options.out)")

/// The indices of `items` in the order `areInIncreasingOrder` sorts them (stable): sorting
/// indices moves integers instead of large structs full of strings.
func sortedPermutation<T>(_ items: [T], by areInIncreasingOrder: (T, T) -> Bool) -> [Int] {
    items.withUnsafeBufferPointer { p in
        Array(p.indices).sorted { a, b in
            if areInIncreasingOrder(p[a], p[b]) { return true }
            if areInIncreasingOrder(p[b], p[a]) { return false }
            return a < b
        }
    }
}

func sortedByPermutation<T>(_ items: [T], by areInIncreasingOrder: (T, T) -> Bool) -> [T] {
    sortedPermutation(items, by: areInIncreasingOrder).map { items[$0] }
}

/// Engagement rows by newsletter, time of the first open, then lead key.
func sortedEngagement(_ rows: [(lead: Int, newsletter: Int, opened: Int64, clicked: Int64?)], _ leads: [Lead]) -> [(lead: Int, newsletter: Int, opened: Int64, clicked: Int64?)] {
    sortedByPermutation(rows) { a, b in
        if a.newsletter != b.newsletter { return a.newsletter < b.newsletter }
        if a.opened != b.opened { return a.opened < b.opened }
        return leads[a.lead - 1].key < leads[b.lead - 1].key
    }
}

extension Array where Element == Int64 {
    /// The index of the first element for which `belongs` is true, in a sorted array.
    func partitioningIndex(where belongs: (Int64) -> Bool) -> Int {
        var lo = 0, hi = count
        while lo < hi {
            let mid = (lo + hi) / 2
            if belongs(self[mid]) { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }
}
