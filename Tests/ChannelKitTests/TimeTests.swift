import Foundation
import Testing
@testable import ChannelKit

@Suite struct DayTests {
    @Test func parsesISODates() {
        #expect(Day.parse("1970-01-01")?.daysSinceEpoch == 0)
        #expect(Day.parse("1970-01-02")?.daysSinceEpoch == 1)
        // 2000-01-01T00:00:00Z is 946,684,800 s after the epoch: 10,957 days.
        #expect(Day.parse("2000-01-01")?.daysSinceEpoch == 946_684_800 / 86_400)
        #expect(Day.parse("2026-01-15")?.description == "2026-01-15")
    }

    @Test func parsesUSDatesAsLinkedInWritesThem() {
        #expect(Day.parse("1/5/2026") == Day(year: 2026, month: 1, day: 5))
        #expect(Day.parse("12/31/2026") == Day(year: 2026, month: 12, day: 31))
    }

    @Test(arguments: ["2026-02-30", "2026-13-01", "2026-1-5", "20260105", "", "2/30/2026", "1/5/26", "2026-00-10"])
    func refusesDatesThatDoNotExist(_ text: String) {
        #expect(Day.parse(text) == nil)
    }

    @Test func knowsLeapYears() {
        #expect(Day(year: 2024, month: 2, day: 29) != nil)
        #expect(Day(year: 2000, month: 2, day: 29) != nil)
        #expect(Day(year: 1900, month: 2, day: 29) == nil)
        #expect(Day(year: 2026, month: 2, day: 29) == nil)
    }

    /// Second route: walk the calendar one day at a time from 1970-01-01 and compare every
    /// date with the closed-form conversion, in both directions.
    @Test func closedFormMatchesCalendarWalk() {
        var (y, m, d) = (1970, 1, 1)
        for n in 0..<(365 * 80) {
            #expect(Day.daysFromCivil(year: y, month: m, day: d) == n)
            let (cy, cm, cd) = Day.civil(fromDays: n)
            #expect(cy == y && cm == m && cd == d)
            d += 1
            if d > Day.daysIn(month: m, year: y) { d = 1; m += 1 }
            if m > 12 { m = 1; y += 1 }
        }
    }
}

@Suite struct TimestampTests {
    // 2026-01-15T09:30:00Z = 1,768,469,400 s (2026-01-01 is 1,767,225,600; + 14 days + 9.5 hours).
    static let expected: Int64 = 1_767_225_600 + 14 * 86_400 + 9 * 3600 + 30 * 60

    @Test(arguments: [
        "2026-01-15T09:30:00Z", "2026-01-15T09:30:00", "2026-01-15 09:30:00", "2026-01-15T09:30", "2026-01-15T09:30:00.250Z",
        "2026-01-15T16:30:00+07:00", "2026-01-15T16:30:00+0700", "2026-01-15T16:30:00+07", "2026-01-15T04:30:00-05:00",
        "2026-01-15 16:30:00 +0700",
    ])
    func parsesTheShapesExportsWrite(_ text: String) {
        #expect(Timestamp.parse(text)?.secondsSinceEpoch == TimestampTests.expected)
    }

    @Test(arguments: ["2026-01-15T25:00:00Z", "2026-01-15T09:30:00X", "2026-01-15T09", "yesterday", "2026-01-15T09:30:00+7", "2026-02-30T10:00:00Z"])
    func refusesMalformedTimes(_ text: String) {
        #expect(Timestamp.parse(text) == nil)
    }

    @Test func bareDateIsMidnightUTC() {
        #expect(Timestamp.parse("2026-01-01")?.secondsSinceEpoch == 1_767_225_600)
    }

    @Test func printsISO8601InUTC() {
        #expect(Timestamp(secondsSinceEpoch: TimestampTests.expected).description == "2026-01-15T09:30:00Z")
        #expect(Timestamp(secondsSinceEpoch: -1).description == "1969-12-31T23:59:59Z")
        #expect(Timestamp(secondsSinceEpoch: -1).day == Day(year: 1969, month: 12, day: 31))
    }
}

@Suite struct TrimmingTests {
    @Test func trimsSpacesTabsAndLineBreaksAtBothEndsOnly() {
        #expect("  a b\t".trimmingSpaces == "a b")
        #expect("\r\nx\n".trimmingSpaces == "x")
        #expect("x".trimmingSpaces == "x")
        #expect("".trimmingSpaces == "")
        #expect(" \t ".trimmingSpaces == "")
        #expect("ré sumé ".trimmingSpaces == "ré sumé")
        #expect("[ ok ]".dropFirst().dropLast().trimmingSpaces == "ok")
    }

    /// Second route: Foundation's trimming over every string of up to five characters from a
    /// small alphabet of spaces, line breaks and multi-byte letters.
    @Test func agreesWithFoundationOnEveryShortString() {
        let alphabet: [String] = [" ", "\t", "\r", "\n", "a", "é", "ß"]
        let spaces = CharacterSet(charactersIn: " \t\r\n")
        var strings = [""]
        var frontier = [""]
        for _ in 0..<5 {
            frontier = frontier.flatMap { s in alphabet.map { s + $0 } }
            strings += frontier
        }
        for s in strings {
            #expect(s.trimmingSpaces == s.trimmingCharacters(in: spaces), "\(s.debugDescription)")
        }
    }
}
