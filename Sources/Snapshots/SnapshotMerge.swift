import ChannelKit
import Warehouse

/// Joins a snapshot's rows to a warehouse that already holds data, through the same
/// ``ImportSink`` calls a file import makes: people are recognised by their keys, email hash or
/// phone hash and merged as a file would merge them (a lead that gained an email or a phone in
/// the snapshot gains it here too), touches and stages already present are skipped, costs,
/// metrics, rates and revenues are restated, and every id is renumbered. Each row keeps the
/// import run it came from (its copy here). Tables arrive in ``SnapshotTables/all``'s order, so
/// runs, campaigns and lead keys are known before the rows that name them.
struct SnapshotMerge {
    let sink: ImportSink
    private var runs: [Int64: Int64] = [:]
    /// The format of each of the snapshot's runs: the source of its costs and metrics when the
    /// snapshot is older than their `source_key` (format 3).
    private var runFormats: [Int64: String] = [:]
    private var newRuns = Set<Int64>()
    private var campaigns: [Int64: Int64] = [:]
    private var leads: [Int64: Int64] = [:]
    private var keysOfLead: [Int64: [String]] = [:]

    init(sink: ImportSink) { self.sink = sink }

    /// Whether the snapshot was hashed with another identifier salt than the warehouse (a
    /// redacted snapshot has neither salt nor hashes).
    static func saltDiffers(_ manifest: Manifest, path: String, warehouse: Warehouse) throws -> Bool {
        guard !manifest.filters.redacted else { return false }
        var salt: String?
        try SnapshotReader(path: path).forEachTable { table, source in
            guard table.name == "settings" else { return }
            _ = try SnapshotReader.read(table, from: source, formatVersion: manifest.formatVersion) { values in
                if values[0] == .text("identifier_salt"), case .text(let s) = values[1] { salt = s }
            }
        }
        return try salt != warehouse.identifierSalt()
    }

    /// A cost's or metric's source: its own, or (a snapshot older than format 3) its run's format.
    private func source(_ value: SQLValue, run: SQLValue, _ table: String) throws -> FactSource {
        if let key = value.textValue, !key.isEmpty { return FactSource(storedKey: key) }
        return FactSource(storedKey: runFormats[try integer(run, table)] ?? "")
    }

    /// Adds one row of `table`: what became of it, as a file import counts it.
    mutating func add(_ table: String, _ v: [SQLValue]) throws -> WriteOutcome {
        switch table {
        case "settings":
            return .unchanged
        case "channels":
            return try sink.addChannel(id: v[0], displayName: v[1], origin: v[2]) ? .inserted : .unchanged
        case "import_runs":
            let run = try sink.adoptRun(Array(v[1...]))
            runs[try own(v, table)] = run.id
            runFormats[try own(v, table)] = v[2].textValue ?? ""
            if run.added { newRuns.insert(try own(v, table)) }
            return run.added ? .inserted : .unchanged
        case "exchange_rates":
            try stamp(v[5], table)
            return try sink.facts.upsertRate(day: try text(v[1], table), currency: try text(v[2], table), target: try text(v[3], table),
                                             rate: try real(v[4], table))
        case "campaigns":
            let channel = try text(v[1], table), key = try text(v[2], table)
            let known = try sink.campaigns.id(channel: channel, key: key, name: try text(v[3], table), externalID: v[4].textValue)
            campaigns[try own(v, table)] = known
            return .unchanged
        case "lead_keys":
            keysOfLead[try integer(v[1], table), default: []].append(try text(v[0], table))
            return .unchanged
        case "leads":
            try stamp(v[13], table)
            let a = LeadAttributes(country: v[4].textValue, region: v[5].textValue, ageBand: v[6].textValue, gender: v[7].textValue,
                                   incomeBand: v[8].textValue, industry: v[9].textValue, companySize: v[10].textValue, interests: v[11].textValue)
            let snapshotID = try own(v, table)
            let (id, outcome) = try sink.leads.upsert(keys: keysOfLead.removeValue(forKey: snapshotID) ?? [],
                                                      createdAt: Timestamp(secondsSinceEpoch: try integer(v[1], table)),
                                                      emailHash: v[2].textValue, phoneHash: v[3].textValue, attributes: a, sourceLabel: v[12].textValue)
            leads[snapshotID] = id
            return outcome
        case "touchpoints":
            try stamp(v[11], table)
            return try sink.touches.insert(try Self.touchRow(v, lead: try mapped(v[1], leads, table), campaign: try mappedIfAny(v[4], campaigns, table)))
        case "costs":
            try stamp(v[7], table)
            return try sink.facts.upsertCost(day: try text(v[1], table), channel: try text(v[2], table), campaignID: try mappedIfAny(v[3], campaigns, table),
                                             detail: try text(v[4], table), source: try source(v[8], run: v[7], table), amount: try money(v[5], v[6], table))
        case "channel_metrics":
            try stamp(v[7], table)
            return try sink.facts.upsertMetric(day: try text(v[1], table), channel: try text(v[2], table), campaignID: try mappedIfAny(v[3], campaigns, table),
                                               metric: try text(v[4], table), detail: try text(v[5], table), source: try source(v[8], run: v[7], table),
                                               value: try real(v[6], table))
        case "conversions":
            try stamp(v[6], table)
            return try sink.facts.insertConversion(leadID: try mapped(v[1], leads, table), at: Timestamp(secondsSinceEpoch: try integer(v[2], table)),
                                                   revenue: try money(v[3], v[4], table), externalID: v[5].textValue)
        case "lifecycle_stages":
            try stamp(v[4], table)
            return try sink.facts.insertStage(leadID: try mapped(v[1], leads, table), stage: try text(v[2], table),
                                              at: Timestamp(secondsSinceEpoch: try integer(v[3], table)))
        case "outreach_attempts":
            try stamp(v[5], table)
            return try sink.facts.insertOutreach(leadID: try mapped(v[1], leads, table), at: Timestamp(secondsSinceEpoch: try integer(v[2], table)),
                                                 method: try text(v[3], table), responded: try integer(v[4], table) != 0)
        case "rejects":
            // Only the rejects of runs this merge added: the others are already here.
            guard newRuns.contains(try integer(v[1], table)) else { return .unchanged }
            try stamp(v[1], table)
            try sink.reject(fileName: try text(v[2], table), line: Int(try integer(v[3], table)), column: v[4].integerValue.map(Int.init),
                            columnName: v[5].textValue, reason: try text(v[6], table), rawRow: v[7].textValue ?? "")
            return .inserted
        default:
            return .unchanged
        }
    }

    /// A snapshot's touch (columns of ``SnapshotTables``' `touchpoints`) as the touch writer takes
    /// it, with `lead` and `campaign` as the warehouse knows them.
    static func touchRow(_ v: [SQLValue], lead: Int64?, campaign: Int64?, id: Int64? = nil) throws(SnapshotError) -> TouchRow {
        let table = "touchpoints"
        guard let lead else { throw SnapshotError.corrupt(table: table, reason: "a touch has no lead") }
        guard let at = v[2].integerValue, let channel = v[3].textValue else { throw SnapshotError.corrupt(table: table, reason: "a touch lacks its time or channel") }
        guard let kind = v[5].textValue.flatMap(TouchKind.init(rawValue:)) else { throw SnapshotError.corrupt(table: table, reason: "a touch has an unknown kind") }
        // A format-1 snapshot's landing page still holds its click ids (and has no `click_ids`): split it.
        let page = v[12] == .null ? v[10].textValue.map(ClickIDs.split) : v[10].textValue.map { ($0, v[12].textValue) }
        return TouchRow(leadID: lead, at: Timestamp(secondsSinceEpoch: at), channel: channel, campaignID: campaign, kind: kind,
                        utmSource: v[6].textValue, utmMedium: v[7].textValue, utmCampaign: v[8].textValue, referrer: v[9].textValue,
                        page: page?.0, clickIDs: page?.1, id: id)
    }

    // The snapshot reader has checked each value against its column's type; what is left to
    // refuse here is a value missing where the warehouse needs one, or an id the snapshot lacks.

    private func corrupt(_ table: String, _ reason: String) -> SnapshotError { .corrupt(table: table, reason: reason) }

    private func own(_ v: [SQLValue], _ table: String) throws(SnapshotError) -> Int64 {
        guard let id = v[0].integerValue else { throw corrupt(table, "a row has no id") }
        return id
    }

    private func integer(_ value: SQLValue, _ table: String) throws(SnapshotError) -> Int64 {
        guard let i = value.integerValue else { throw corrupt(table, "a row lacks a number it needs") }
        return i
    }

    private func text(_ value: SQLValue, _ table: String) throws(SnapshotError) -> String {
        guard let s = value.textValue else { throw corrupt(table, "a row lacks a value it needs") }
        return s
    }

    private func real(_ value: SQLValue, _ table: String) throws(SnapshotError) -> Double {
        switch value {
        case .real(let x): return x
        case .integer(let i): return Double(i)
        default: throw corrupt(table, "a row lacks a number it needs")
        }
    }

    private func money(_ minor: SQLValue, _ currency: SQLValue, _ table: String) throws(SnapshotError) -> Money {
        guard let units = minor.integerValue, let code = currency.textValue, let currency = Currency(code) else {
            throw corrupt(table, "a row's amount or currency is missing or unknown")
        }
        return Money(minorUnits: units, currency: currency)
    }

    /// The warehouse's id for a snapshot id the snapshot defined earlier.
    private func mapped(_ value: SQLValue, _ map: [Int64: Int64], _ table: String) throws(SnapshotError) -> Int64 {
        guard let id = value.integerValue, let here = map[id] else { throw corrupt(table, "a row refers to a row the snapshot does not hold") }
        return here
    }

    private func mappedIfAny(_ value: SQLValue, _ map: [Int64: Int64], _ table: String) throws(SnapshotError) -> Int64? {
        value == .null ? nil : try mapped(value, map, table)
    }

    /// The rows that follow belong to the snapshot run `value` names, renumbered.
    private func stamp(_ value: SQLValue, _ table: String) throws(SnapshotError) {
        sink.stampRows(withRun: try mapped(value, runs, table))
    }
}
