import ChannelKit
import Warehouse

/// Adds money in one currency. Without a report currency, amounts must all share one currency
/// (else the report refuses). With one, each amount is converted at the rate in force on its day
/// (the latest imported rate on or before it, or the inverse of the opposite pair), rounded half
/// away from zero to the report currency's minor unit; a missing rate refuses the report.
public final class CurrencyConverter {
    public let target: Currency?
    private var rates: [String: [(day: String, rate: Double)]] = [:]  // "FROM>TO" → ascending days
    private(set) var seen = Set<String>()

    public init(_ db: Database, target: Currency?) throws {
        self.target = target
        guard target != nil else { return }
        try db.query("SELECT day, currency, target, rate FROM exchange_rates ORDER BY day") { s in
            let from = s.text(1) ?? "", to = s.text(2) ?? "", rate = s.double(3)
            rates[from + ">" + to, default: []].append((s.text(0) ?? "", rate))
            rates[to + ">" + from, default: []].append((s.text(0) ?? "", 1 / rate))
        }
        for k in rates.keys { rates[k]!.sort { $0.day < $1.day } }
    }

    /// The amount in the report currency's minor units.
    public func convert(_ minor: Int64, from code: String, on day: String) throws -> Int64 {
        seen.insert(code)
        guard let target else { return minor }
        guard code != target.code else { return minor }
        guard let from = Currency(code) else { throw ReportError.missingRate(from: code, to: target.code, day: day) }
        guard let rate = rates[code + ">" + target.code]?.last(where: { $0.day <= day })?.rate else {
            throw ReportError.missingRate(from: code, to: target.code, day: day)
        }
        let major = from.majorUnits(minor) * rate
        var scale = 1.0
        for _ in 0..<target.minorUnitDigits { scale *= 10 }
        let converted = (major * scale).rounded(.toNearestOrAwayFromZero)
        // 2^63 is exact as a Double; anything at or past it does not fit.
        guard converted.isFinite, abs(converted) < 9_223_372_036_854_775_808.0 else {
            throw ReportError.tooLarge("\(code) \(from.decimalString(minorUnits: minor)) on \(day) in \(target.code)")
        }
        return Int64(converted)
    }

    /// The currency the report's money is in; refuses a mix when no target was given.
    public func reportCurrency() throws -> Currency? {
        if let target { return target }
        guard seen.count <= 1 else { throw ReportError.mixedCurrencies(seen.sorted()) }
        return seen.first.flatMap { Currency($0) }
    }
}
