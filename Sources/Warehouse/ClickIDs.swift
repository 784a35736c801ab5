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
    /// A query left empty loses its `?`; a fragment (`#…`) stays on the page.
    public static func split(_ url: String) -> (page: String, clickIDs: String?) {
        guard let question = url.firstIndex(of: "?") else { return (url, nil) }
        let afterQuery = url[url.index(after: question)...]
        let hash = afterQuery.firstIndex(of: "#") ?? url.endIndex
        let query = url[url.index(after: question)..<hash]
        var kept: [Substring] = [], clicks: [Substring] = []
        for parameter in query.split(separator: "&", omittingEmptySubsequences: false) {
            let name = parameter.prefix { $0 != "=" }
            if !name.isEmpty, parameters.contains(name.lowercased()) { clicks.append(parameter) } else { kept.append(parameter) }
        }
        guard !clicks.isEmpty else { return (url, nil) }
        var page = String(url[..<question])
        if !kept.isEmpty { page += "?" + kept.joined(separator: "&") }
        page += url[hash...]
        return (page, clicks.joined(separator: "&"))
    }

    /// A landing page with its click identifiers put back at the end of its query string.
    public static func join(page: String, clickIDs: String?) -> String {
        guard let clickIDs else { return page }
        let hash = page.firstIndex(of: "#") ?? page.endIndex
        let base = page[..<hash]
        return base + (base.contains("?") ? "&" : "?") + clickIDs + page[hash...]
    }
}
