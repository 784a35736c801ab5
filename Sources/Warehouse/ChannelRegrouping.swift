import ChannelKit

/// What changing the channel grouping did: how many web touches moved between which channels.
public struct RegroupResult: Sendable, Equatable {
    public struct Move: Sendable, Equatable {
        public let from: String
        public let to: String
        public let touches: Int
    }

    /// Web touches read and classified again.
    public var examined = 0
    /// Moves, most touches first (then by channel).
    public var moves: [Move] = []
    /// Touches that, moved, met another touch of the same lead, second, kind and channel: the
    /// later one (by import order) is dropped, as importing them afresh would have done.
    public var merged = 0
}

/// A custom channel a grouping declares, as the warehouse stores it.
public struct CustomChannelRow: Sendable, Equatable {
    public let id: String
    public let displayName: String

    public init(id: String, displayName: String) {
        self.id = id
        self.displayName = displayName
    }
}

extension Warehouse {
    /// The settings key holding the grouping file's text.
    static let groupingSetting = "channel_grouping"

    /// The channel grouping every command uses (the text of the file last set), if any.
    public func channelGroupingText() throws -> String? {
        try db.scalarText("SELECT value FROM settings WHERE key = ?", [.text(Self.groupingSetting)])
    }

    /// The channels declared free (their spend is known to be zero).
    public func freeChannels() throws -> Set<String> {
        var ids = Set<String>()
        try db.query("SELECT id FROM channels WHERE is_free = 1") { ids.insert($0.text(0) ?? "") }
        return ids
    }

    /// Stores a new channel grouping and re-classifies every stored web touch with `classify`
    /// — from the raw tags the store keeps, in one pass — in one transaction: the custom
    /// channels are declared (those no longer declared and no longer used go), touches that
    /// change channel get the new channel and that channel's campaign, and the derived rows
    /// (first touches, journeys) are rebuilt, so that every table equals what importing the
    /// same files afresh under the new grouping gives. A web touch is one imported by the
    /// `touches` source; a channel's own touches (a lead form's, a referral's) keep their channel.
    public func setChannelGrouping(text: String, customChannels: [CustomChannelRow], freeChannels: [String],
                                   classify: (RawTouch) -> String) throws -> RegroupResult {
        try db.execute("BEGIN IMMEDIATE")
        do {
            let result = try regroup(text: text, customChannels: customChannels, freeChannels: freeChannels, classify: classify)
            try db.execute("COMMIT")
            return result
        } catch {
            try? db.execute("ROLLBACK")
            throw error
        }
    }

    private func regroup(text: String, customChannels: [CustomChannelRow], freeChannels: [String],
                         classify: (RawTouch) -> String) throws -> RegroupResult {
        for c in customChannels {
            let origin = try db.scalarText("SELECT origin FROM channels WHERE id = ?", [.text(c.id)])
            guard origin == nil || origin == "custom" else {
                throw WarehouseError.constraint(message: "\(c.id) is already a \(origin!) channel; a custom channel needs an id of its own")
            }
            try db.run("""
                INSERT INTO channels (id, display_name, origin) VALUES (?1, ?2, 'custom')
                ON CONFLICT (id) DO UPDATE SET display_name = excluded.display_name
                """, [.text(c.id), .text(c.displayName)])
        }
        try db.run("UPDATE channels SET is_free = 0 WHERE is_free = 1")
        for id in freeChannels { try db.run("UPDATE channels SET is_free = 1 WHERE id = ?", [.text(id)]) }
        try db.run("INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                   [.text(Self.groupingSetting), .text(text)])

        var codes: [String: Int64] = [:], names: [Int64: String] = [:]
        try db.query("SELECT channel_id, code FROM channel_codes") { row in
            codes[row.text(0) ?? ""] = row.int(1)
            names[row.int(1)] = row.text(0) ?? ""
        }
        // Classified once per distinct tag combination: a store holds millions of touches and
        // a few thousand combinations. Click ids count by their names only (their values are
        // the visitor's).
        struct TagKey: Hashable { let tags: [Int64?]; let clickIDNames: String? }
        var channelOfTags: [TagKey: Int64] = [:]
        struct Move { let key: (at: Int64, lead: Int64, kind: Int64, channel: Int64); let id: Int64; let to: Int64; let campaign: String? }
        var moves: [Move] = []
        var result = RegroupResult()
        try db.query("""
            SELECT t.occurred_at, t.lead_id, t.kind_code, t.channel_code, t.id, t.utm_source_tag, t.utm_medium_tag, t.utm_campaign_tag,
                   t.referrer_tag, t.landing_page_tag, t.click_ids,
                   s.value, m.value, c.value, r.value, p.value
            FROM touches t
            LEFT JOIN touch_tags s ON s.id = t.utm_source_tag LEFT JOIN touch_tags m ON m.id = t.utm_medium_tag
            LEFT JOIN touch_tags c ON c.id = t.utm_campaign_tag LEFT JOIN touch_tags r ON r.id = t.referrer_tag
            LEFT JOIN touch_tags p ON p.id = t.landing_page_tag
            WHERE t.import_run_id IN (SELECT id FROM import_runs WHERE source = 'touches')
            """) { row in
            result.examined += 1
            let clickIDs = row.text(10)
            let key = TagKey(tags: (5...9).map { row.isNull(Int32($0)) ? nil : row.int(Int32($0)) },
                             clickIDNames: clickIDs.map { ids in ids.split(separator: "&").map { $0.split(separator: "=", maxSplits: 1)[0] }.joined(separator: "&") })
            let code: Int64
            if let known = channelOfTags[key] { code = known } else {
                let page = row.text(15).map { ClickIDs.join(page: $0, clickIDs: clickIDs) } ?? clickIDs.map { "?" + $0 }
                let channel = classify(RawTouch(source: row.text(11), medium: row.text(12), campaign: row.text(13), referrer: row.text(14), landingPage: page))
                guard let c = codes[channel] else { throw WarehouseError.constraint(message: "the grouping names a channel the warehouse does not have: \(channel)") }
                channelOfTags[key] = c
                code = c
            }
            let current = row.int(3)
            if code != current {
                moves.append(Move(key: (row.int(0), row.int(1), row.int(2), current), id: row.int(4), to: code, campaign: row.text(13)))
            }
        }
        guard !moves.isEmpty else { return result }

        let campaigns = try CampaignDirectory(db)
        var campaignsBefore = Set<Int64>()
        var counts: [String: Int] = [:]
        let update = try db.prepare("""
            UPDATE OR IGNORE touches SET channel_code = ?5, campaign_id = ?6
            WHERE occurred_at = ?1 AND lead_id = ?2 AND kind_code = ?3 AND channel_code = ?4
            """)
        let findAt = try db.prepare("SELECT id, campaign_id FROM touches WHERE occurred_at = ?1 AND lead_id = ?2 AND kind_code = ?3 AND channel_code = ?4")
        let remove = try db.prepare("DELETE FROM touches WHERE occurred_at = ?1 AND lead_id = ?2 AND kind_code = ?3 AND channel_code = ?4")
        func bindKey(_ s: Statement, _ at: Int64, _ lead: Int64, _ kind: Int64, _ channel: Int64) throws {
            s.reset()
            try s.bind(at, at: 1)
            try s.bind(lead, at: 2)
            try s.bind(kind, at: 3)
            try s.bind(channel, at: 4)
        }
        for move in moves {
            let (at, lead, kind, from) = move.key
            try bindKey(findAt, at, lead, kind, from)
            if try findAt.step(), !findAt.isNull(1) { campaignsBefore.insert(findAt.int(1)) }
            findAt.reset()
            let channel = names[move.to]!
            let campaign = try move.campaign.flatMap { try campaigns.id(channel: channel, campaign: CampaignRef(name: $0)) }
            try bindKey(update, at, lead, kind, from)
            try update.bind(move.to, at: 5)
            try update.bind(campaign, at: 6)
            try update.step()
            if db.changes == 0 {
                // The lead has a touch of this kind at this second on the new channel already: a
                // fresh import keeps the one imported first.
                try bindKey(findAt, at, lead, kind, move.to)
                let other = try findAt.step() ? findAt.int(0) : nil
                findAt.reset()
                if let other, other > move.id {
                    try bindKey(remove, at, lead, kind, move.to)
                    try remove.step()
                    try bindKey(update, at, lead, kind, from)
                    try update.bind(move.to, at: 5)
                    try update.bind(campaign, at: 6)
                    try update.step()
                } else {
                    try bindKey(remove, at, lead, kind, from)
                    try remove.step()
                }
                result.merged += 1
            }
            counts[names[from]! + "\u{1F}" + channel, default: 0] += 1
        }
        result.moves = counts.map { key, n in
            let parts = key.split(separator: "\u{1F}", omittingEmptySubsequences: false)
            return RegroupResult.Move(from: String(parts[0]), to: String(parts[1]), touches: n)
        }.sorted { ($0.touches, $1.from, $1.to) > ($1.touches, $0.from, $0.to) }

        // The derived rows first: they name campaigns and channels too.
        try Self.refreshDerivedLeadColumns(db)
        // Campaigns only the moved touches named, now named by nothing, go: a fresh import
        // would not have made them.
        for id in campaignsBefore where try !isReferenced(campaign: id) {
            try db.run("DELETE FROM campaigns WHERE id = ?", [.integer(id)])
        }
        // Custom channels no longer declared, and no longer used, go too.
        let declared = Set(customChannels.map(\.id))
        var dropped: [String] = []
        try db.query("SELECT id FROM channels WHERE origin = 'custom'") { row in
            if let id = row.text(0), !declared.contains(id) { dropped.append(id) }
        }
        for id in dropped where try !isUsed(channel: id, code: codes[id]) {
            try db.run("DELETE FROM channel_codes WHERE channel_id = ?", [.text(id)])
            try db.run("DELETE FROM channels WHERE id = ?", [.text(id)])
        }
        return result
    }

    private func isReferenced(campaign id: Int64) throws -> Bool {
        try db.scalarInt("""
            SELECT EXISTS (SELECT 1 FROM touches WHERE campaign_id = ?1) OR EXISTS (SELECT 1 FROM costs WHERE campaign_id = ?1)
                OR EXISTS (SELECT 1 FROM channel_metrics WHERE campaign_id = ?1)
            """, [.integer(id)]) == 1
    }

    private func isUsed(channel id: String, code: Int64?) throws -> Bool {
        try db.scalarInt("""
            SELECT EXISTS (SELECT 1 FROM touches WHERE channel_code = ?2) OR EXISTS (SELECT 1 FROM costs WHERE channel_id = ?1)
                OR EXISTS (SELECT 1 FROM channel_metrics WHERE channel_id = ?1) OR EXISTS (SELECT 1 FROM campaigns WHERE channel_id = ?1)
            """, [.text(id), SQLValue(code)]) == 1
    }
}
