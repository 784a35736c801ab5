/// A calendar day (UTC), stored as days since 1970-01-01. Costs and metrics are daily.
public struct Day: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let daysSinceEpoch: Int

    public init(daysSinceEpoch: Int) { self.daysSinceEpoch = daysSinceEpoch }

    /// `nil` when the date does not exist (2026-02-30).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...12).contains(month), day >= 1, day <= Day.daysIn(month: month, year: year) else { return nil }
        self.daysSinceEpoch = Day.daysFromCivil(year: year, month: month, day: day)
    }

    public static func < (a: Day, b: Day) -> Bool { a.daysSinceEpoch < b.daysSinceEpoch }

    public var components: (year: Int, month: Int, day: Int) { Day.civil(fromDays: daysSinceEpoch) }

    /// ISO 8601: `2026-01-15`.
    public var description: String {
        let (y, m, d) = components
        guard (0...9999).contains(y) else { return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))" }
        // Written as bytes: reports and exports format millions of these.
        return String(unsafeUninitializedCapacity: 10) { b in
            writeDigits(y, 4, b, 0); b[4] = 0x2D; writeDigits(m, 2, b, 5); b[7] = 0x2D; writeDigits(d, 2, b, 8)
            return 10
        }
    }

    /// Midnight UTC at the start of the day.
    public var start: Timestamp { Timestamp(secondsSinceEpoch: Int64(daysSinceEpoch) * 86_400) }

    public func adding(days: Int) -> Day { Day(daysSinceEpoch: daysSinceEpoch + days) }

    /// Parses `YYYY-MM-DD` (ISO 8601) or `M/D/YYYY` (US exports such as LinkedIn's).
    public static func parse(_ text: some StringProtocol) -> Day? {
        var copy = String(text)
        if copy.utf8.count == 10, let day = copy.withUTF8({ parseISO($0) }) { return day }
        return parseUS(text)
    }

    static func parseISO(_ bytes: UnsafeBufferPointer<UInt8>) -> Day? {
        if bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") {
            guard let y = digits(bytes, 0, 4), let m = digits(bytes, 5, 2), let d = digits(bytes, 8, 2) else { return nil }
            return Day(year: y, month: m, day: d)
        }
        return nil
    }

    static func parseUS(_ text: some StringProtocol) -> Day? {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        if parts.count == 3, parts[2].count == 4, (1...2).contains(parts[0].count), (1...2).contains(parts[1].count),
           let m = Int(parts[0]), let d = Int(parts[1]), let y = Int(parts[2]) {
            return Day(year: y, month: m, day: d)
        }
        return nil
    }

    /// Every day of the month `YYYY-MM`, or `nil` when the text is not such a month.
    public static func daysOfMonth(_ text: some StringProtocol) -> [Day]? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2, let y = Int(parts[0]), let m = Int(parts[1]),
              let first = Day(year: y, month: m, day: 1) else { return nil }
        return (0..<daysIn(month: m, year: y)).map { first.adding(days: $0) }
    }

    /// The days from `self` to `last`, inclusive (empty when `last` is earlier).
    public func through(_ last: Day) -> [Day] {
        last < self ? [] : (0...(last.daysSinceEpoch - daysSinceEpoch)).map { adding(days: $0) }
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    // Howard Hinnant's days_from_civil / civil_from_days.
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromDays days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}

/// An instant, in whole seconds since 1970-01-01T00:00:00Z. All times in LeadLedger are UTC.
public struct Timestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let secondsSinceEpoch: Int64

    public init(secondsSinceEpoch: Int64) { self.secondsSinceEpoch = secondsSinceEpoch }

    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.secondsSinceEpoch < b.secondsSinceEpoch }

    /// The UTC day the instant falls on.
    public var day: Day {
        let s = secondsSinceEpoch
        return Day(daysSinceEpoch: Int(s >= 0 ? s / 86_400 : (s - 86_399) / 86_400))
    }

    /// ISO 8601 in UTC: `2026-01-15T09:30:00Z`.
    public var description: String {
        let d = day
        let secondOfDay = Int(secondsSinceEpoch - Int64(d.daysSinceEpoch) * 86_400)
        let (y, m, dd) = d.components
        guard (0...9999).contains(y) else {
            return "\(d)T\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2))Z"
        }
        return String(unsafeUninitializedCapacity: 20) { b in
            writeDigits(y, 4, b, 0); b[4] = 0x2D; writeDigits(m, 2, b, 5); b[7] = 0x2D; writeDigits(dd, 2, b, 8)
            b[10] = 0x54; writeDigits(secondOfDay / 3600, 2, b, 11); b[13] = 0x3A
            writeDigits(secondOfDay / 60 % 60, 2, b, 14); b[16] = 0x3A; writeDigits(secondOfDay % 60, 2, b, 17); b[19] = 0x5A
            return 20
        }
    }

    /// Parses ISO 8601 date-times as exports write them:
    /// `2026-01-15T09:30:00Z`, `2026-01-15T09:30:00+07:00`, `2026-01-15T09:30:00+0000`,
    /// `2026-01-15 09:30:00`, `2026-01-15T09:30`, fractional seconds (dropped), or a bare
    /// date (midnight). A time without an offset is taken as UTC.
    public static func parse(_ text: some StringProtocol) -> Timestamp? {
        var copy = String(text)
        return copy.withUTF8 { parse(bytes: $0) }
    }

    static func parse(bytes b: UnsafeBufferPointer<UInt8>) -> Timestamp? {
        guard b.count >= 10, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"),
              let y = digits(b, 0, 4), let mo = digits(b, 5, 2), let d = digits(b, 8, 2),
              let day = Day(year: y, month: mo, day: d) else { return nil }
        var seconds = Int64(day.daysSinceEpoch) * 86_400
        if b.count == 10 { return Timestamp(secondsSinceEpoch: seconds) }
        guard b.count >= 16, b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: " "),
              let h = digits(b, 11, 2), b[13] == UInt8(ascii: ":"), let mi = digits(b, 14, 2),
              h < 24, mi < 60 else { return nil }
        var i = 16
        var s = 0
        if i < b.count, b[i] == UInt8(ascii: ":") {
            guard let sec = digits(b, i + 1, 2), sec < 61 else { return nil }
            s = min(sec, 59)
            i += 3
            if i < b.count, b[i] == UInt8(ascii: ".") || b[i] == UInt8(ascii: ",") {
                i += 1
                let start = i
                while i < b.count, (48...57).contains(b[i]) { i += 1 }
                guard i > start else { return nil }
            }
        }
        seconds += Int64(h * 3600 + mi * 60 + s)
        if i == b.count { return Timestamp(secondsSinceEpoch: seconds) }
        if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
            return i + 1 == b.count ? Timestamp(secondsSinceEpoch: seconds) : nil
        }
        if i < b.count, b[i] == UInt8(ascii: " ") { i += 1 }  // "2026-01-15 09:30:00 +0700"
        guard i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") else { return nil }
        let sign: Int64 = b[i] == UInt8(ascii: "+") ? 1 : -1
        let rest = b.count - i - 1
        let oh: Int?, om: Int?
        if rest == 5, b[i + 3] == UInt8(ascii: ":") {
            oh = digits(b, i + 1, 2); om = digits(b, i + 4, 2)
        } else if rest == 4 {
            oh = digits(b, i + 1, 2); om = digits(b, i + 3, 2)
        } else if rest == 2 {
            oh = digits(b, i + 1, 2); om = 0
        } else {
            return nil
        }
        guard let offH = oh, let offM = om, offH <= 14, offM < 60 else { return nil }
        return Timestamp(secondsSinceEpoch: seconds - sign * Int64(offH * 3600 + offM * 60))
    }
}

@inline(__always)
func digits(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ count: Int) -> Int? {
    guard start + count <= bytes.count else { return nil }
    var value = 0
    for i in start..<(start + count) {
        let c = bytes[i]
        guard c >= 48 && c <= 57 else { return nil }
        value = value * 10 + Int(c - 48)
    }
    return value
}

/// Writes `value` (non-negative, below 10^width) as `width` ASCII digits at `offset`.
@inline(__always)
func writeDigits(_ value: Int, _ width: Int, _ buffer: UnsafeMutableBufferPointer<UInt8>, _ offset: Int) {
    var v = value
    for i in stride(from: offset + width - 1, through: offset, by: -1) {
        buffer[i] = UInt8(truncatingIfNeeded: 0x30 + v % 10)
        v /= 10
    }
}

func pad(_ value: Int, _ width: Int) -> String {
    let s = String(value)
    return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
}
