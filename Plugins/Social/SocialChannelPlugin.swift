/// # SocialChannel — paid and organic social media
///
/// Imports the exports marketers download from social ad platforms:
/// - **Meta Ads Manager** campaign report with a daily breakdown (`meta-ads`);
/// - **LinkedIn Campaign Manager** campaign performance export, daily (`linkedin-campaigns`);
/// - **Meta lead ads** form downloads (`meta-lead-forms`): each person becomes a lead with a
///   `form_submit` touchpoint on the campaign that brought them.
///
/// Costs become daily costs per campaign; impressions, clicks and the leads the platform
/// reports become channel metrics (CTR is derived: clicks / impressions). Web touches from
/// social networks — by UTM tags or by referrer — are claimed for this channel.
/// Formats are documented in `docs/formats/social.md`.
import ChannelKit

public struct SocialChannelPlugin: ChannelPlugin {
    public init() {}

    public let id = "social"
    public let displayName = "Social media"
    public let summary = "Paid and organic social: Meta (Facebook, Instagram), LinkedIn, TikTok, X, YouTube, Zalo."
    public let classificationPriority = 20

    public var metrics: [MetricDefinition] {
        [
            MetricDefinition(id: "impressions", title: "Impressions", description: "Times an ad was shown"),
            MetricDefinition(id: "clicks", title: "Clicks", description: "Link clicks (Meta) or clicks (LinkedIn)"),
            MetricDefinition(id: "platform_leads", title: "Platform leads", description: "Leads the ad platform reports (lead forms); may differ from CRM leads"),
            MetricDefinition(id: "ctr", title: "CTR", aggregation: .ratio(numerator: "clicks", denominator: "impressions"),
                             description: "Click-through rate = clicks / impressions, computed after summing"),
        ]
    }

    public var formats: [ExportFormat] { [MetaAdsReport.format, LinkedInCampaignReport.format, MetaLeadForms.format] }

    static let networks = ["facebook", "fb", "instagram", "ig", "linkedin", "tiktok", "twitter", "x", "youtube", "zalo", "threads", "pinterest"]
    static let socialMediums = ["social", "paid_social", "paidsocial", "paid-social", "social_paid", "social-network", "social_media", "social-media", "sm"]
    static let paidMediums = ["cpc", "ppc", "paid", "cpm", "cpv"]
    static let domains = [
        "facebook.com", "fb.com", "fb.me", "instagram.com", "linkedin.com", "lnkd.in", "tiktok.com", "twitter.com", "x.com", "t.co",
        "youtube.com", "youtu.be", "zalo.me", "threads.net", "pinterest.com",
    ]

    /// Social mediums; or a social network as source with no medium or a paid one; or, for
    /// untagged traffic, a referrer on a social network.
    public var touchRule: TouchRule? {
        .any([
            .medium(Self.socialMediums),
            .all([.source(Self.networks), .any([.noMedium, .medium(Self.paidMediums)])]),
            .all([.untagged, .referrerDomain(Self.domains)]),
        ])
    }

    public var touchExamples: [TouchExample] {
        [
            .claims(RawTouch(source: "facebook", medium: "paid_social", campaign: "tet_sale")),
            .claims(RawTouch(source: "LinkedIn", medium: "cpc")),
            .claims(RawTouch(source: "zalo")),
            .claims(RawTouch(source: "newsletter_partner", medium: "social")),
            .claims(RawTouch(referrer: "https://l.instagram.com/?u=https%3A%2F%2Fshop.example.com")),
            .claims(RawTouch(referrer: "https://t.co/abc123")),
            .ignores(RawTouch(source: "facebook", medium: "email")),
            .ignores(RawTouch(source: "google", medium: "cpc", landingPage: "https://shop.example.com/?gclid=abc")),
            .ignores(RawTouch(referrer: "https://www.google.com/")),
            .ignores(RawTouch(source: "newsletter", medium: "email", referrer: "https://www.facebook.com/")),
            .ignores(RawTouch(referrer: "https://notfacebook.com/")),
            .ignores(RawTouch()),
        ]
    }
}
