/// Which channel is better, said plainly: ranks on CPL, CAC and ROAS, and conversion rates
/// compared with a two-proportion z-test against the best-converting channel. Channels with
/// fewer than 30 leads or 5 customers are flagged as small samples and not ranked.
public struct ChannelRanking: Sendable {
    public struct Test: Sendable {
        public let channel: String
        public let rate: Double
        public let z: Double?
        public let p: Double?
        /// p < 0.05.
        public var significant: Bool { (p ?? 1) < 0.05 }
    }

    public let cheapestLeads: [(channel: String, value: Double)]
    public let cheapestCustomers: [(channel: String, value: Double)]
    public let bestReturn: [(channel: String, value: Double)]
    public let best: (channel: String, rate: Double)?
    public let tests: [Test]
    public let smallSamples: [String]

    public init(_ rows: [ChannelKPIs]) {
        let ranked = rows.filter { !$0.isSmallSample && $0.leads > 0 }
        smallSamples = rows.filter { $0.isSmallSample && $0.leads > 0 }.map(\.channel)
        cheapestLeads = ranked.compactMap { r in r.costPerLeadMinor.map { (r.channel, $0) } }.sorted { $0.1 < $1.1 }
        cheapestCustomers = ranked.compactMap { r in r.costPerAcquisitionMinor.map { (r.channel, $0) } }.sorted { $0.1 < $1.1 }
        bestReturn = ranked.compactMap { r in r.returnOnAdSpend.map { (r.channel, $0) } }.sorted { $0.1 > $1.1 }
        let top = ranked.max { ($0.conversionRate ?? 0, $1.channel) < ($1.conversionRate ?? 0, $0.channel) }
        best = top.map { ($0.channel, $0.conversionRate ?? 0) }
        tests = ranked.filter { $0.channel != top?.channel }.map { r in
            let t = top.flatMap { Statistics.twoProportion(r.customers, r.leads, $0.customers, $0.leads) }
            return Test(channel: r.channel, rate: r.conversionRate ?? 0, z: t?.z, p: t?.p)
        }.sorted { $0.rate > $1.rate }
    }

    /// One line for people: "seo brings the cheapest leads; referral converts best; social costs most per customer."
    public var summary: String? {
        var parts: [String] = []
        if let c = cheapestLeads.first { parts.append("\(c.channel) brings the cheapest leads") }
        if let b = best {
            let beaten = tests.filter(\.significant).count
            parts.append(beaten == tests.count && !tests.isEmpty ? "\(b.channel) converts best" : "\(b.channel) converts best, though not significantly better than every other channel")
        }
        if let worst = cheapestCustomers.last, cheapestCustomers.count > 1 { parts.append("\(worst.channel) costs most per customer") }
        if let r = bestReturn.first { parts.append("\(r.channel) returns the most per unit spent") }
        guard !parts.isEmpty else { return nil }
        let sentence = parts.joined(separator: "; ") + "."
        return sentence.prefix(1).uppercased() + sentence.dropFirst()
    }
}
