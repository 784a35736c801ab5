/// # PaidSearchChannel — paid search (Google Ads, Microsoft Advertising)
///
/// Imports the daily campaign reports marketers download from the search ad platforms:
/// - **Google Ads** campaign report, segmented by day, as the Google Ads interface downloads it
///   (`google-ads-campaigns`): a title and a date-range line above the header, `Total:` rows
///   below the data;
/// - **Microsoft Advertising** campaign performance report, daily (`microsoft-ads-campaigns`):
///   the reporting API's columns (`TimePeriod`, `CampaignName`, `Spend`…) with its report
///   header lines and copyright footer, or the web interface's download.
///
/// Costs become daily costs per campaign; impressions, clicks and the conversions the platform
/// counted become channel metrics (CTR and CPC are derived). Web touches are claimed the way
/// analytics tools group paid search: a click identifier on the landing page (`gclid`, `gbraid`,
/// `wbraid`, `dclid`, `msclkid`), a paid-search medium, or a cost-per-click medium from a search
/// engine. Formats are documented in `docs/formats/paid_search.md`.
import ChannelKit

public struct PaidSearchChannelPlugin: ChannelPlugin {
    public init() {}

    public let id = "paid_search"
    public let displayName = "Paid search"
    public let summary = "Search ads: Google Ads and Microsoft Advertising (Bing) campaign reports; touches with a search click id."
    /// Before social (20) and organic search (30): a search ad's click identifier is the
    /// strongest evidence a touch carries; after referral codes (10), as GA4 puts paid search
    /// after cross-network and shopping rules only.
    public let classificationPriority = 12

    public var metrics: [MetricDefinition] {
        [
            MetricDefinition(id: "impressions", title: "Impressions", description: "Times an ad was shown (Impr.)"),
            MetricDefinition(id: "clicks", title: "Clicks", description: "Clicks on ads"),
            MetricDefinition(id: "platform_conversions", title: "Platform conv.",
                             description: "Conversions the ad platform counted (its own attribution, may be fractional); may differ from CRM leads"),
            MetricDefinition(id: "ctr", title: "CTR", aggregation: .ratio(numerator: "clicks", denominator: "impressions"),
                             description: "Click-through rate = clicks / impressions, computed after summing"),
            MetricDefinition(id: "cpc", title: "CPC", aggregation: .costPer("clicks"),
                             description: "Cost per click = spend / clicks, computed after summing"),
        ]
    }

    public var formats: [ExportFormat] { [GoogleAdsCampaignReport.format, MicrosoftAdsCampaignReport.format] }

    static let engines = ["google", "bing", "yahoo", "duckduckgo", "baidu", "yandex", "naver", "coccoc", "ecosia", "microsoft"]
    static let clickIDs = ["gclid", "gbraid", "wbraid", "dclid", "msclkid"]
    /// Mediums that say paid search whatever the source.
    static let searchMediums = ["paidsearch", "paid_search", "paid-search", "sem"]
    /// Mediums that say a paid click; paid search when the source or referrer is a search engine.
    static let clickMediums = ["cpc", "ppc", "paid"]

    public var touchRule: TouchRule? {
        .any([
            .landingParameter(Self.clickIDs),
            .medium(Self.searchMediums),
            .all([.medium(Self.clickMediums), .any([.source(Self.engines), .referrerName(Self.engines)])]),
        ])
    }

    public var touchExamples: [TouchExample] {
        [
            .claims(RawTouch(source: "google", medium: "cpc", campaign: "brand_search")),
            .claims(RawTouch(source: "bing", medium: "ppc")),
            .claims(RawTouch(landingPage: "https://shop.example.com/?gclid=Cj0KCQ")),
            .claims(RawTouch(referrer: "https://www.google.com/", landingPage: "https://shop.example.com/?gbraid=0AAA")),
            .claims(RawTouch(landingPage: "https://shop.example.com/?wbraid=ClAK")),
            .claims(RawTouch(referrer: "https://www.bing.com/", landingPage: "https://shop.example.com/?msclkid=4f2a")),
            .claims(RawTouch(landingPage: "https://shop.example.com/?dclid=CJa")),
            .claims(RawTouch(source: "partner_portal", medium: "paid_search")),
            .claims(RawTouch(medium: "cpc", referrer: "https://www.bing.com/search?q=crm")),
            .ignores(RawTouch(source: "facebook", medium: "cpc")),
            .ignores(RawTouch(medium: "cpc")),
            .ignores(RawTouch(referrer: "https://www.google.com/")),
            .ignores(RawTouch(source: "google", medium: "organic")),
            .ignores(RawTouch(source: "newsletter", medium: "email", landingPage: "https://shop.example.com/?utm_source=newsletter")),
            .ignores(RawTouch()),
        ]
    }
}

/// What the search platforms' daily campaign reports have in common: one row per day and
/// campaign with spend, impressions, clicks and the conversions the platform counted. Each
/// format maps its headers to the keys `day`, `campaign`, `campaign_id`, `spend`, `currency`,
/// `impressions`, `clicks` and `conversions`.
enum SearchCampaignRow {
    /// Both platforms' interfaces write `--` where a value does not apply (no conversions
    /// tracked): the same as an empty cell.
    static func records(_ raw: SourceRow) throws(RowError) -> [ChannelRecord] {
        let row = SourceRow(line: raw.line, fields: raw.fields.map { $0.trimmingSpaces == "--" ? "" : $0 }, header: raw.header,
                            decimalSeparator: raw.decimalSeparator, notes: raw.notes)
        let day = try row.day("day")
        let campaign = CampaignRef(name: try row.required("campaign"), externalID: row.value("campaign_id"))
        let conversions = row.value("conversions") == nil ? 0 : try row.decimal("conversions")
        return [
            .cost(CostRecord(day: day, campaign: campaign, amount: try row.money("spend", currency: try row.currency("currency")))),
            .metric(MetricRecord(day: day, campaign: campaign, metric: "impressions", value: Double(try row.count("impressions")))),
            .metric(MetricRecord(day: day, campaign: campaign, metric: "clicks", value: Double(try row.count("clicks")))),
            .metric(MetricRecord(day: day, campaign: campaign, metric: "platform_conversions", value: conversions)),
        ]
    }
}
