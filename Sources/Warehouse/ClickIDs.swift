/// Click identifiers in landing-page URLs (`gclid=…`, `fbclid=…`): a value per click, so a URL
/// that carries one is distinct for every touch. The touch store keeps the page without them —
/// one dictionary entry for all the clicks on it — and the parameters themselves, with their
/// values, in a narrow column of their own (`click_ids`). Nothing is lost but their place in
/// the query string: ``split(_:)`` and ``join(page:clickIDs:)`` are inverse up to that.
public enum ClickIDs {
    /// The query parameters taken for click identifiers, lowercase: Google Ads (`gclid`,
    /// `gbraid`, `wbraid`, `gclsrc`), Campaign Manager (`dclid`), Microsoft Advertising
    /// (`msclkid`), Meta (`fbclid`), TikTok (`ttclid`), X (`twclid`), LinkedIn (`li_fat_id`),
    /// Yandex (`yclid`), Pinterest (`epik`), Snapchat (`sccid`), Reddit (`rdt_cid`), Impact (`irclickid`).
    /// Names are compared without regard to case.
    public static let parameters: Set<String> = [
        "gclid", "gbraid", "wbraid", "gclsrc", "dclid", "msclkid", "fbclid", "ttclid", "twclid", "li_fat_id", "yclid", "epik",
        "sccid", "rdt_cid", "irclickid",
    ]

    /// `url` without its click-identifier parameters, and those parameters (`name=value`,
    /// joined by `&`, in their order), or nil when it has none — then `page` is `url` unchanged.
    /// A query left empty loses its `?`; a fragment (`#…`) stays on the page. Works on the
    /// UTF-8 bytes: it runs once per touch imported.
    public static func split(_ url: String) -> (page: String, clickIDs: String?) {
        let bytes = url.utf8
        guard let question = bytes.firstIndex(of: UInt8(ascii: "?")) else { return (url, nil) }
        let queryStart = bytes.index(after: question)
        let hash = bytes[queryStart...].firstIndex(of: UInt8(ascii: "#")) ?? bytes.endIndex
        var kept: [Range<String.Index>] = [], clicks: [Range<String.Index>] = []
        var start = queryStart
        while true {
            let end = bytes[start..<hash].firstIndex(of: UInt8(ascii: "&")) ?? hash
            let nameEnd = bytes[start..<end].firstIndex(of: UInt8(ascii: "=")) ?? end
            if isClickID(bytes[start..<nameEnd]) { clicks.append(start..<end) } else { kept.append(start..<end) }
            guard end < hash else { break }
            start = bytes.index(after: end)
        }
        guard !clicks.isEmpty else { return (url, nil) }
        var page = String(url[..<question])
        if !kept.isEmpty { page += "?" + kept.map { url[$0] }.joined(separator: "&") }
        page += url[hash...]
        return (page, clicks.map { url[$0] }.joined(separator: "&"))
    }

    /// The parameter names, as lowercase bytes, by length.
    private static let namesByLength: [Int: [[UInt8]]] = Dictionary(grouping: parameters.map { Array($0.utf8) }, by: \.count)

    private static func isClickID(_ name: Substring.UTF8View) -> Bool {
        guard let candidates = namesByLength[name.count] else { return false }
        return candidates.contains { candidate in
            zip(candidate, name).allSatisfy { c, b in c == (b >= 65 && b <= 90 ? b + 32 : b) }
        }
    }

    /// A landing page with its click identifiers put back at the end of its query string.
    /// The parameter names of a `click_ids` value, in order (`gclid&fbclid`): what a touch's
    /// channel can depend on, without the visitor's values.
    public static func names(_ clickIDs: String) -> String {
        var out = ""
        for pair in clickIDs.utf8.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: false) {
            if !out.isEmpty { out += "&" }
            let name = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false).first ?? pair[...]
            out += String(decoding: name, as: UTF8.self)
        }
        return out
    }

    public static func join(page: String, clickIDs: String?) -> String {
        guard let clickIDs else { return page }
        let hash = page.firstIndex(of: "#") ?? page.endIndex
        let base = page[..<hash]
        return base + (base.contains("?") ? "&" : "?") + clickIDs + page[hash...]
    }
}
