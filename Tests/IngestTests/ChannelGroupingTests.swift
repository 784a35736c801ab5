import Foundation
import Testing
import ChannelKit
import ChannelRegistry
import TestSupport
import ChannelTestKit
@testable import Warehouse
@testable import Ingest

@Suite struct ChannelGroupingFileTests {
    static let known = ChannelGrouping.builtInChannels(ChannelRegistry.all)

    func parse(_ text: String) throws(GroupingError) -> ChannelGrouping {
        try ChannelGrouping.parse(text, fileName: "grouping.txt", knownChannels: Self.known)
    }

    @Test func declaresCustomChannelsAndRulesInOrder() throws {
        let g = try parse("""
            # TV and partners are ours
            channel tv  TV & radio
            channel partners Partners   # deals with resellers
            free direct
            rule tv source=tv,radio
            rule partners source=partner_* medium=referral,affiliate
            rule paid_search referrer=ads.example.net param=adid
            """)
        #expect(g.customChannels == [.init(id: "tv", displayName: "TV & radio"), .init(id: "partners", displayName: "Partners")])
        #expect(g.freeChannels == ["direct"])
        #expect(g.rules.map(\.channel) == ["tv", "partners", "paid_search"] && g.rules.map(\.line) == [5, 6, 7])
        #expect(g.channel(for: RawTouch(source: "Radio", medium: "spot")) == "tv")
        #expect(g.channel(for: RawTouch(source: "partner_acme", medium: "Affiliate")) == "partners")
        #expect(g.channel(for: RawTouch(source: "partner_acme", medium: "email")) == nil)
        #expect(g.channel(for: RawTouch(referrer: "https://x.ads.example.net/c", landingPage: "https://shop.test/?adid=9")) == "paid_search")
        #expect(g.channel(for: RawTouch(referrer: "https://x.ads.example.net/c")) == nil)
    }

    @Test(arguments: [
        ("rule tv source=tv", 1, "no channel \"tv\""),
        ("channel social Mine", 1, "already a channel"),
        ("channel TV Television", 1, "is not a channel id"),
        ("channel tv TV\nchannel tv TV again", 2, "declared twice"),
        ("\n\nrule social colour=red", 3, "\"colour\" is not a field"),
        ("rule social source=", 1, "empty value"),
        ("rule social source=*", 1, "would match every value"),
        ("rule social referrer=https://x.com/", 1, "takes domains"),
        ("rule social", 1, "expected `rule"),
        ("channel tv", 1, "expected `channel"),
        ("rules social source=x", 1, "is not a statement"),
        ("free nothing", 1, "no channel \"nothing\""),
    ])
    func mistakesAreRefusedWithTheirLine(_ text: String, _ line: Int, _ reason: String) {
        do {
            _ = try parse(text)
            Issue.record("accepted: \(text)")
        } catch {
            #expect(error.line == line && error.file == "grouping.txt")
            #expect(error.reason.contains(reason), "\(error)")
        }
    }

    @Test func aUserRuleIsAskedBeforeEveryPluginRule() throws {
        let g = try parse("channel zalo Zalo OA\nrule zalo source=zalo\nrule seo source=google medium=cpc")
        let classifier = TouchClassifier(channels: ChannelRegistry.all, grouping: g)
        #expect(classifier.channel(for: RawTouch(source: "zalo", medium: "social")) == "zalo")
        #expect(classifier.channel(for: RawTouch(source: "google", medium: "cpc")) == "seo")
        // What no user rule claims falls to the plugins, as before.
        #expect(classifier.channel(for: RawTouch(source: "bing", medium: "cpc")) == "paid_search")
        #expect(classifier.channel(for: RawTouch(source: "facebook", medium: "paid_social")) == "social")
    }
}

/// Property: changing the grouping of a warehouse re-classifies its stored touches into exactly
/// the tables a fresh import under the new grouping gives.
@Suite struct RegroupingProperty {
    static let sources: [(String, String, String)] = [
        ("google", "cpc", "https://www.google.com/"), ("tv", "spot", ""), ("radio", "spot", ""), ("partner_acme", "affiliate", ""),
        ("partner_zen", "referral", ""), ("zalo", "social", ""), ("facebook", "paid_social", "https://l.facebook.com/"),
        ("", "", "https://www.google.com/"), ("", "", ""), ("newsletter", "email", ""), ("", "", "https://news.example.org/"),
    ]
    static let groupings = [
        "",
        "channel tv TV & radio\nrule tv source=tv,radio",
        "channel partners Partners\nchannel tv TV\nfree direct\nrule partners source=partner_*\nrule tv source=tv\nrule seo source=google",
        "channel zalo Zalo OA\nrule zalo source=zalo\nrule social source=partner_zen\nrule other referrer=google.com",
    ]

    static func touches(_ rng: inout SplitMix) -> (leads: String, touches: String) {
        var leads = ["lead_id,created_at"], rows = ["occurred_at,lead_id,utm_source,utm_medium,utm_campaign,referrer,landing_page,event"]
        for n in 1...30 {
            let created = 1_767_225_600 + n * 7_200
            leads.append("L\(n),\(Timestamp(secondsSinceEpoch: Int64(created)))")
            var second = created
            var kind = 0
            for _ in 0..<Int(rng.next() % 6) {
                // Touches of one lead at the same second now and then, of another kind each: two
                // touches one grouping puts on the same channel at the same second are one (the
                // first imported) and no grouping splits them again (see the test below).
                if rng.next() % 4 != 0 { second += 1 + Int(rng.next() % 90_000); kind = 0 } else { kind += 1 }
                let (source, medium, referrer) = sources[Int(rng.next() % UInt64(sources.count))]
                let campaign = ["", "Spring Promo", "brand"][Int(rng.next() % 3)]
                let page = rng.next() % 3 == 0 ? "https://shop.test/p?gclid=G\(rng.next() % 100)&x=1" : "https://shop.test/"
                rows.append("\(Timestamp(secondsSinceEpoch: Int64(second))),L\(n),\(source),\(medium),\(campaign),\(referrer),\(page),\(["visit", "click", "download", "form_submit", "newsletter_signup", "quote_request"][kind])")
            }
        }
        return (leads.joined(separator: "\n") + "\n", rows.joined(separator: "\n") + "\n")
    }

    /// The tables a grouping decides, ids replaced by what they stand for.
    func tables(_ f: Fixture) throws -> [[String]] {
        let lead = { (column: String) in "(SELECT key FROM lead_keys k WHERE k.lead_id = \(column))" }
        let campaign = { (column: String) in "(SELECT channel_id || '/' || key FROM campaigns c WHERE c.id = \(column))" }
        var out = try [
            "SELECT t.id, \(lead("t.lead_id")), t.occurred_at, t.channel_id, \(campaign("t.campaign_id")), t.kind, t.utm_source, t.utm_campaign, t.referrer, t.landing_page, t.click_ids FROM touchpoints t",
            "SELECT channel_id, key FROM campaigns",
            "SELECT id, origin, is_free FROM channels",
            "SELECT \(lead("f.lead_id")), f.first_channel, \(campaign("f.first_campaign_id")), f.first_touch_at FROM lead_firsts f",
        ].map { sql in try f.rows(sql).map { $0.joined(separator: "|") }.sorted() }
        var campaigns: [Int64: String] = [:]
        try f.warehouse.db.query("SELECT id, channel_id || '/' || key FROM campaigns") { campaigns[$0.int(0)] = $0.text(1) }
        var keys: [Int64: String] = [:]
        try f.warehouse.db.query("SELECT lead_id, key FROM lead_keys") { keys[$0.int(0)] = $0.text(1) }
        var journeys: [String] = []
        try LeadJourneys.read(f.warehouse.db) { row in
            var t = row.touches
            var parts: [String] = []
            while t.next() {
                parts.append("\(t.at) \(t.kind) \(String(decoding: t.channel, as: UTF8.self)) \(t.campaignID.flatMap { campaigns[$0] } ?? "-")")
            }
            journeys.append("\(keys[row.lead]!): " + parts.joined(separator: ", "))
        }
        out.append(journeys.sorted())
        return out
    }

    func set(_ text: String, _ f: Fixture) throws -> RegroupResult {
        try ChannelGrouping.parse(text, fileName: "g", knownChannels: ChannelGrouping.builtInChannels(ChannelRegistry.all))
            .apply(to: f.warehouse, channels: ChannelRegistry.all)
    }

    @Test(arguments: 0..<8) func regroupingEqualsAFreshImport(seed: Int) throws {
        var rng = SplitMix(seed: UInt64(seed) &+ 77)
        let (leads, touches) = Self.touches(&rng)
        let before = Self.groupings[seed % Self.groupings.count]
        let after = Self.groupings[(seed / Self.groupings.count + seed + 1) % Self.groupings.count]

        let fresh = try Fixture()
        _ = try set(after, fresh)
        try fresh.importText("leads", "leads.csv", leads)
        try fresh.importText("touches", "touches.csv", touches)

        let regrouped = try Fixture()
        _ = try set(before, regrouped)
        try regrouped.importText("leads", "leads.csv", leads)
        try regrouped.importText("touches", "touches.csv", touches)
        let tablesBefore = try tables(regrouped)
        let result = try set(after, regrouped)

        let expected = try tables(fresh), got = try tables(regrouped)
        for i in expected.indices {
            let missing = Set(expected[i]).subtracting(got[i]).sorted(), extra = Set(got[i]).subtracting(expected[i]).sorted()
            #expect(got[i] == expected[i], "table \(i), grouping \(before.debugDescription) → \(after.debugDescription): missing \(missing), extra \(extra)")
        }
        #expect(try regrouped.rows("PRAGMA foreign_key_check").isEmpty)
        // The moves it reports are the differences of the touch table.
        #expect(result.moves.reduce(0) { $0 + $1.touches } >= tablesBefore[0].count - got[0].count)
        if before == after { #expect(result.moves.isEmpty) }
    }

    @Test func movesAreCountedByChannelAndChannelTouchesStay() throws {
        let f = try Fixture()
        try f.importText("leads", "leads.csv", "lead_id,created_at,email\nL1,2026-01-01T00:00:00Z,a@example.com\n")
        try f.importText("touches", "t.csv", """
            occurred_at,lead_id,utm_source,utm_medium,utm_campaign,referrer,landing_page,event
            2026-01-02T00:00:00Z,L1,zalo,social,tet,,https://shop.test/,visit
            2026-01-03T00:00:00Z,L1,zalo,social,,,https://shop.test/,click
            2026-01-04T00:00:00Z,L1,google,cpc,,,https://shop.test/,visit
            """)
        try f.importText("email", "e.csv", "email,campaign,opened_at,clicked_at\na@example.com,Jan Newsletter,2026-01-05T00:00:00Z,\n")
        let r = try set("channel zalo Zalo OA\nrule zalo source=zalo", f)
        #expect(r.examined == 3 && r.moves == [RegroupResult.Move(from: "social", to: "zalo", touches: 2)])
        #expect(try f.rows("SELECT channel_id, count(*) FROM touchpoints GROUP BY channel_id ORDER BY channel_id") == [
            ["email", "1"], ["paid_search", "1"], ["zalo", "2"],
        ])
        #expect(try f.rows("SELECT channel_id, key FROM campaigns ORDER BY channel_id, key") == [["email", "jan_newsletter"], ["zalo", "tet"]])
        #expect(try f.rows("SELECT first_channel FROM lead_firsts") == [["zalo"]])
        // Cleared: back to social, and the custom channel, no longer used, goes.
        let cleared = try ChannelGrouping.empty.apply(to: f.warehouse, channels: ChannelRegistry.all)
        #expect(cleared.moves == [RegroupResult.Move(from: "zalo", to: "social", touches: 2)])
        #expect(try f.rows("SELECT count(*) FROM channels WHERE id = 'zalo'") == [["0"]])
        // Two touches of a lead at the same second and of the same kind that a grouping puts on
        // one channel are one, as a fresh import keeps them: the first imported stays.
        _ = try set("channel tv TV\nrule tv source=tv", f)
        try f.importText("touches", "same-second.csv", """
            occurred_at,lead_id,utm_source,utm_medium,utm_campaign,referrer,landing_page,event
            2026-01-08T00:00:00Z,L1,tv,spot,,,,visit
            2026-01-08T00:00:00Z,L1,radio,spot,,,,visit
            """)
        #expect(try f.rows("SELECT count(*) FROM touchpoints WHERE occurred_at = 1767830400") == [["2"]])
        let merged = try set("channel tv TV & radio\nrule tv source=tv,radio", f)
        #expect(merged.merged == 1)
        #expect(try f.rows("SELECT channel_id, utm_source FROM touchpoints WHERE occurred_at = 1767830400") == [["tv", "tv"]])
        _ = try ChannelGrouping.empty.apply(to: f.warehouse, channels: ChannelRegistry.all)
        // A new import under a grouping classifies by it.
        _ = try set("channel zalo Zalo OA\nrule zalo source=zalo", f)
        try f.importText("touches", "t2.csv", "occurred_at,lead_id,utm_source,utm_medium,utm_campaign,referrer,landing_page,event\n2026-01-09T00:00:00Z,L1,zalo,,,,,visit\n")
        #expect(try f.rows("SELECT count(*) FROM touchpoints WHERE channel_id = 'zalo'") == [["3"]])
    }
}
