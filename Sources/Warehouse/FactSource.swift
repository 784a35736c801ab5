/// Where a cost or channel metric came from: the export format and the ad account or ledger
/// it belongs to (`google-ads-campaigns:123-456-7890`, `costs:agency-fees`). Part of the
/// facts' natural key, so that two sources of the same channel, campaign and day are both
/// kept, and a later file of the same source restates its own (``FactWriter``).
public struct FactSource: Sendable, Hashable {
    /// As stored in `source_key`: the format id, then `:` and the account when there is one.
    public let key: String

    public init(format: String, account: String?) {
        key = account.map { format + ":" + $0 } ?? format
    }

    /// A source known by its stored key (a snapshot's rows).
    public init(storedKey: String) { key = storedKey }
}
