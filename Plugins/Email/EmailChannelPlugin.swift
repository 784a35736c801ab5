/// # EmailChannel — email marketing
///
/// Imports an email platform's campaign report (sent, delivered, opens, clicks,
/// unsubscribes, bounces and the campaign's cost, on the day it was sent) and per-recipient
/// engagement (opened at, clicked at) as `email_open` and `click` touchpoints of the leads
/// with those email addresses. Claims `utm_medium=email|newsletter` and webmail referrers.
/// Formats: `docs/formats/email.md`.
import ChannelKit

public struct EmailChannelPlugin: ChannelPlugin {
    public init() {}

    public let id = "email"
    public let displayName = "Email"
    public let summary = "Email marketing: campaign reports and per-recipient opens and clicks."
    public let classificationPriority = 18

    public var metrics: [MetricDefinition] {
        [
            MetricDefinition(id: "sent", title: "Sent", description: "Emails sent"),
            MetricDefinition(id: "delivered", title: "Delivered", description: "Emails delivered"),
            MetricDefinition(id: "opens", title: "Opens", description: "Opens, counting repeats"),
            MetricDefinition(id: "unique_opens", title: "Unique opens", description: "Recipients who opened"),
            MetricDefinition(id: "clicks", title: "Clicks", description: "Clicks on links"),
            MetricDefinition(id: "unsubscribes", title: "Unsubscribes", description: "Recipients who unsubscribed"),
            MetricDefinition(id: "bounces", title: "Bounces", description: "Hard and soft bounces"),
            MetricDefinition(id: "open_rate", title: "Open rate", aggregation: .ratio(numerator: "unique_opens", denominator: "delivered"),
                             description: "Unique opens / delivered"),
            MetricDefinition(id: "click_rate", title: "Click rate", aggregation: .ratio(numerator: "clicks", denominator: "delivered"),
                             description: "Clicks / delivered"),
        ]
    }

    public var formats: [ExportFormat] { [EmailCampaignReport.format, EmailEngagement.format] }

    static let webmail = ["mail.google.com", "outlook.live.com", "outlook.office.com", "outlook.office365.com", "mail.yahoo.com",
                          "mail.zoho.com", "mail.proton.me", "mail.aol.com"]

    public var touchRule: TouchRule? {
        .any([
            .medium(["email", "e-mail", "e_mail", "newsletter", "mail"]),
            .all([.untagged, .referrerDomain(Self.webmail)]),
        ])
    }

    public var touchExamples: [TouchExample] {
        [
            .claims(RawTouch(source: "newsletter", medium: "email", campaign: "jan_newsletter")),
            .claims(RawTouch(source: "mailchimp", medium: "newsletter")),
            .claims(RawTouch(referrer: "https://mail.google.com/mail/u/0/")),
            .claims(RawTouch(source: "facebook", medium: "email")),
            .ignores(RawTouch(referrer: "https://www.google.com/")),
            .ignores(RawTouch(source: "newsletter", medium: "referral", landingPage: "https://shop.example.com/?ref=R1")),
            .ignores(RawTouch(source: "facebook", medium: "paid_social")),
        ]
    }
}

/// A campaign report as email platforms export it: one row per campaign send.
enum EmailCampaignReport {
    static let counts = ["sent", "delivered", "opens", "unique_opens", "clicks", "unsubscribes", "bounces"]

    static let format = ExportFormat(
        id: "email-campaigns",
        title: "Email campaign report",
        summary: "One row per campaign send with its delivery and engagement counts and cost.",
        columns: [
            ColumnSpec("campaign", names: ["campaign", "Campaign Name", "Title"], description: "Campaign name; matched to utm_campaign by its normalised form"),
            ColumnSpec("sent_at", names: ["sent_at", "Send Date", "Sent At"], description: "When it was sent, ISO 8601"),
            ColumnSpec("sent", names: ["sent", "Total Recipients", "Emails Sent"], description: "Emails sent"),
            ColumnSpec("delivered", names: ["delivered", "Successful Deliveries"], description: "Emails delivered"),
            ColumnSpec("opens", names: ["opens", "Total Opens"], required: false, description: "Opens; empty = 0"),
            ColumnSpec("unique_opens", names: ["unique_opens", "Unique Opens"], required: false, description: "Unique opens; empty = 0"),
            ColumnSpec("clicks", names: ["clicks", "Total Clicks"], required: false, description: "Clicks; empty = 0"),
            ColumnSpec("unsubscribes", names: ["unsubscribes", "Unsubscribes"], required: false, description: "Unsubscribes; empty = 0"),
            ColumnSpec("bounces", names: ["bounces", "Total Bounces"], required: false, description: "Bounces; empty = 0"),
            ColumnSpec("cost", names: ["cost"], required: false, description: "What the send cost"),
            ColumnSpec("currency", names: ["currency"], required: false, description: "ISO 4217 code (required with a cost)"),
        ],
        example: """
            campaign,sent_at,sent,delivered,opens,unique_opens,clicks,unsubscribes,bounces,cost,currency
            Jan Newsletter,2026-01-06T02:00:00Z,1850,1812,1240,702,188,9,38,120.00,USD
            """
    ) { (row) throws(RowError) in
        let campaign = CampaignRef(name: try row.required("campaign"))
        let day = try row.timestamp("sent_at").day
        var values: [String: Int] = [:]
        for key in counts { values[key] = try row.count(key) }
        guard values["delivered"]! <= values["sent"]! else { throw row.error("delivered", "more emails delivered than sent") }
        guard values["unique_opens"]! <= values["delivered"]! else { throw row.error("unique_opens", "more unique opens than emails delivered") }
        var records = counts.map { ChannelRecord.metric(MetricRecord(day: day, campaign: campaign, metric: $0, value: Double(values[$0]!))) }
        if let cost = try row.optionalMoney("cost", currencyKey: "currency") {
            records.insert(.cost(CostRecord(day: day, campaign: campaign, amount: cost)), at: 0)
        }
        return records
    }
}

/// Per-recipient engagement: who opened or clicked which campaign, and when.
enum EmailEngagement {
    static let format = ExportFormat(
        id: "email-engagement",
        title: "Email engagement per recipient",
        summary: "One row per recipient and campaign; opens and clicks become email_open and click touches of the lead with that email.",
        columns: [
            ColumnSpec("email", names: ["email", "Email Address"], description: "The recipient; must be a known lead's email"),
            ColumnSpec("campaign", names: ["campaign", "Campaign Name"], description: "The campaign"),
            ColumnSpec("opened_at", names: ["opened_at", "Open Time"], required: false, description: "First open, ISO 8601"),
            ColumnSpec("clicked_at", names: ["clicked_at", "Click Time"], required: false, description: "First click, ISO 8601"),
        ],
        example: """
            email,campaign,opened_at,clicked_at
            an.nguyen@example.com,Jan Newsletter,2026-01-06T03:12:00Z,2026-01-06T03:13:10Z
            """
    ) { (row) throws(RowError) in
        guard let email = try row.email("email") else { throw row.error("email", "is empty; a value is required") }
        let campaign = CampaignRef(name: try row.required("campaign"))
        let opened = try row.optionalTimestamp("opened_at")
        let clicked = try row.optionalTimestamp("clicked_at")
        guard opened != nil || clicked != nil else { throw row.error("opened_at", "neither opened_at nor clicked_at is given") }
        var records: [ChannelRecord] = []
        if let opened { records.append(.touch(TouchRecord(lead: .email(email, column: "email"), at: opened, kind: .emailOpen, campaign: campaign))) }
        if let clicked { records.append(.touch(TouchRecord(lead: .email(email, column: "email"), at: clicked, kind: .click, campaign: campaign))) }
        return records
    }
}
