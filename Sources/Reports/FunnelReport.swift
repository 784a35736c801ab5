import ChannelKit
import Warehouse

/// Lifecycle funnel per channel (lead → MQL → SQL → opportunity → customer).
///
/// A lead *reached* a stage when it has that stage or any later one (customer also by a
/// conversion); the time it *entered* a stage is its earliest change to that stage (lead: its
/// creation; customer: the stage change or its first conversion, whichever is earlier). Rates are
/// stage-to-stage (reached k+1 / reached k); time in a stage is the median, over leads that
/// entered both, of (entered k+1 − entered k) in days. Lead quality is the share of leads that
/// reach MQL, SQL and customer. Leads count under their first-touch channel; period and
/// channel filters are the channel report's.
public enum FunnelReport {
    public static let stages = ["lead", "mql", "sql", "opportunity", "customer"]

    public struct Row: Sendable, Equatable {
        public let channel: String
        /// Leads that reached each stage, in ``stages`` order.
        public let reached: [Int]
        /// Median days from entering each stage to entering the next (4 values).
        public let medianDaysInStage: [Double?]

        /// reached[k+1] / reached[k] (4 values).
        public var stageRates: [Double?] { (0..<4).map { reached[$0] == 0 ? nil : Double(reached[$0 + 1]) / Double(reached[$0]) } }
        /// Share of leads reaching MQL, SQL, customer.
        public var quality: (mql: Double?, sql: Double?, customer: Double?) {
            let n = Double(reached[0])
            return reached[0] == 0 ? (nil, nil, nil) : (Double(reached[1]) / n, Double(reached[2]) / n, Double(reached[4]) / n)
        }
    }

    public static func compute(_ warehouse: Warehouse, period: ReportPeriod = ReportPeriod(), channel: String? = nil) throws -> [Row] {
        let db = warehouse.db
        var reached: [String: [Int]] = [:]
        var durations: [String: [[Double]]] = [:]
        let created = period.createdFilter("l")
        // Leads per channel: one pass over `lead_firsts`, counted here (SQLite's GROUP BY would
        // sort every row first: no index has the channels' order).
        var leads: [String: Int] = [:]
        try db.query("SELECT l.first_channel FROM lead_firsts l WHERE \(created.sql)", created.arguments) { s in
            leads[s.text(0) ?? "direct", default: 0] += 1
        }
        for (c, n) in leads where channel == nil || channel == c {
            reached[c, default: [0, 0, 0, 0, 0]][0] += n
            if durations[c] == nil { durations[c] = [[], [], [], []] }
        }
        // The leads that went further, with the time they entered each stage (the milestone
        // columns: earliest change to each stage; customer also by the first conversion).
        let milestones = LeadMilestones.stageColumns.map { "l.\($0)" } + ["l.first_converted_at"]
        let end = period.endSeconds
        try db.query("""
            SELECT l.first_channel, l.created_at, \(milestones.joined(separator: ", ")) FROM lead_firsts l
            WHERE coalesce(\(milestones.joined(separator: ", "))) IS NOT NULL AND \(created.sql)
            """, created.arguments) { s in
            let c = s.text(0) ?? "direct"
            guard channel == nil || channel == c else { return }
            func at(_ column: Int32) -> Int64? { s.optionalInt(column).flatMap { $0 < end ? $0 : nil } }
            let customer = [at(5), at(6)].compactMap { $0 }.min()
            let e: [Int64?] = [s.int(1), at(2), at(3), at(4), customer]
            // Reaching a later stage means having passed the earlier ones. (Changed in place:
            // copying the lists of days out and back per lead would be quadratic.)
            let last = e.lastIndex { $0 != nil } ?? 0
            guard last > 0 else { return }
            for k in 1...last { reached[c, default: [0, 0, 0, 0, 0]][k] += 1 }
            for k in 0..<4 { if let a = e[k], let b = e[k + 1], b >= a { durations[c, default: [[], [], [], []]][k].append(Double(b - a) / 86_400) } }
        }
        return reached.keys.sorted().map { c in
            Row(channel: c, reached: reached[c]!, medianDaysInStage: durations[c]!.map(KPI.median))
        }
    }
}

/// Leads grouped by the month they arrived (and by first-touch channel if asked), with the
/// cumulative share that became customers by each month since arrival: month 0 is the arrival
/// month, month k the k-th month after it. Only months already over by the end of the data (or
/// of `--to`) are shown, so a young cohort is not mistaken for a weak one.
public enum CohortReport {
    public struct Row: Sendable, Equatable {
        public let month: String
        public let channel: String?
        public let leads: Int
        /// Cumulative conversion rate at month 0, 1, 2… since arrival.
        public let cumulative: [Double]
    }

    public static func compute(_ warehouse: Warehouse, period: ReportPeriod = ReportPeriod(), byChannel: Bool = false,
                               channel: String? = nil) throws -> [Row] {
        let db = warehouse.db
        func monthIndex(_ seconds: Int64) -> Int {
            let (y, m, _) = Timestamp(secondsSinceEpoch: seconds).day.components
            return y * 12 + (m - 1)
        }
        var lastData = Int64.min
        try db.query("SELECT max(t) FROM (SELECT max(created_at) AS t FROM leads UNION ALL SELECT max(converted_at) FROM conversions)") { s in
            if !s.isNull(0) { lastData = s.int(0) }
        }
        guard lastData != Int64.min else { return [] }
        let end = min(lastData, period.endSeconds - 1)
        let lastMonth = monthIndex(end)
        // The last month counts only once it is over (the end is its last day).
        let endDay = Timestamp(secondsSinceEpoch: end).day
        let lastComplete = endDay.adding(days: 1).components.day == 1 ? lastMonth : lastMonth - 1
        struct Key: Hashable { let month: Int; let channel: String? }
        var leads: [Key: Int] = [:]
        var converted: [Key: [Int: Int]] = [:]  // month offset → customers
        // One narrow row per lead from `lead_firsts`: creation time, first-touch
        // channel and first conversion (binned by month here: SQLite has no cheap month arithmetic).
        let created = period.createdFilter("l")
        try db.query("""
            SELECT l.created_at, l.first_channel, l.first_converted_at FROM lead_firsts l WHERE \(created.sql)
            """, created.arguments) { s in
            let c = s.text(1) ?? "direct"
            guard channel == nil || channel == c else { return }
            let k = Key(month: monthIndex(s.int(0)), channel: byChannel ? c : nil)
            leads[k, default: 0] += 1
            if let at = s.optionalInt(2), at <= end { converted[k, default: [:]][max(0, monthIndex(at) - k.month), default: 0] += 1 }
        }
        return leads.keys.sorted { ($0.month, $0.channel ?? "") < ($1.month, $1.channel ?? "") }.map { k in
            let n = leads[k]!
            let months = max(0, lastComplete - k.month + 1)
            var running = 0
            let cumulative = (0..<months).map { offset -> Double in
                running += converted[k]?[offset] ?? 0
                return Double(running) / Double(n)
            }
            let y = k.month / 12, m = k.month % 12 + 1
            return Row(month: "\(y)-\(m < 10 ? "0" : "")\(m)", channel: k.channel, leads: n, cumulative: cumulative)
        }
    }
}

/// Lead velocity: qualified leads (leads that first reached MQL or a later stage that month;
/// all new leads when the warehouse has no stage data) per month, and the growth on the month
/// before: (this − previous) / previous.
public enum VelocityReport {
    public struct Row: Sendable, Equatable {
        public let month: String
        public let qualified: Int
        public let growth: Double?
    }

    public static func compute(_ warehouse: Warehouse, period: ReportPeriod = ReportPeriod(), channel: String? = nil) throws -> (rows: [Row], qualifiedByStage: Bool) {
        let db = warehouse.db
        let byStage = try db.scalarInt("SELECT 1 FROM lifecycle_stages LIMIT 1") != nil
        // When each lead first reached MQL or a later stage (its milestone columns), or was created.
        let qualifiedAt = byStage ? LeadMilestones.reachedSQL("l", stage: 0) : "l.created_at"
        var counts: [Int: Int] = [:]  // year × 12 + month − 1 → leads
        try db.query("""
            SELECT \(qualifiedAt), l.first_channel FROM lead_firsts l WHERE \(qualifiedAt) >= ?1 AND \(qualifiedAt) < ?2
            """, [.integer(period.startSeconds), .integer(period.endSeconds)]) { s in
            guard channel == nil || channel == (s.text(1) ?? "direct") else { return }
            let (y, m, _) = Timestamp(secondsSinceEpoch: s.int(0)).day.components
            counts[y * 12 + m - 1, default: 0] += 1
        }
        guard let first = counts.keys.min(), let last = counts.keys.max() else { return ([], byStage) }
        // Every month from the first to the last, a month with none included, so that growth
        // is always on the calendar month before.
        var previous: Int?
        let rows = (first...last).map { index -> Row in
            let n = counts[index] ?? 0
            defer { previous = n }
            let y = index / 12, m = index % 12 + 1
            return Row(month: "\(y)-\(m < 10 ? "0" : "")\(m)", qualified: n, growth: previous.flatMap { $0 == 0 ? nil : Double(n - $0) / Double($0) })
        }
        return (rows, byStage)
    }
}
