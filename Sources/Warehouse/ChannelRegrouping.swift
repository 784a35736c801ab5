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

    /// Stores a new channel grouping and re-classifies every stored web touch with `classify`
    /// — from the raw tags the store keeps, in one pass — in one transaction: the custom
    /// channels are declared (those no longer declared and no longer used go), touches that
    /// change channel get the new channel and that channel's campaign, and the derived rows
    /// (first touches, journeys) are rebuilt, so that every table equals what importing the
    /// same files afresh under the new grouping gives. A web touch is one imported by the
    /// `touches` source; a channel's own touches (a lead form's, a referral's) keep their channel.
    public func setChannelGrouping(text: String, customChannels: [CustomChannelRow], freeChannels: [String],
                                   classify: (RawTouch) -> String) throws -> RegroupResult {
        // Foreign keys off, as for a file import: deleting a campaign would otherwise search the
        // touch store (no index by campaign) for every one. What is deleted is checked unused first.
        try db.execute("PRAGMA foreign_keys = OFF")
        defer { try? db.execute("PRAGMA foreign_keys = ON") }
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
        // a few thousand combinations, so the scan reads tag ids only, and a tag's text only
        // when its combination is new. Click ids count by their names (the values are the
        // visitor's).
        struct TagKey: Hashable {
            let source: Int64, medium: Int64, campaign: Int64, referrer: Int64, page: Int64
            let clickIDNames: String?
        }
        var channelOfTags: [TagKey: Int64] = [:]
        let tagText = try db.prepare("SELECT value FROM touch_tags WHERE id = ?1")
        func tag(_ id: Int64) throws -> String? {
            guard id != 0 else { return nil }
            tagText.reset()
            defer { tagText.reset() }
            try tagText.bind(id, at: 1)
            return try tagText.step() ? tagText.text(0) : nil
        }
        struct Move { let at: Int64, lead: Int64, kind: Int64, from: Int64, id: Int64, campaign: Int64?, to: Int64, campaignTag: Int64 }
        var moves: [Move] = []
        var result = RegroupResult()
        try db.query("""
            SELECT occurred_at, lead_id, kind_code, channel_code, id, campaign_id, ifnull(utm_source_tag, 0), ifnull(utm_medium_tag, 0),
                   ifnull(utm_campaign_tag, 0), ifnull(referrer_tag, 0), ifnull(landing_page_tag, 0), click_ids
            FROM touches WHERE import_run_id IN (SELECT id FROM import_runs WHERE source = 'touches')
            """) { row in
            result.examined += 1
            let clickIDs = row.text(11)
            let key = TagKey(source: row.int(6), medium: row.int(7), campaign: row.int(8), referrer: row.int(9), page: row.int(10),
                             clickIDNames: clickIDs.map(ClickIDs.names))
            let code: Int64
            if let known = channelOfTags[key] { code = known } else {
                let page = try tag(key.page).map { ClickIDs.join(page: $0, clickIDs: clickIDs) } ?? clickIDs.map { "?" + $0 }
                let channel = classify(RawTouch(source: try tag(key.source), medium: try tag(key.medium), campaign: try tag(key.campaign),
                                                referrer: try tag(key.referrer), landingPage: page))
                guard let c = codes[channel] else { throw WarehouseError.constraint(message: "the grouping names a channel the warehouse does not have: \(channel)") }
                channelOfTags[key] = c
                code = c
            }
            let current = row.int(3)
            if code != current {
                moves.append(Move(at: row.int(0), lead: row.int(1), kind: row.int(2), from: current, id: row.int(4),
                                  campaign: row.isNull(5) ? nil : row.int(5), to: code, campaignTag: key.campaign))
            }
        }
        guard !moves.isEmpty else { return result }

        let campaigns = try CampaignDirectory(db)
        var campaignsBefore = Set<Int64>()
        var movedLeads = Set<Int64>()
        var counts: [String: Int] = [:]
        let update = try db.prepare("""
            UPDATE OR IGNORE touches SET channel_code = ?5, campaign_id = ?6
            WHERE occurred_at = ?1 AND lead_id = ?2 AND kind_code = ?3 AND channel_code = ?4
            """)
        let findID = try db.prepare("SELECT id FROM touches WHERE occurred_at = ?1 AND lead_id = ?2 AND kind_code = ?3 AND channel_code = ?4")
        let remove = try db.prepare("DELETE FROM touches WHERE occurred_at = ?1 AND lead_id = ?2 AND kind_code = ?3 AND channel_code = ?4")
        func bindKey(_ s: Statement, _ m: Move, channel: Int64) throws {
            s.reset()
            try s.bind(m.at, at: 1)
            try s.bind(m.lead, at: 2)
            try s.bind(m.kind, at: 3)
            try s.bind(channel, at: 4)
        }
        var campaignNames: [Int64: String?] = [:]
        for move in moves {
            if let c = move.campaign { campaignsBefore.insert(c) }
            movedLeads.insert(move.lead)
            let channel = names[move.to]!
            let name: String?
            if let known = campaignNames[move.campaignTag] { name = known } else {
                name = try tag(move.campaignTag)
                campaignNames[move.campaignTag] = name
            }
            let campaign = try name.flatMap { try campaigns.id(channel: channel, campaign: CampaignRef(name: $0)) }
            func moveIt() throws {
                try bindKey(update, move, channel: move.from)
                try update.bind(move.to, at: 5)
                try update.bind(campaign, at: 6)
                try update.step()
            }
            try moveIt()
            if db.changes == 0 {
                // The lead has a touch of this kind at this second on the new channel already: a
                // fresh import keeps the one imported first.
                try bindKey(findID, move, channel: move.to)
                let other = try findID.step() ? findID.int(0) : nil
                findID.reset()
                if let other, other > move.id {
                    try bindKey(remove, move, channel: move.to)
                    try remove.step()
                    try moveIt()
                } else {
                    try bindKey(remove, move, channel: move.from)
                    try remove.step()
                }
                result.merged += 1
            }
            counts[names[move.from]! + "\u{1F}" + channel, default: 0] += 1
        }
        result.moves = counts.map { key, n in
            let parts = key.split(separator: "\u{1F}", omittingEmptySubsequences: false)
            return RegroupResult.Move(from: String(parts[0]), to: String(parts[1]), touches: n)
        }.sorted { ($0.touches, $1.from, $1.to) > ($1.touches, $0.from, $0.to) }

        // The derived rows: a channel change moves no touch in time and no milestone, so the
        // journeys' touches are packed again and the moved leads' first touch set from them.
        try LeadJourneys.rebuild(db, leads: nil, parts: .touches)
        // The same pass finds which of the campaigns the moved touches named a touch still names
        // (every touch is in the journeys; touches have no index by campaign to search).
        let setFirst = try db.prepare("UPDATE lead_firsts SET first_channel = ?2, first_campaign_id = ?3 WHERE lead_id = ?1")
        var stillNamed = Set<Int64>()
        try LeadJourneys.read(db) { row in
            var touches = row.touches
            var first = true
            while touches.next() {
                if let c = touches.campaignID, campaignsBefore.contains(c) { stillNamed.insert(c) }
                guard first else { continue }
                first = false
                guard movedLeads.contains(row.lead) else { continue }
                setFirst.reset()
                try setFirst.bind(row.lead, at: 1)
                try setFirst.bind(String(decoding: touches.channel, as: UTF8.self), at: 2)
                try setFirst.bind(touches.campaignID, at: 3)
                try setFirst.step()
            }
        }
        // Campaigns only the moved touches named, now named by nothing, go: a fresh import
        // would not have made them.
        stillNamed.formUnion(try namedByCostsOrMetrics(campaignsBefore.subtracting(stillNamed)))
        for id in campaignsBefore.subtracting(stillNamed) { try db.run("DELETE FROM campaigns WHERE id = ?", [.integer(id)]) }
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

    /// Which of `campaigns` a cost or metric names.
    private func namedByCostsOrMetrics(_ campaigns: Set<Int64>) throws -> Set<Int64> {
        guard !campaigns.isEmpty else { return [] }
        let list = campaigns.map(String.init).joined(separator: ", ")
        var named = Set<Int64>()
        for table in ["costs", "channel_metrics"] {
            try db.query("SELECT DISTINCT campaign_id FROM \(table) WHERE campaign_id IN (\(list))") { named.insert($0.int(0)) }
        }
        return named
    }

    private func isUsed(channel id: String, code: Int64?) throws -> Bool {
        try db.scalarInt("""
            SELECT EXISTS (SELECT 1 FROM touches WHERE channel_code = ?2) OR EXISTS (SELECT 1 FROM costs WHERE channel_id = ?1)
                OR EXISTS (SELECT 1 FROM channel_metrics WHERE channel_id = ?1) OR EXISTS (SELECT 1 FROM campaigns WHERE channel_id = ?1)
            """, [.text(id), SQLValue(code)]) == 1
    }
}
