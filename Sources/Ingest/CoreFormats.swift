import ChannelKit

/// The core sources' CSV formats. Each is documented in `docs/formats/` with the same
/// columns and example.
public enum CoreFormats {
    /// The exchange rates accepted: beyond them a rate is a typo (and would take converted sums
    /// past what minor units hold).
    public static let rateRange: ClosedRange<Double> = 1e-9...1e9
    public static let sources: [ImportSource] = [
        ImportSource(id: "leads", channelID: nil, formats: [leads]),
        ImportSource(id: "touches", channelID: nil, formats: [touches]),
        ImportSource(id: "conversions", channelID: nil, formats: [conversions]),
        ImportSource(id: "stages", channelID: nil, formats: [stages]),
        ImportSource(id: "outreach", channelID: nil, formats: [outreach]),
        ImportSource(id: "rates", channelID: nil, formats: [rates]),
        ImportSource(id: "costs", channelID: nil, formats: [costs]),
    ]

    /// Spend no platform export carries — agency fees, TV, press, partner deals, tools — for any
    /// channel the warehouse has, one row per day.
    public static let costs = SourceFormat(
        id: "costs-ledger",
        title: "Daily cost ledger",
        summary: "Daily costs of any channel the warehouse has (a plugin's, direct, other, or a custom one), for spend no platform export carries. Costs are kept per ledger: two ledgers' rows never overwrite each other, and a later file of the same ledger restates the rows it gives.",
        columns: [
            ColumnSpec("day", names: ["date"], description: "The day, YYYY-MM-DD"),
            ColumnSpec("channel", names: ["channel"], description: "A channel id the warehouse has (`leadledger channels`)"),
            ColumnSpec("campaign", names: ["campaign"], description: "Campaign name, matched to utm_campaign by its normalised form; empty for a cost of the channel as a whole"),
            ColumnSpec("amount", names: ["amount"], description: "Amount, such as 1500.00; not negative"),
            ColumnSpec("currency", names: ["currency"], description: "ISO 4217 code such as USD"),
            ColumnSpec("impressions", names: ["impressions"], required: false, description: "Impressions, when the spend bought a known number (TV spots, print); empty = none recorded"),
            ColumnSpec("clicks", names: ["clicks"], required: false, description: "Clicks; empty = none recorded"),
            ColumnSpec("item", names: ["item"], required: false, description: "What was paid for (agency fee, tools…): rows of the same day, channel and campaign need different items"),
            ColumnSpec("account", names: ["ledger"], required: false, description: "The ledger's name: two ledgers' costs are both kept; empty = the costs ledger"),
        ],
        example: """
            date,channel,campaign,amount,currency,impressions,clicks,item
            2026-01-05,paid_search,,250.00,USD,,,Agency fee
            """
    ) { (row) throws(RowError) in
        let day = try row.day("day")
        let channel = try row.required("channel")
        let campaign = row.value("campaign").map { CampaignRef(name: $0) }
        let amount = try row.money("amount", currency: try row.currency("currency"))
        let detail = row.value("item").map { "item:" + $0 }
        var records: [IngestRecord] = [.ledger(channel: channel, .cost(CostRecord(day: day, campaign: campaign, amount: amount, detail: detail)))]
        for metric in ["impressions", "clicks"] where row.value(metric) != nil {
            records.append(.ledger(channel: channel, .metric(MetricRecord(day: day, campaign: campaign, metric: metric, value: Double(try row.count(metric)),
                                                                           detail: detail.map { .line($0) }))))
        }
        return records
    }

    /// Exchange rates, so that reports can add amounts in different currencies (`--currency`).
    public static let rates = SourceFormat(
        id: "exchange-rates",
        title: "Exchange rates",
        summary: "One row per day and currency pair: 1 unit of `currency` is worth `rate` units of `target`. A rate holds until a later one.",
        columns: [
            ColumnSpec("day", names: ["day", "date"], description: "From this UTC day on, YYYY-MM-DD"),
            ColumnSpec("currency", names: ["currency", "from"], description: "ISO 4217 code being converted, such as VND"),
            ColumnSpec("target", names: ["target", "to"], description: "ISO 4217 code converted to, such as USD"),
            ColumnSpec("rate", names: ["rate"], description: "Units of target per unit of currency, such as 0.0000394"),
        ],
        example: """
            day,currency,target,rate
            2026-01-01,VND,USD,0.0000394
            """
    ) { (row) throws(RowError) in
        let day = try row.day("day")
        let from = try row.currency("currency")
        let to = try row.currency("target")
        guard from != to else { throw row.error("target", "is the same currency as \(from.code)") }
        let rate = try row.decimal("rate", maximum: CoreFormats.rateRange.upperBound)
        guard CoreFormats.rateRange.contains(rate) else { throw row.error("rate", "must be between 10^-9 and 10^9 (units of target per unit of currency)") }
        return [.rate(RateRecord(day: day, currency: from, target: to, rate: rate))]
    }

    /// Sales and marketing contact attempts, for "giving up" on leads that never answer.
    public static let outreach = SourceFormat(
        id: "outreach-attempts",
        title: "Outreach attempts",
        summary: "One row per attempt to reach a lead (call, email, message), and whether the lead responded.",
        columns: [
            ColumnSpec("lead_id", names: ["lead_id"], description: "The lead (CRM id)"),
            ColumnSpec("attempted_at", names: ["attempted_at", "at"], description: "When, ISO 8601"),
            ColumnSpec("method", names: ["channel", "method"], description: "How: call, email, sms, zalo, meeting… (free text, lowercased)"),
            ColumnSpec("responded", names: ["responded"], description: "yes/no: did the lead respond to this attempt"),
        ],
        example: """
            lead_id,attempted_at,channel,responded
            L000001,2026-01-08T03:00:00Z,call,no
            """
    ) { (row) throws(RowError) in
        let key = try row.required("lead_id")
        let at = try row.timestamp("attempted_at")
        let method = try row.required("method").lowercased()
        guard let responded = try row.bool("responded") else { throw row.error("responded", "is empty; yes or no is required") }
        return [.outreach(OutreachRecord(leadKey: key, at: at, method: method, responded: responded))]
    }

    /// The lifecycle stages, in funnel order.
    public static let stageNames = ["lead", "mql", "sql", "opportunity", "customer"]

    /// Lifecycle-stage changes from the CRM.
    public static let stages = SourceFormat(
        id: "lifecycle-stages",
        title: "Lifecycle stage changes",
        summary: "One row per stage a lead reached: lead, mql (marketing-qualified), sql (sales-qualified), opportunity, customer.",
        columns: [
            ColumnSpec("lead_id", names: ["lead_id"], description: "The lead (CRM id)"),
            ColumnSpec("stage", names: ["stage", "lifecycle_stage"], description: "lead, mql, sql, opportunity or customer (MQL, SQL and spaces are accepted)"),
            ColumnSpec("changed_at", names: ["changed_at", "entered_at"], description: "When the lead entered the stage, ISO 8601"),
        ],
        example: """
            lead_id,stage,changed_at
            L000001,opportunity,2026-01-12T10:00:00Z
            """
    ) { (row) throws(RowError) in
        let key = try row.required("lead_id")
        let text = try row.required("stage")
        let stage = text.lowercased().split(separator: " ").joined(separator: "_")
        let aliases = ["marketing_qualified": "mql", "sales_qualified": "sql", "opp": "opportunity", "won": "customer"]
        let name = aliases[stage] ?? stage
        guard stageNames.contains(name) else {
            throw row.error("stage", "\(SourceRow.quoted(text)) is not a stage; expected \(stageNames.joined(separator: ", "))")
        }
        return [.stage(StageRecord(leadKey: key, stage: name, at: try row.timestamp("changed_at")))]
    }

    static let genders: Set<String> = ["female", "male", "non_binary", "other", "unknown"]

    /// A CRM export of leads with their demographic and firmographic attributes.
    public static let leads = SourceFormat(
        id: "crm-leads",
        title: "CRM leads export",
        summary: "One row per lead as a CRM exports it. Emails and phones are stored as salted hashes.",
        columns: [
            ColumnSpec("lead_id", names: ["lead_id", "Lead ID", "id"], description: "The CRM's identifier of the lead; touches and conversions refer to it"),
            ColumnSpec("created_at", names: ["created_at", "Created At", "Created Date"], description: "When the lead was created, ISO 8601 (no offset = UTC)"),
            ColumnSpec("email", names: ["email", "Email"], required: false, description: "Email address; stored only as a salted hash"),
            ColumnSpec("phone", names: ["phone", "Phone"], required: false, description: "Phone number; stored only as a salted hash"),
            ColumnSpec("country", names: ["country", "Country"], required: false, description: "ISO 3166-1 alpha-2 code (VN, US…)"),
            ColumnSpec("region", names: ["region", "Region", "State"], required: false, description: "Region, state or province"),
            ColumnSpec("age_band", names: ["age_band", "Age Band"], required: false, description: "Age band such as 25-34 or 65+"),
            ColumnSpec("gender", names: ["gender", "Gender"], required: false, description: "female, male, non_binary, other or unknown"),
            ColumnSpec("income_band", names: ["income_band", "Income Band"], required: false, description: "Income band as the CRM labels it"),
            ColumnSpec("industry", names: ["industry", "Industry"], required: false, description: "Industry or sector"),
            ColumnSpec("company_size", names: ["company_size", "Company Size", "Employees"], required: false, description: "Company size band such as 11-50 or 1000+"),
            ColumnSpec("interests", names: ["interests", "Interests"], required: false, description: "Declared interests, separated by ;"),
            ColumnSpec("lead_source", names: ["lead_source", "Lead Source"], required: false, description: "The CRM's own source label, kept for reference"),
        ],
        example: """
            lead_id,created_at,email,phone,country,region,age_band,gender,income_band,industry,company_size,interests,lead_source
            L000001,2026-01-05T09:12:44Z,an.nguyen@example.com,+84 90 123 4567,VN,Ho Chi Minh City,25-34,female,middle,retail,11-50,pricing;automation,Facebook Lead Ad
            """
    ) { (row) throws(RowError) in
        let key = try row.required("lead_id")
        let createdAt = try row.timestamp("created_at")
        let email = try row.email("email")
        let phone = try row.phone("phone")
        var attributes = LeadAttributes()
        if let country = row.value("country") {
            guard country.count == 2, country.allSatisfy({ $0.isASCII && $0.isLetter }) else {
                throw row.error("country", "\(SourceRow.quoted(country)) is not an ISO 3166-1 alpha-2 country code such as VN or US")
            }
            attributes.country = country.uppercased()
        }
        attributes.region = row.value("region")
        if let band = row.value("age_band") {
            guard isBand(band) else { throw row.error("age_band", "\(SourceRow.quoted(band)) is not an age band such as 25-34 or 65+") }
            attributes.ageBand = band
        }
        if let gender = row.value("gender") {
            let g = gender.lowercased()
            guard genders.contains(g) else { throw row.error("gender", "\(SourceRow.quoted(gender)) is not one of \(genders.sorted().joined(separator: ", "))") }
            attributes.gender = g
        }
        attributes.incomeBand = row.value("income_band")
        attributes.industry = row.value("industry")?.lowercased()
        if let size = row.value("company_size") {
            guard isBand(size) else { throw row.error("company_size", "\(SourceRow.quoted(size)) is not a size band such as 11-50 or 1000+") }
            attributes.companySize = size
        }
        attributes.interests = row.value("interests")
        return [.channel(.lead(LeadRecord(key: key, createdAt: createdAt, email: email, phone: phone,
                                          attributes: attributes, sourceLabel: row.value("lead_source"))))]
    }

    /// UTM-tagged web events from a site's analytics or tag manager.
    public static let touches = SourceFormat(
        id: "web-touches",
        title: "Web touches (UTM-tagged events)",
        summary: "One row per tracked event of a known lead. The channel is decided by the channel plugins' rules.",
        columns: [
            ColumnSpec("occurred_at", names: ["occurred_at", "timestamp", "event_time"], description: "When it happened, ISO 8601 (no offset = UTC)"),
            ColumnSpec("lead_id", names: ["lead_id", "visitor_id", "user_id"], description: "The lead (CRM id) or visitor id the event belongs to"),
            ColumnSpec("utm_source", names: ["utm_source"], required: false, description: "utm_source tag"),
            ColumnSpec("utm_medium", names: ["utm_medium"], required: false, description: "utm_medium tag"),
            ColumnSpec("utm_campaign", names: ["utm_campaign"], required: false, description: "utm_campaign tag; matched to the channel's campaigns by name"),
            ColumnSpec("referrer", names: ["referrer", "referer", "page_referrer"], required: false, description: "Referring URL"),
            ColumnSpec("landing_page", names: ["landing_page", "page_location", "url"], required: false, description: "Landing URL, with its query string (gclid, ref…)"),
            ColumnSpec("kind", names: ["event", "kind", "event_kind"], description: "One of: " + TouchKind.allCases.map(\.rawValue).joined(separator: ", ")),
        ],
        example: """
            occurred_at,lead_id,utm_source,utm_medium,utm_campaign,referrer,landing_page,event
            2026-01-05T09:10:02Z,L000001,facebook,paid_social,tet_sale_2026,https://l.facebook.com/,https://shop.example.com/tet?utm_source=facebook,visit
            """
    ) { (row) throws(RowError) in
        let at = try row.timestamp("occurred_at")
        let key = try row.required("lead_id")
        let kindText = try row.required("kind")
        guard let kind = TouchKind(rawValue: kindText.lowercased()) else {
            throw row.error("kind", "\(SourceRow.quoted(kindText)) is not a touch kind; expected one of \(TouchKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return [.webTouch(WebTouch(leadKey: key, at: at, kind: kind, utmSource: row.value("utm_source"), utmMedium: row.value("utm_medium"),
                                   utmCampaign: row.value("utm_campaign"), referrer: row.value("referrer"), landingPage: row.value("landing_page")))]
    }

    /// Purchases or won deals, with revenue.
    public static let conversions = SourceFormat(
        id: "conversions",
        title: "Conversions (purchases, won deals)",
        summary: "One row per conversion of a lead, with its revenue. A lead with a conversion is a customer.",
        columns: [
            ColumnSpec("lead_id", names: ["lead_id"], description: "The lead (CRM id) who converted"),
            ColumnSpec("converted_at", names: ["converted_at", "closed_at", "order_time"], description: "When, ISO 8601 (no offset = UTC)"),
            ColumnSpec("revenue", names: ["revenue", "amount", "value"], description: "Revenue as a decimal number, such as 1290.00"),
            ColumnSpec("currency", names: ["currency"], description: "ISO 4217 code such as USD"),
            ColumnSpec("conversion_id", names: ["conversion_id", "order_id", "deal_id"], required: false, description: "The order or deal id; the same id is never counted twice"),
        ],
        example: """
            lead_id,converted_at,revenue,currency,conversion_id
            L000001,2026-01-19T14:03:00Z,1290.00,USD,ORD-10001
            """
    ) { (row) throws(RowError) in
        let key = try row.required("lead_id")
        let at = try row.timestamp("converted_at")
        let currency = try row.currency("currency")
        _ = try row.required("revenue")
        let revenue = try row.money("revenue", currency: currency, negative: "record refunds in the CRM, not as negative revenue")
        return [.conversion(ConversionRecord(leadKey: key, at: at, revenue: revenue, externalID: row.value("conversion_id")))]
    }

    /// `25-34`, `65+`, `1000+`.
    static func isBand(_ text: String) -> Bool {
        // Digits, `-` and `+` are ASCII: a value with any other byte is no band.
        if let checked = text.utf8.withContiguousStorageIfAvailable(isBand) { return checked }
        return isBandByCharacters(text)
    }

    static func isBand(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let isDigit = { (b: UInt8) in (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b) }
        if let dash = bytes.firstIndex(of: UInt8(ascii: "-")) {
            // A second `-` is no digit: no band, as it would be no `+` band either.
            let low = bytes[..<dash], high = bytes[(dash + 1)...]
            return !low.isEmpty && !high.isEmpty && low.allSatisfy(isDigit) && high.allSatisfy(isDigit)
        }
        guard bytes.last == UInt8(ascii: "+") else { return false }
        let n = bytes.dropLast()
        return !n.isEmpty && n.allSatisfy(isDigit)
    }

    static func isBandByCharacters(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        if parts.count == 2 { return !parts[0].isEmpty && !parts[1].isEmpty && parts.allSatisfy { $0.allSatisfy(\.isASCIIDigit) } }
        if text.hasSuffix("+") { let n = text.dropLast(); return !n.isEmpty && n.allSatisfy(\.isASCIIDigit) }
        return false
    }
}
