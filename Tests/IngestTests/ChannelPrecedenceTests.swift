import Testing
import ChannelKit
import ChannelRegistry
@testable import Ingest

/// The default channel grouping across every plugin: input touch → expected channel. Rows
/// marked "tie" are touches two plugins' rules both claim; they resolve by
/// `classificationPriority` (lower first): referral 10, paid search 12, events 15, email 18,
/// social 20, seo 30.
@Suite struct ChannelPrecedenceTests {
    static let table: [(RawTouch, String, String)] = [
        (RawTouch(referrer: "https://www.google.com/"), "seo", "search engine, untagged"),
        (RawTouch(source: "bing", medium: "organic"), "seo", "utm_medium=organic"),
        (RawTouch(referrer: "https://www.google.com/", landingPage: "https://x.example/?gclid=1"), "paid_search", "tie: a search click id (paid search 12) from a search engine (seo 30)"),
        (RawTouch(source: "google", medium: "cpc"), "paid_search", "a cost-per-click medium from a search engine"),
        (RawTouch(source: "bing", medium: "organic", landingPage: "https://x.example/?msclkid=1"), "paid_search", "tie: the click id outweighs a mistagged organic medium (seo 30)"),
        (RawTouch(source: "facebook", medium: "cpc"), "social", "a cost-per-click medium from a social network is paid social"),
        (RawTouch(source: "facebook", medium: "paid_social", landingPage: "https://x.example/?gclid=1"), "paid_search", "tie: a search click id (12) beats the social tags (20), as GA4 puts paid search first"),
        (RawTouch(medium: "cpc", landingPage: "https://x.example/?ref=R1&gclid=1"), "referral", "tie: referral code (10) beats a search click id (12)"),
        (RawTouch(medium: "cpc"), "other", "a paid click from nowhere named"),
        (RawTouch(referrer: "https://www.facebook.com/"), "social", "social network, untagged"),
        (RawTouch(source: "facebook", medium: "paid_social"), "social", "paid social"),
        (RawTouch(source: "newsletter", medium: "email"), "email", "utm_medium=email"),
        (RawTouch(referrer: "https://mail.google.com/mail/u/0/"), "email", "tie: webmail (email 18) is also a google referrer (seo 30)"),
        (RawTouch(source: "facebook", medium: "email"), "email", "the medium decides: social claims a social source only untagged or paid"),
        (RawTouch(medium: "email", landingPage: "https://x.example/?ref=R1"), "referral", "tie: referral code (referral 10) in an email (email 18)"),
        (RawTouch(medium: "social", landingPage: "https://x.example/?invite=abc"), "referral", "tie: referral code (10) on social (20)"),
        (RawTouch(referrer: "https://www.google.com/", landingPage: "https://x.example/?ref=R1"), "referral", "tie: referral code (10) from search (30)"),
        (RawTouch(medium: "webinar", landingPage: "https://x.example/?ref=R1"), "referral", "tie: referral (10) beats events (15)"),
        (RawTouch(source: "zoom", medium: "webinar"), "events", "utm_medium=webinar"),
        (RawTouch(referrer: "https://www.eventbrite.com/e/1"), "events", "event platform referrer"),
        (RawTouch(source: "facebook", medium: "event"), "events", "the medium decides"),
        (RawTouch(medium: "social", referrer: "https://www.eventbrite.com/"), "social", "a tagged medium outweighs the referrer"),
        (RawTouch(), "direct", "no tags, no referrer"),
        (RawTouch(landingPage: "https://x.example/?page=2"), "direct", "query parameters that are not click ids"),
        (RawTouch(source: "partner", medium: "banner"), "other", "tagged, but no channel's"),
        (RawTouch(referrer: "https://news.example.org/"), "other", "a referrer no channel knows"),
    ]

    @Test(arguments: table.indices)
    func classifies(_ i: Int) {
        let (touch, expected, why) = Self.table[i]
        #expect(TouchClassifier(channels: ChannelRegistry.all).channel(for: touch) == expected, "\(why)")
    }

    @Test func prioritiesAreDistinctSoTiesNeverDependOnNames() {
        let priorities = ChannelRegistry.all.map(\.classificationPriority)
        #expect(Set(priorities).count == priorities.count)
    }
}
