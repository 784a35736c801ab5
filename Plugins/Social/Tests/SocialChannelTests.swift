import Testing
import ChannelKit
@testable import SocialChannel

/// Parses one data row of `format` under `header`.
func parse(_ format: ExportFormat, _ header: [String], _ fields: [String]) throws(RowError) -> [ChannelRecord] {
    guard let resolved = format.resolve(header: header) else {
        throw RowError(column: nil, columnName: nil, reason: "header not recognised")
    }
    return try format.parse(SourceRow(line: 2, fields: fields, header: resolved))
}

let usd = Currency("USD")!
let jan5 = Day(year: 2026, month: 1, day: 5)!

@Suite struct MetaAdsReportTests {
    let header = ["Day", "Campaign name", "Campaign ID", "Amount spent (USD)", "Impressions", "Reach", "Link clicks", "Leads"]

    @Test func aDailyRowBecomesACostAndMetrics() throws {
        let records = try parse(MetaAdsReport.format, header, ["2026-01-05", "Tet Sale 2026", "1202", "84.37", "10,412", "8120", "163", ""])
        let campaign = CampaignRef(name: "Tet Sale 2026", externalID: "1202")
        #expect(records == [
            .cost(CostRecord(day: jan5, campaign: campaign, amount: Money(minorUnits: 8437, currency: usd))),
            .metric(MetricRecord(day: jan5, campaign: campaign, metric: "impressions", value: 10412)),
            .metric(MetricRecord(day: jan5, campaign: campaign, metric: "clicks", value: 163)),
            .metric(MetricRecord(day: jan5, campaign: campaign, metric: "platform_leads", value: 0)),
        ])
    }

    @Test func theCurrencyComesFromTheSpendHeader() throws {
        var h = header
        h[3] = "Amount spent (VND)"
        let records = try parse(MetaAdsReport.format, h, ["2026-01-05", "Tet", "", "1250000", "10", "", "", ""])
        #expect(records.first == .cost(CostRecord(day: jan5, campaign: CampaignRef(name: "Tet"), amount: Money(minorUnits: 1_250_000, currency: Currency("VND")!))))
    }

    @Test func aRowSpanningSeveralDaysIsRefused() {
        let h = ["Reporting starts", "Reporting ends", "Campaign name", "Amount spent (USD)", "Impressions"]
        #expect(throws: RowError(column: 2, columnName: "Reporting ends",
                                 reason: "the row covers 2026-01-01 to 2026-01-31; export with the daily breakdown (By time → Day)")) {
            try parse(MetaAdsReport.format, h, ["2026-01-01", "2026-01-31", "Tet", "10", "100"])
        }
    }

    @Test func aSpendHeaderWithoutCurrencyNeedsACurrencyColumn() throws {
        let h = ["Day", "Campaign name", "Amount spent", "Impressions"]
        #expect(throws: RowError.self) { try parse(MetaAdsReport.format, h, ["2026-01-05", "Tet", "10", "100"]) }
        let records = try parse(MetaAdsReport.format, h + ["Currency"], ["2026-01-05", "Tet", "10", "100", "eur"])
        #expect(records.first == .cost(CostRecord(day: jan5, campaign: CampaignRef(name: "Tet"), amount: Money(minorUnits: 1000, currency: Currency("EUR")!))))
    }
}

@Suite struct LinkedInCampaignReportTests {
    let header = ["Start Date (in UTC)", "Account Name", "Campaign Name", "Campaign ID", "Total Spent", "Currency", "Impressions", "Clicks", "Leads"]

    @Test func readsUSDatesAndTheCurrencyColumn() throws {
        let records = try parse(LinkedInCampaignReport.format, header, ["1/5/2026", "Example", "B2B", "184", "112.40", "USD", "2804", "31", "2"])
        let campaign = CampaignRef(name: "B2B", externalID: "184")
        #expect(records.first == .cost(CostRecord(day: jan5, campaign: campaign, amount: Money(minorUnits: 11_240, currency: usd))))
        #expect(records.contains(.metric(MetricRecord(day: jan5, campaign: campaign, metric: "platform_leads", value: 2))))
    }

    @Test func theHeaderMayFollowReportMetadata() {
        #expect(LinkedInCampaignReport.format.headerSearchDepth >= 6)
        #expect(LinkedInCampaignReport.format.resolve(header: ["Report Start: 1/1/2026"]) == nil)
    }
}

@Suite struct MetaLeadFormsTests {
    let header = ["id", "created_time", "campaign_id", "campaign_name", "form_name", "is_organic", "platform", "email", "full_name", "phone_number"]

    @Test func aFormLeadBecomesALeadAndAFormSubmitTouch() throws {
        let records = try parse(MetaLeadForms.format, header,
                                ["l:1", "2026-01-05T16:10:44+07:00", "1202", "Tet Sale", "Quote", "0", "fb", "an@example.com", "An", "+84901234567"])
        let at = Timestamp.parse("2026-01-05T09:10:44Z")!
        #expect(records == [
            .lead(LeadRecord(key: "meta:l:1", createdAt: at, email: "an@example.com", phone: "+84901234567", sourceLabel: "Meta lead form: Quote")),
            .touch(TouchRecord(lead: .sameRow, at: at, kind: .formSubmit, campaign: CampaignRef(name: "Tet Sale", externalID: "1202"))),
        ])
    }

    @Test func organicLeadsHaveNoCampaign() throws {
        let records = try parse(MetaLeadForms.format, header, ["l:2", "2026-01-05T16:10:44+07:00", "", "", "Quote", "1", "ig", "b@example.com", "", ""])
        guard case .touch(let touch) = records.last else { Issue.record("no touch"); return }
        #expect(touch.campaign == nil)
    }

    @Test func aLeadWithoutContactDetailsIsRefused() {
        #expect(throws: RowError(column: 8, columnName: "email", reason: "the lead has neither an email nor a phone number")) {
            try parse(MetaLeadForms.format, header, ["l:3", "2026-01-05T16:10:44+07:00", "", "", "", "1", "ig", "", "", ""])
        }
    }
}
