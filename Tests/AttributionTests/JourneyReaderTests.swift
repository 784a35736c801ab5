import Testing
import ChannelKit
import ChannelRegistry
import Ingest
import TestSupport
import Warehouse
@testable import Attribution

/// Journeys built from a small warehouse, checked step by step.
@Suite struct JourneyReaderTests {
    let dir = TemporaryDirectory()
    let warehouse: Warehouse

    init() throws {
        warehouse = try Warehouse(path: dir.file("w.sqlite"), channels: ChannelRegistry.all)
        let importer = try Importer(warehouse: warehouse, channels: ChannelRegistry.all)
        func load(_ source: String, _ text: String) throws {
            let r = try importer.importFile(source: source, path: dir.write("\(source).csv", text))
            precondition(r.rejects.isEmpty, "\(r.rejects)")
        }
        try load("leads", """
            lead_id,created_at
            L1,2026-03-01T00:00:00Z
            L2,2026-03-02T00:00:00Z
            L3,2026-03-03T00:00:00Z
            L4,2026-03-04T00:00:00Z
            """)
        try load("touches", """
            occurred_at,lead_id,utm_source,utm_medium,utm_campaign,referrer,landing_page,event
            2025-11-01T00:00:00Z,L1,facebook,paid_social,old_promo,,,visit
            2026-02-28T00:00:00Z,L1,,,,https://www.google.com/,,visit
            2026-03-01T00:00:00Z,L1,facebook,paid_social,tet,,,form_submit
            2026-03-05T00:00:00Z,L1,newsletter,email,mar,,,click
            2026-03-01T00:00:00Z,L1,facebook,paid_social,tet,,,impression
            2026-03-02T00:00:00Z,L2,,,,https://www.google.com/,,visit
            2026-03-20T00:00:00Z,L2,,,,https://www.bing.com/,,visit
            """)
        try load("conversions", """
            lead_id,converted_at,revenue,currency
            L1,2026-03-10T00:00:00Z,500.00,USD
            L3,2026-03-11T00:00:00Z,80.00,USD
            """)
        try load("stages", "lead_id,stage,changed_at\nL1,opportunity,2026-03-03T00:00:00Z\n")
    }

    func names(_ set: JourneySet, _ j: Journey) -> [String] { j.steps.map { set.units.names[Int($0)] } }

    @Test func oneJourneyPerConversionAndNullPathsForTheRest() throws {
        let set = try JourneyReader.read(warehouse, JourneyOptions())
        #expect(set.totalConversions == 2 && set.totalValue == 58_000)
        let converted = set.journeys.filter { $0.conversions > 0 }
        // L1: the November touch is outside the 90-day lookback and the impression is left out.
        #expect(names(set, converted[0]) == ["seo", "social", "email"])
        let days: [Int64] = [10, 9, 5]
        #expect(converted[0].secondsBefore == days.map { $0 * 86_400 })
        // Anchors: the lead was created by the social form submit; the opportunity too (last touch by 3 March).
        #expect(converted[0].anchors == StageAnchors(lead: 1, opportunity: 1, customer: 2))
        // L3 converted without any touch: direct, as in the channel report.
        #expect(names(set, converted[1]) == ["direct"] && converted[1].value == 8_000)
        // L2 never converted: one null path. L4 has no touches at all: no journey.
        let nulls = set.journeys.filter { $0.nulls > 0 }
        #expect(nulls.count == 1 && names(set, nulls[0]) == ["seo", "seo"])
    }

    /// Touches at the same second count in the order they were imported, whatever order the
    /// touch index keeps them in (by kind, then channel).
    @Test func touchesAtTheSameSecondKeepImportOrder() throws {
        let importer = try Importer(warehouse: warehouse, channels: ChannelRegistry.all)
        for (name, text) in [
            ("first.csv", "occurred_at,lead_id,utm_source,utm_medium,event\n2026-03-06T08:00:00Z,L4,facebook,paid_social,visit\n"),
            ("second.csv", "occurred_at,lead_id,utm_source,utm_medium,event\n2026-03-06T08:00:00Z,L4,newsletter,email,click\n"),
            ("conversions.csv", "lead_id,converted_at,revenue,currency\nL4,2026-03-07T00:00:00Z,10.00,USD\n"),
        ] {
            let source = name == "conversions.csv" ? "conversions" : "touches"
            #expect(try importer.importFile(source: source, path: dir.write(name, text)).rejects.isEmpty)
        }
        let set = try JourneyReader.read(warehouse, JourneyOptions())
        let l4 = set.journeys.first { $0.conversions > 0 && $0.value == 1_000 }!
        #expect(names(set, l4) == ["social", "email"])
    }

    /// A touch at the very second of the conversion is part of its journey (the window ends at
    /// the conversion, inclusive); one a second later is not.
    @Test func aTouchAtTheConversionsSecondBelongsToItsJourney() throws {
        let importer = try Importer(warehouse: warehouse, channels: ChannelRegistry.all)
        for (source, text) in [
            ("touches", "occurred_at,lead_id,utm_source,utm_medium,event\n2026-03-07T00:00:00Z,L4,newsletter,email,click\n2026-03-07T00:00:01Z,L4,facebook,paid_social,visit\n"),
            ("conversions", "lead_id,converted_at,revenue,currency\nL4,2026-03-07T00:00:00Z,10.00,USD\n"),
        ] {
            #expect(try importer.importFile(source: source, path: dir.write("same-second-\(source).csv", text)).rejects.isEmpty)
        }
        let set = try JourneyReader.read(warehouse, JourneyOptions())
        let l4 = try #require(set.journeys.first { $0.conversions > 0 && $0.value == 1_000 })
        #expect(names(set, l4) == ["email"] && l4.secondsBefore == [0])
    }

    @Test func optionsChangeTheJourneys() throws {
        var options = JourneyOptions()
        options.lookbackDays = 6
        options.kinds.insert(.impression)
        options.unit = .campaign
        let set = try JourneyReader.read(warehouse, options)
        let l1 = set.journeys.first { $0.conversions > 0 && $0.value == 50_000 }!
        #expect(names(set, l1) == ["email/mar"])
        options.lookbackDays = 90
        let wide = try JourneyReader.read(warehouse, options)
        let l1Wide = wide.journeys.first { $0.value == 50_000 }!
        #expect(names(wide, l1Wide) == ["seo/(none)", "social/tet", "social/tet", "email/mar"])
        // A range without conversions has nothing to attribute.
        options.from = Day(year: 2026, month: 4, day: 1)
        let none = try JourneyReader.read(warehouse, options)
        #expect(none.totalConversions == 0)
        #expect(throws: AttributionError.noConversions) { try AttributionRun().run([LinearModel()], journeys: none.journeys, units: none.units.count) }
    }
}

/// The journeys read from the packed ``LeadJourneys`` rows against a second route: each
/// conversion's window asked of `touchpoints` and `conversions` with plain SQL, for random
/// warehouses (same-second ties, impressions, several files, leads without touches).
@Suite struct JourneyReaderSecondRoute {
    @Test(arguments: 1...6)
    func packedRowsGiveWhatPlainSQLGives(_ seed: Int) throws {
        var rng = SplitMix(seed: UInt64(seed) &* 6_364_136_223)
        let dir = TemporaryDirectory()
        let warehouse = try Warehouse(path: dir.file("w.sqlite"), channels: ChannelRegistry.all)
        let importer = try Importer(warehouse: warehouse, channels: ChannelRegistry.all)
        let leads = (1...12).map { "L\($0)" }
        func time(_ day: UInt64) -> String { "2026-03-\(10 + day)T\(10 + rng.next() % 2):00:00Z" }
        var files = [("leads", "lead_id,created_at\n" + leads.map { "\($0),2026-03-0\(1 + rng.next() % 9)T00:00:00Z\n" }.joined())]
        let sources = ["facebook,paid_social,tet", "google,cpc,brand", "newsletter,email,jan", ",,", "partner,referral,"]
        for part in 0..<3 {
            var rows = "occurred_at,lead_id,utm_source,utm_medium,utm_campaign,referrer,landing_page,event\n"
            for _ in 0..<25 {
                rows += "\(time(rng.next() % 15)),\(leads[Int(rng.next() % 10)]),\(sources[Int(rng.next() % 5)]),,,\(["visit", "click", "impression"][Int(rng.next() % 3)])\n"
            }
            files.append(("touches", rows))
            if part < 2 {
                var conversions = "lead_id,converted_at,revenue,currency\n"
                for _ in 0..<3 { conversions += "\(leads[Int(rng.next() % 12)]),\(time(5 + rng.next() % 12)),\(1 + rng.next() % 90).00,USD\n" }
                files.append(("conversions", conversions))
            }
        }
        for (i, (source, text)) in files.enumerated() {
            _ = try importer.importFile(source: source, path: dir.write("f\(i).csv", text))
        }
        var options = JourneyOptions()
        options.lookbackDays = 3
        let set = try JourneyReader.read(warehouse, options)

        // Second route: the same journeys, one SQL query per window.
        let db = warehouse.db
        let lookback = Int64(options.lookbackDays) * 86_400
        func window(_ lead: Int64, endingAt t: Int64) throws -> [String] {
            var steps: [String] = []
            try db.query("""
                SELECT channel_id, ?2 - occurred_at FROM touchpoints
                WHERE lead_id = ?1 AND kind <> 'impression' AND occurred_at BETWEEN ?2 - ?3 AND ?2 ORDER BY occurred_at, id
                """, [.integer(lead), .integer(t), .integer(lookback)]) { steps.append("\($0.text(0)!)@\($0.int(1))") }
            return steps.isEmpty ? ["direct@0"] : steps
        }
        var expected: [[String]] = []
        let latest = max(try db.scalarInt("SELECT max(occurred_at) FROM touchpoints") ?? 0, try db.scalarInt("SELECT max(converted_at) FROM conversions") ?? 0)
        try db.query("SELECT id FROM leads ORDER BY id") { s in
            let lead = s.int(0)
            var conversions: [Int64] = []
            try db.query("SELECT converted_at FROM conversions WHERE lead_id = ? ORDER BY converted_at", [.integer(lead)]) { conversions.append($0.int(0)) }
            for at in conversions { expected.append(["conversion"] + (try window(lead, endingAt: at))) }
            let touched = try db.scalarInt("SELECT count(*) FROM touchpoints WHERE lead_id = ? AND kind <> 'impression'", [.integer(lead)])! > 0
            if conversions.isEmpty && touched {
                let steps = try window(lead, endingAt: latest)
                if steps != ["direct@0"] { expected.append(["null"] + steps) }  // a touch in the window
            }
        }
        func named(_ set: JourneySet) -> [[String]] {
            set.journeys.map { j in
                [j.conversions > 0 ? "conversion" : "null"] + j.steps.indices.map { "\(set.units.names[Int(j.steps[$0])])@\(j.secondsBefore[$0])" }
            }
        }
        #expect(named(set) == expected)
        #expect(set.totalConversions == Double(try db.scalarInt("SELECT count(*) FROM conversions")!))
        // Without null paths: the same conversion journeys.
        options.nullPaths = false
        #expect(named(try JourneyReader.read(warehouse, options)) == expected.filter { $0[0] == "conversion" })
        // Without step times: the same steps, no times or anchors.
        options.nullPaths = true
        options.stepTimes = false
        let bare = try JourneyReader.read(warehouse, options)
        #expect(bare.journeys.allSatisfy { $0.secondsBefore.isEmpty && $0.anchors == StageAnchors() })
        #expect(bare.journeys.map { $0.steps.map { bare.units.names[Int($0)] } } == expected.map { $0.dropFirst().map { String($0.prefix { $0 != "@" }) } })
    }
}

/// ``UnitResolver`` finds channels by their id's words; ids longer than the words hold are
/// compared byte for byte as well.
@Suite struct UnitResolverTests {
    func resolve(_ ids: [String], unit: JourneyOptions.Unit = .channel, campaigns: [Int64?] = []) -> (ids: [Int32], units: UnitTable) {
        var resolver = UnitResolver(unit: unit, campaignNames: [7: "tet", 8: "summer"])
        var units = UnitTable(["direct"])
        let resolved = ids.enumerated().map { i, id in
            Array(id.utf8).withUnsafeBufferPointer { resolver($0, i < campaigns.count ? campaigns[i] : nil, &units) }
        }
        return (resolved, units)
    }

    @Test func sameIdSameUnitOtherIdOtherUnit() {
        let ids = ["social", "seo", "social", "email", "seo", "", "social"]
        let (resolved, units) = resolve(ids)
        #expect(resolved.map { units.names[Int($0)] } == ids)
        #expect(units.names == ["direct", "social", "seo", "email", ""])
    }

    @Test func longIdsSharingTheirFirstSixteenBytesStayApart() {
        // Same length, same first 16 bytes; then one differing only in the last byte.
        let ids = ["partner_network_east", "partner_network_west", "partner_network_east", "partner_network_eass", "abcdefghijklmnop", "abcdefghijklmnoq"]
        let (resolved, units) = resolve(ids)
        #expect(resolved.map { units.names[Int($0)] } == ids)
        #expect(Set(resolved).count == 5)
    }

    @Test func campaignsAreUnitsOfTheirOwn() {
        let (resolved, units) = resolve(["social", "social", "social", "seo"], unit: .campaign, campaigns: [7, 8, nil, 7])
        #expect(resolved.map { units.names[Int($0)] } == ["social/tet", "social/summer", "social/(none)", "seo/tet"])
    }
}
