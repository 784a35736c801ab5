import Testing
import ChannelKit
import ChannelRegistry
import ChannelTestKit
@testable import Ingest

/// The core `costs` source: spend no platform export carries, for any channel the warehouse has.
@Suite struct CostLedgerTests {
    let f: ImportFixture
    init() throws { f = try ImportFixture(channels: ChannelRegistry.all) }

    @Test func rowsBecomeCostsOfTheChannelTheyName() throws {
        let r = try f.importText("costs", "agency.csv", """
            date,channel,campaign,amount,currency,impressions,clicks,item
            2026-01-05,paid_search,,250.00,USD,,,Agency fee
            2026-01-05,paid_search,,49.00,USD,,,Bid tool
            2026-01-06,social,Tet Sale 2026,30.00,USD,1200,15,Influencer post
            2026-01-06,direct,,10.00,USD,,,Domain renewal
            """)
        #expect(r.rejects.isEmpty && r.counts.inserted == 4)
        #expect(try f.rows("SELECT channel_id, day, amount_minor, detail, source_key FROM costs ORDER BY id") == [
            ["paid_search", "2026-01-05", "25000", "item:Agency fee", "costs-ledger"],
            ["paid_search", "2026-01-05", "4900", "item:Bid tool", "costs-ledger"],
            ["social", "2026-01-06", "3000", "item:Influencer post", "costs-ledger"],
            ["direct", "2026-01-06", "1000", "item:Domain renewal", "costs-ledger"],
        ])
        #expect(try f.rows("SELECT metric, value FROM channel_metrics ORDER BY metric") == [["clicks", "15.0"], ["impressions", "1200.0"]])
        #expect(try f.rows("SELECT k.channel_id, k.key FROM costs c JOIN campaigns k ON k.id = c.campaign_id") == [["social", "tet_sale_2026"]])
    }

    @Test func anUnknownChannelAndBadValuesAreRefusedByColumn() throws {
        let r = try f.importText("costs", "tv.csv", """
            date,channel,campaign,amount,currency
            2026-01-05,tv,Evening spot,900.00,USD
            2026-01-05,paid_search,,-5.00,USD
            2026-01-05,paid_search,,5.00,US
            2026-02-30,paid_search,,5.00,USD
            2026-01-05,paid_search,,5.00,USD
            """)
        #expect(r.counts.inserted == 1 && r.counts.rejected == 4)
        #expect(r.rejects.map(\.columnName) == ["channel", "amount", "currency", "date"])
        #expect(r.rejects[0].reason.contains("no channel \"tv\""))
    }

    @Test func twoLedgersAreBothKeptAndALaterFileRestatesItsOwnRows() throws {
        try f.importText("costs", "a.csv", "date,channel,campaign,amount,currency,ledger\n2026-01-05,seo,,100.00,USD,agency\n")
        try f.importText("costs", "b.csv", "date,channel,campaign,amount,currency,ledger\n2026-01-05,seo,,40.00,USD,tools\n")
        let later = try f.importText("costs", "a2.csv", "date,channel,campaign,amount,currency,ledger\n2026-01-05,seo,,120.00,USD,agency\n")
        #expect(later.counts.updated == 1)
        #expect(try f.rows("SELECT source_key, amount_minor FROM costs ORDER BY source_key") == [
            ["costs-ledger:agency", "12000"], ["costs-ledger:tools", "4000"],
        ])
    }

    @Test func theHeaderIsExactlyTheDocumentedOne() throws {
        #expect(throws: ImportError.self) {
            try f.importText("costs", "x.csv", "day,channel,campaign,amount,currency\n2026-01-05,seo,,1.00,USD\n")
        }
    }
}
