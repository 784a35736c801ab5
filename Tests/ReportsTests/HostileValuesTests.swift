import Testing
import ChannelKit
import Warehouse
@testable import Reports

/// What a report prints of names it did not choose: nothing a spreadsheet runs, nothing a
/// terminal obeys.
@Suite struct ReportTableSafetyTests {
    func table(_ names: [String]) -> ReportTable {
        ReportTable(columns: [.init("campaign", "Campaign"), .init("leads", "Leads")], rows: names.map { [.text($0), .integer(-3)] })
    }

    @Test(arguments: ["=HYPERLINK(\"http://x.test\",\"go\")", "+cmd|' /C calc'!A0", "-2+3+cmd|'/C calc'!A0", "@SUM(1+1)*cmd|'/C calc'!A0",
                      "\tTAB", "\rCR"])
    func csvNeutralisesFormulas(_ name: String) {
        let csv = table([name]).render(.csv)
        let cell = csv.split(separator: "\r\n")[1]
        // The cell (quoted or not) starts with the apostrophe, then the text as it was.
        #expect(cell.hasPrefix("'") || cell.hasPrefix("\"'"), "\(cell)")
        #expect(cell.contains(name.replacingOccurrences(of: "\"", with: "\"\"")))
    }

    @Test(arguments: ["-3", "+4.5", "Spring sale", "email - March", "1e5"])
    func csvLeavesNumbersAndPlainTextAlone(_ name: String) {
        #expect(table([name]).render(.csv) == "campaign,leads\r\n\(name),-3\r\n")
    }

    @Test func numericCellsAreNeverPrefixed() {
        #expect(table(["x"]).render(.csv).hasSuffix("x,-3\r\n"))
    }

    @Test func theTerminalTableDropsEscapesAndControls() {
        let hostile = "a\u{1B}[2J\u{1B}]0;title\u{07}b\u{1B}[31mc\u{9B}d\u{202E}e\nf\u{0}g"
        let text = table([hostile]).render(.table)
        #expect(!text.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x9B || $0.value == 0x202E || $0.value == 0 || $0.value == 7 })
        // C1's CSI (U+009B) takes "d" as its final byte, as a terminal would.
        #expect(text.contains("abce fg"))
        // JSON keeps the text as it was (escaped), for machines.
        #expect(table([hostile]).render(.json).contains("\\u001b[2J"))
    }
}


/// Sums that would leave Int64 are refused with a message: they trapped (exit 132).
@Suite struct OverflowTests {
    @Test func sumsPastInt64AreRefusedNotTrapped() throws {
        let c = try HandWorkedCase()
        let db = c.warehouse.db
        // Two costs of 2^62 minor units each, written past the import's limit to reach the sum.
        try db.run("""
            INSERT INTO costs (day, channel_id, detail, amount_minor, currency, import_run_id)
            VALUES ('2026-01-05', 'email', 'a', 4611686018427387904, 'USD', 1), ('2026-01-06', 'email', 'b', 4611686018427387904, 'USD', 1)
            """)
        #expect(throws: ReportError.tooLarge("the spend of email")) { try ChannelReport.compute(c.warehouse) }
        var options = ReportOptions()
        options.unit = .campaign
        #expect(throws: ReportError.self) { try AcquisitionReport.compute(c.warehouse, options) }
        #expect(ReportError.tooLarge("x").description.contains("check the imported amounts"))
        #expect(try ReportError.sum(Int64.max - 1, 1, "x") == Int64.max)
    }

    @Test func aConversionPastInt64IsRefusedNotTrapped() throws {
        let c = try HandWorkedCase()
        let db = c.warehouse.db
        try db.run("INSERT INTO exchange_rates (day, currency, target, rate, import_run_id) VALUES ('2026-01-01', 'VND', 'USD', 1e9, 1)")
        try db.run("""
            INSERT INTO costs (day, channel_id, detail, amount_minor, currency, import_run_id)
            VALUES ('2026-01-05', 'email', 'big', 1000000000000000, 'VND', 1)
            """)
        var options = ReportOptions()
        options.currency = Currency("USD")
        #expect(throws: ReportError.self) { try AcquisitionReport.compute(c.warehouse, options) }
    }
}
