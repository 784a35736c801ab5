/// # SEOChannel — organic search
///
/// Imports Google Search Console performance exports — by date (site totals), and by page or
/// by query with a date column — as daily channel metrics (clicks, impressions, average
/// position; CTR is derived), and an SEO cost ledger (agency retainer, content spend) whose
/// monthly amounts are spread evenly over the month's days, so that cost per lead by week or
/// day is meaningful. Claims organic search touches: a search-engine referrer on untagged
/// traffic, or `utm_medium=organic` — never a touch with a paid marker (`gclid`, `msclkid`,
/// `utm_medium=cpc|ppc|paid`), which is paid search. Formats: `docs/formats/seo.md`.
import ChannelKit

public struct SEOChannelPlugin: ChannelPlugin {
    public init() {}

    public let id = "seo"
    public let displayName = "SEO (organic search)"
    public let summary = "Organic search: Google Search Console performance and the SEO cost ledger."
    /// After every channel with explicit tags: organic search is what is left of search-engine traffic.
    public let classificationPriority = 30

    public var metrics: [MetricDefinition] {
        [
            MetricDefinition(id: "clicks", title: "Clicks", description: "Clicks from Google Search results"),
            MetricDefinition(id: "impressions", title: "Impressions", description: "Times a result was shown"),
            MetricDefinition(id: "position", title: "Avg. position", aggregation: .weightedAverage(weight: "impressions"),
                             description: "Average position in results, weighted by impressions"),
            MetricDefinition(id: "ctr", title: "CTR", aggregation: .ratio(numerator: "clicks", denominator: "impressions"),
                             description: "Click-through rate = clicks / impressions, computed after summing"),
        ]
    }

    public var formats: [ExportFormat] { SearchConsoleReport.formats + [SEOCostLedger.format] }

    /// Search Console's page and query tables are breakdowns of the site totals.
    public var breakdowns: [String] { ["page", "query"] }

    static let engines = ["google", "bing", "yahoo", "duckduckgo", "baidu", "yandex", "naver", "coccoc", "ecosia"]
    static let paidParameters = ["gclid", "gbraid", "wbraid", "dclid", "msclkid"]
    static let paidMediums = ["cpc", "ppc", "paid", "paidsearch", "paid_search", "paid-search", "sem"]

    /// Organic: `utm_medium=organic`, or untagged traffic from a search engine; and no paid marker.
    public var touchRule: TouchRule? {
        .all([
            .not(.landingParameter(Self.paidParameters)),
            .not(.medium(Self.paidMediums)),
            .any([.medium(["organic"]), .all([.untagged, .referrerName(Self.engines)])]),
        ])
    }

    public var touchExamples: [TouchExample] {
        [
            .claims(RawTouch(referrer: "https://www.google.com/")),
            .claims(RawTouch(referrer: "https://www.google.com.vn/search?q=crm")),
            .claims(RawTouch(referrer: "https://coccoc.com/search?query=crm")),
            .claims(RawTouch(referrer: "https://search.yahoo.com/")),
            .claims(RawTouch(referrer: "https://duckduckgo.com/")),
            .claims(RawTouch(source: "google", medium: "organic")),
            .ignores(RawTouch(referrer: "https://www.google.com/", landingPage: "https://shop.example.com/?gclid=Cj0K")),
            .ignores(RawTouch(referrer: "https://www.bing.com/", landingPage: "https://shop.example.com/?msclkid=1")),
            .ignores(RawTouch(source: "google", medium: "cpc")),
            .ignores(RawTouch(source: "google", medium: "organic", landingPage: "https://shop.example.com/?gclid=x")),
            .ignores(RawTouch(source: "newsletter", medium: "email", referrer: "https://www.google.com/")),
            .ignores(RawTouch(referrer: "https://www.facebook.com/")),
            .ignores(RawTouch(referrer: "https://googleblog.example.com/")),
        ]
    }
}
