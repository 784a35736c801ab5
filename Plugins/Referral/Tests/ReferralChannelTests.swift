import Testing
import ChannelKit
import ChannelTestKit
@testable import ReferralChannel

@Suite struct ReferralLedgerTests {
    let f: ImportFixture
    init() throws { f = try ImportFixture(channels: [ReferralChannelPlugin()]) }

    static let header = "referral_id,referral_code,referrer_id,referred_email,referred_phone,referred_at,status,reward_amount,reward_currency,rewarded_at"

    @Test func referredPeopleBecomeLeadsWithAReferralTouchAndRewardsBecomeCosts() throws {
        try f.seedLeads([("L1", "2026-01-09T00:00:00Z", "binh@example.com")])
        let r = try f.importText("referral", "ledger.csv", """
            \(Self.header)
            RF-1,R4821,C17,binh@example.com,,2026-01-08T10:15:00Z,rewarded,50.00,USD,2026-01-25T09:00:00Z
            RF-2,R4821,C17,chi@example.com,,2026-01-10T08:00:00Z,invited,,,
            RF-3,R5000,C20,,+84 90 111 2222,2026-01-11T08:00:00Z,Signed Up,,,
            """)
        #expect(r.rejects.isEmpty)
        // binh was already a lead (L1): merged, and created when referred, the earlier time.
        #expect(try f.count("leads") == 3)
        #expect(try f.rows("SELECT datetime(created_at, 'unixepoch') FROM leads WHERE id = (SELECT lead_id FROM lead_keys WHERE key = 'L1')")
                == [["2026-01-08 10:15:00"]])
        #expect(try f.rows("SELECT kind, channel_id, datetime(occurred_at, 'unixepoch') FROM touchpoints ORDER BY occurred_at") == [
            ["referral", "referral", "2026-01-08 10:15:00"], ["referral", "referral", "2026-01-10 08:00:00"], ["referral", "referral", "2026-01-11 08:00:00"],
        ])
        #expect(try f.rows("SELECT day, amount_minor, currency, detail FROM costs") == [["2026-01-25", "5000", "USD", "referral:RF-1"]])
        #expect(try f.rows("SELECT metric, day, value, detail FROM channel_metrics ORDER BY metric, day") == [
            ["rewards_paid", "2026-01-25", "1.0", "#referral:RF-1"],
            ["signups", "2026-01-08", "1.0", "#referral:RF-1"], ["signups", "2026-01-11", "1.0", "#referral:RF-3"],
        ])
        // The same ledger again, or a later export repeating these rows, counts nothing twice.
        let again = try f.importText("referral", "ledger-later.csv", """
            \(Self.header)
            RF-1,R4821,C17,binh@example.com,,2026-01-08T10:15:00Z,rewarded,50.00,USD,2026-01-25T09:00:00Z
            """)
        #expect(try again.counts.unchanged == 1 && f.count("costs") == 1 && f.count("touchpoints") == 3)
    }

    /// Issue #25: the docs mark email and phone optional, and a reward paid for a referral the
    /// ledger names no contact for is still spend.
    @Test func aRowWithoutContactsBooksItsRewardAndLinksNoLead() throws {
        let r = try f.importText("referral", "ledger.csv", """
            \(Self.header)
            RF-8,R1,C1,,,2026-01-08T10:15:00Z,rewarded,50.00,USD,2026-01-20T00:00:00Z
            RF-9,R1,C1,,,2026-01-09T10:15:00Z,signed_up,,,
            """)
        #expect(r.rejects.isEmpty && r.counts.inserted == 2)
        #expect(try f.count("leads") == 0 && f.count("touchpoints") == 0)
        #expect(try f.rows("SELECT day, amount_minor, detail FROM costs") == [["2026-01-20", "5000", "referral:RF-8"]])
        #expect(try f.rows("SELECT metric, count(*) FROM channel_metrics GROUP BY metric ORDER BY metric") == [["rewards_paid", "1"], ["signups", "2"]])
    }

    @Test func badRowsAreRejectedWithTheirColumn() throws {
        let r = try f.importText("referral", "ledger.csv", """
            \(Self.header)
            RF-1,R1,C1,a@example.com,,2026-01-08T10:15:00Z,converted,,,
            RF-2,R1,C1,b@example.com,,2026-01-08T10:15:00Z,rewarded,50.00,,2026-01-20T00:00:00Z
            RF-3,R1,C1,c@example.com,,2026-01-08T10:15:00Z,rewarded,,,
            RF-4,R1,C1,d@example.com,,2026-01-08T10:15:00Z,rewarded,50.00,USD,2026-01-01T00:00:00Z
            RF-5,R1,C1,e@example.com,,2026-01-08T10:15:00Z,rewarded,-5.00,USD,2026-01-20T00:00:00Z
            RF-6,R1,C1,f@example.com,,2026-01-32T10:15:00Z,invited,,,
            RF-7,R1,C1,g@example.com,,2026-01-08T10:15:00Z,rewarded,abc,USD,2026-01-20T00:00:00Z
            """)
        #expect(r.rejects.map(\.description) == [
            "ledger.csv:2:7 (status): \"converted\" is not a status; expected invited, signed_up, qualified or rewarded",
            "ledger.csv:3:9 (reward_currency): is empty, but an amount is given; a currency such as USD is required",
            "ledger.csv:4:8 (reward_amount): the status is rewarded but no reward amount is given",
            "ledger.csv:5:10 (rewarded_at): 2026-01-01T00:00:00Z is before the referral (2026-01-08T10:15:00Z)",
            "ledger.csv:6:8 (reward_amount): \"-5.00\" is negative; a cost cannot be negative",
            "ledger.csv:7:6 (referred_at): \"2026-01-32T10:15:00Z\" is not a date-time; expected ISO 8601 such as 2026-01-15T09:30:00Z",
            "ledger.csv:8:8 (reward_amount): \"abc\" is not an amount: it has no digit",
        ])
        #expect(try f.count("leads") == 0 && f.count("costs") == 0)
        let path = f.dir.write("other.csv", "referral_code,email\nR1,a@example.com\n")
        #expect(throws: (any Error).self) { try f.importer.importFile(source: "referral", path: path) }
    }
}
