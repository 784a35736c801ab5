import ChannelKit

/// The campaigns of an import: each one's id, created on first sight, cached by channel and
/// name as written (so that the key is normalised once per name).
public final class CampaignDirectory {
    private let db: Database
    private var idsByKey: [String: Int64] = [:]
    private var idsByName: [String: [String: Int64?]] = [:]
    private let findID: Statement

    init(_ db: Database) throws {
        self.db = db
        findID = try db.prepare("SELECT id FROM campaigns WHERE channel_id = ? AND key = ?")
    }

    /// The id of the campaign `ref` in `channel` (nil for a name with no letter or digit).
    public func id(channel: String, campaign ref: CampaignRef) throws -> Int64? {
        if let id = idsByName[channel]?[ref.name] { return id }
        let id = try id(channel: channel, key: ref.key, name: ref.name, externalID: ref.externalID)
        idsByName[channel, default: [:]][ref.name] = id
        return id
    }

    /// The id of the campaign with `key` in `channel`, as a snapshot names it: created with this
    /// name if new; an external id fills one the campaign lacks.
    public func id(channel: String, key: String, name: String, externalID: String?) throws -> Int64? {
        guard !key.isEmpty else { return nil }
        let cacheKey = channel + "\u{1F}" + key
        if let id = idsByKey[cacheKey] { return id }
        try db.run("""
            INSERT INTO campaigns (channel_id, key, name, external_id) VALUES (?, ?, ?, ?)
            ON CONFLICT (channel_id, key) DO UPDATE SET external_id = coalesce(campaigns.external_id, excluded.external_id)
            """, [.text(channel), .text(key), .text(name), SQLValue(externalID)])
        findID.reset()
        defer { findID.reset() }
        try findID.bind(channel, at: 1)
        try findID.bind(key, at: 2)
        guard try findID.step() else { throw WarehouseError.constraint(message: "campaign \(key) of \(channel) was not written") }
        let id = findID.int(0)
        idsByKey[cacheKey] = id
        return id
    }
}
