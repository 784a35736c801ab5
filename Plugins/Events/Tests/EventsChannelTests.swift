import Testing
import ChannelKit
import ChannelTestKit
@testable import EventsChannel

@Suite struct EventsFormatsTests {
    let f: ImportFixture
    init() throws { f = try ImportFixture(channels: [EventsChannelPlugin()]) }

    @Test func costLinesAreSpreadOverTheEventsDays() throws {
        let r = try f.importText("events", "events.csv", """
            event_id,event_name,kind,start_date,end_date,venue,cost_item,cost_amount,currency
            EV-01,Vietnam Retail Expo 2026,trade_show,2026-01-20,2026-01-21,SECC,Booth,4500.01,USD
            EV-01,Vietnam Retail Expo 2026,trade_show,2026-01-20,2026-01-21,SECC,Travel,800.00,USD
            EV-02,Lead Scoring Webinar,Webinar,2026-02-14,2026-02-14,Online,,,
            """)
        #expect(r.rejects.isEmpty)
        #expect(try f.rows("SELECT c.day, c.amount_minor, c.detail, k.name, k.external_id FROM costs c JOIN campaigns k ON k.id = c.campaign_id ORDER BY c.detail, c.day") == [
            ["2026-01-20", "225001", "cost:Booth", "Vietnam Retail Expo 2026", "EV-01"], ["2026-01-21", "225000", "cost:Booth", "Vietnam Retail Expo 2026", "EV-01"],
            ["2026-01-20", "40000", "cost:Travel", "Vietnam Retail Expo 2026", "EV-01"], ["2026-01-21", "40000", "cost:Travel", "Vietnam Retail Expo 2026", "EV-01"],
        ])
    }

    @Test func attendeesBecomeLeadsWithAttendAndRegistrationTouches() throws {
        let r = try f.importText("events", "attendees.csv", """
            event_id,event_name,name,email,company,job_title,registered,attended,registered_at,scanned_at,notes
            EV-01,Vietnam Retail Expo 2026,Tran Binh,binh@example.com,Example Retail,Buyer,yes,yes,2026-01-10T08:00:00Z,2026-01-20T10:42:00Z,wants a demo
            EV-01,Vietnam Retail Expo 2026,Le Chi,chi@example.com,,,yes,no,2026-01-12T09:00:00Z,,
            EV-01,Vietnam Retail Expo 2026,Walk In,walkin@example.com,,,,Y,,2026-01-21T11:00:00Z,
            """)
        #expect(r.rejects.isEmpty && r.counts.inserted == 3)
        #expect(try f.rows("""
            SELECT datetime(t.occurred_at, 'unixepoch'), t.kind, k.name FROM touchpoints t JOIN campaigns k ON k.id = t.campaign_id ORDER BY t.occurred_at
            """) == [
            ["2026-01-10 08:00:00", "form_submit", "Vietnam Retail Expo 2026"], ["2026-01-12 09:00:00", "form_submit", "Vietnam Retail Expo 2026"],
            ["2026-01-20 10:42:00", "event_attend", "Vietnam Retail Expo 2026"], ["2026-01-21 11:00:00", "event_attend", "Vietnam Retail Expo 2026"],
        ])
        // Leads are created when they registered (or, for walk-ins, were scanned); no names or notes are kept.
        #expect(try f.rows("SELECT datetime(created_at, 'unixepoch'), source_label FROM leads ORDER BY created_at") == [
            ["2026-01-10 08:00:00", "Event"], ["2026-01-12 09:00:00", "Event"], ["2026-01-21 11:00:00", "Event"],
        ])
    }

    @Test func badRowsAreRejectedWithTheirColumn() throws {
        let ledger = try f.importText("events", "events.csv", """
            event_id,event_name,kind,start_date,end_date,venue,cost_item,cost_amount,currency
            EV-1,Party,party,2026-01-20,2026-01-20,Hanoi,Venue,100.00,USD
            EV-2,Expo,trade_show,2026-01-21,2026-01-20,Hanoi,Venue,100.00,USD
            EV-3,Expo,trade_show,2026-01-20,2026-01-20,Hanoi,Venue,-5.00,USD
            EV-4,Expo,trade_show,2026-01-20,2026-01-20,Hanoi,Venue,5.00,XX
            EV-5,Expo,trade_show,2026-02-30,2026-03-01,Hanoi,Venue,5.00,USD
            """)
        #expect(ledger.rejects.map(\.description) == [
            "events.csv:2:3 (kind): \"party\" is not an event kind; expected trade_show, conference, webinar, workshop, meetup",
            "events.csv:3:5 (end_date): the event ends (2026-01-20) before it starts (2026-01-21)",
            "events.csv:4:8 (cost_amount): \"-5.00\" is negative; a cost cannot be negative",
            "events.csv:5:9 (currency): \"XX\" is not an ISO 4217 currency code such as USD",
            "events.csv:6:4 (start_date): \"2026-02-30\" is not a date; expected YYYY-MM-DD or M/D/YYYY",
        ])
        let people = try f.importText("events", "attendees.csv", """
            event_id,event_name,email,registered,attended,registered_at,scanned_at
            EV-1,Expo,a@example.com,yes,maybe,2026-01-10T08:00:00Z,
            EV-1,Expo,b@example.com,yes,yes,2026-01-10T08:00:00Z,
            EV-1,Expo,c@example.com,no,no,,
            EV-1,Expo,,yes,yes,,2026-01-20T10:00:00Z
            """)
        #expect(people.rejects.map(\.description) == [
            "attendees.csv:2:5 (attended): \"maybe\" is not yes or no",
            "attendees.csv:3:7 (scanned_at): is empty; an attendee needs the time they were scanned or checked in",
            "attendees.csv:4:4 (registered): the person neither registered nor attended",
            "attendees.csv:5:3 (email): the attendee has neither an email nor a phone number",
        ])
        #expect(try f.count("leads") == 0 && f.count("costs") == 0)
    }
}
