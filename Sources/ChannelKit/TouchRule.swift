/// A web touch before it is assigned a channel: the UTM tags, the referrer and the landing
/// page of one tracked event. Values are normalised once (lowercased, host and query
/// parameters extracted) so that every plugin's rule reads them cheaply.
public struct RawTouch: Sendable, Equatable {
    public let source: String
    public let medium: String
    public let campaign: String
    /// The referrer's host without `www.` (`m.facebook.com`), or empty.
    public let referrerHost: String
    /// Names of the landing page's query parameters, lowercased, each once, in the order of the
    /// URL (`gclid`, `ref`…). An array: a landing page has a few, and a `Set` per touch was a
    /// tenth of a touch file's parsing.
    public let landingParameters: [String]

    public init(source: String? = nil, medium: String? = nil, campaign: String? = nil, referrer: String? = nil, landingPage: String? = nil) {
        self.source = (source ?? "").trimmingSpaces.lowercased()
        self.medium = (medium ?? "").trimmingSpaces.lowercased()
        self.campaign = (campaign ?? "").trimmingSpaces
        self.referrerHost = RawTouch.host(of: referrer ?? "")
        self.landingParameters = RawTouch.parameterNames(of: landingPage ?? "")
    }

    /// True when the touch carries no UTM source or medium, no referrer and no ad-platform
    /// click id on its landing page: traffic with no known source ("direct").
    public var isUntagged: Bool {
        source.isEmpty && medium.isEmpty && referrerHost.isEmpty && !landingParameters.contains(where: RawTouch.clickIDs.contains)
    }

    /// Click identifiers ad platforms append to landing URLs.
    public static let clickIDs: Set<String> = ["gclid", "gbraid", "wbraid", "dclid", "msclkid", "fbclid", "ttclid", "li_fat_id", "twclid", "yclid"]

    static func host(of url: String) -> String {
        guard !url.isEmpty else { return "" }
        let b = Array(url.utf8)
        var i = 0
        while i < b.count, b[i] == 32 || b[i] == 9 { i += 1 }
        // Skip "scheme://" or a leading "//".
        var j = i
        while j + 2 < b.count, b[j] != UInt8(ascii: "/") {
            if b[j] == UInt8(ascii: ":") && b[j + 1] == UInt8(ascii: "/") && b[j + 2] == UInt8(ascii: "/") { i = j + 3; break }
            j += 1
        }
        if i == 0 && b.count >= 2 && b[0] == UInt8(ascii: "/") && b[1] == UInt8(ascii: "/") { i = 2 }
        var end = i
        var hostStart = i
        while end < b.count {
            let c = b[end]
            if c == UInt8(ascii: "/") || c == UInt8(ascii: "?") || c == UInt8(ascii: "#") || c == UInt8(ascii: ":") || c == 32 { break }
            if c == UInt8(ascii: "@") { hostStart = end + 1 }
            end += 1
        }
        var host = b[hostStart..<end].map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }
        if host.starts(with: Array("www.".utf8)) { host.removeFirst(4) }
        return String(decoding: host, as: UTF8.self)
    }

    static func parameterNames(of url: String) -> [String] {
        if let names = url.utf8.withContiguousStorageIfAvailable(parameterNames(in:)) { return names }
        return Array(url.utf8).withUnsafeBufferPointer(parameterNames(in:))
    }

    /// The names of the query's parameters: in each `&`-separated part after the `?` and before
    /// any `#`, the bytes before its first `=`; ASCII letters lowercased, empty names skipped.
    private static func parameterNames(in b: UnsafeBufferPointer<UInt8>) -> [String] {
        guard let q = b.firstIndex(of: UInt8(ascii: "?")) else { return [] }
        let (amp, eq, hash) = (UInt8(ascii: "&"), UInt8(ascii: "="), UInt8(ascii: "#"))
        var names: [String] = []
        var i = q + 1
        while i < b.count && b[i] != hash {
            let start = i
            while i < b.count && b[i] != eq && b[i] != amp && b[i] != hash { i += 1 }
            let name = UnsafeBufferPointer(rebasing: b[start..<i])
            while i < b.count && b[i] != amp && b[i] != hash { i += 1 }
            if i < b.count && b[i] == amp { i += 1 }
            guard !name.isEmpty else { continue }
            let text = name.contains(where: { $0 >= 65 && $0 <= 90 })
                ? String(decoding: name.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }, as: UTF8.self)
                : String(decoding: name, as: UTF8.self)
            if !names.contains(text) { names.append(text) }
        }
        return names
    }

    /// Whether `host` is `domain` or a subdomain of it (`l.facebook.com` of `facebook.com`),
    /// comparing bytes without building `"." + domain`.
    static func host(_ host: String, isOrIsUnder domain: String) -> Bool {
        let h = host.utf8, d = domain.utf8
        if h.count == d.count { return h.elementsEqual(d) }
        guard h.count > d.count else { return false }
        let cut = h.index(h.endIndex, offsetBy: -d.count)
        return h[h.index(before: cut)] == UInt8(ascii: ".") && h[cut...].elementsEqual(d)
    }

    /// Whether a label of `host` other than its last (`google` in `google.com.vn`, not `vn`) is
    /// one of `names`; empty labels do not count. Walks the bytes instead of splitting.
    static func host(_ host: String, hasLabelBeforeTheLastIn names: [String]) -> Bool {
        let h = host.utf8
        var previous: Range<String.UTF8View.Index>?
        var start = h.startIndex, i = h.startIndex
        while true {
            if i == h.endIndex || h[i] == UInt8(ascii: ".") {
                if start < i {
                    // A label follows `previous`, so `previous` is not the last one.
                    if let previous, names.contains(where: { $0.utf8.elementsEqual(h[previous]) }) { return true }
                    previous = start..<i
                }
                if i == h.endIndex { return false }
                start = h.index(after: i)
            }
            i = h.index(after: i)
        }
    }
}

/// A declarative rule over a ``RawTouch``. Rules are values, so the docs can print them and
/// the tests can check them with examples.
public indirect enum TouchRule: Sendable, CustomStringConvertible {
    /// `utm_source` is one of these (lowercase).
    case source([String])
    /// `utm_medium` is one of these (lowercase).
    case medium([String])
    /// The referrer host is one of these domains or a subdomain of one (`l.facebook.com`
    /// matches `facebook.com`).
    case referrerDomain([String])
    /// The referrer host's first label or any label before the public suffix is one of these
    /// (`google` matches `google.com.vn` and `google.co.uk`).
    case referrerName([String])
    /// The landing page has one of these query parameters (`gclid`).
    case landingParameter([String])
    /// `utm_campaign` is one of these, compared case-insensitively.
    case campaign([String])
    /// The tag starts with one of these (lowercase; a grouping file's `partner_*`).
    case prefix(TouchTag, [String])
    /// `utm_source` and `utm_medium` are both absent.
    case untagged
    /// `utm_medium` is absent.
    case noMedium
    case all([TouchRule])
    case any([TouchRule])
    case not(TouchRule)

    public func matches(_ t: RawTouch) -> Bool {
        switch self {
        case .source(let values): return !t.source.isEmpty && values.contains(t.source)
        case .medium(let values): return !t.medium.isEmpty && values.contains(t.medium)
        case .referrerDomain(let domains):
            let host = t.referrerHost
            return !host.isEmpty && domains.contains { RawTouch.host(host, isOrIsUnder: $0) }
        case .referrerName(let names):
            return RawTouch.host(t.referrerHost, hasLabelBeforeTheLastIn: names)
        case .landingParameter(let names): return names.contains { t.landingParameters.contains($0) }
        case .campaign(let values):
            let campaign = t.campaign.lowercased()
            return !campaign.isEmpty && values.contains { $0.lowercased() == campaign }
        case .prefix(let tag, let prefixes):
            let value = tag.value(of: t)
            return !value.isEmpty && prefixes.contains { value.hasPrefix($0) }
        case .untagged: return t.source.isEmpty && t.medium.isEmpty
        case .noMedium: return t.medium.isEmpty
        case .all(let rules): return rules.allSatisfy { $0.matches(t) }
        case .any(let rules): return rules.contains { $0.matches(t) }
        case .not(let rule): return !rule.matches(t)
        }
    }

    public var description: String {
        func list(_ values: [String]) -> String { values.joined(separator: "|") }
        switch self {
        case .source(let v): return "utm_source=\(list(v))"
        case .medium(let v): return "utm_medium=\(list(v))"
        case .referrerDomain(let v): return "referrer in \(list(v))"
        case .referrerName(let v): return "referrer named \(list(v))"
        case .landingParameter(let v): return "landing page has ?\(list(v))"
        case .campaign(let v): return "utm_campaign=\(list(v))"
        case .prefix(let tag, let v): return "utm_\(tag.rawValue)=\(v.map { $0 + "*" }.joined(separator: "|"))"
        case .untagged: return "no utm_source/utm_medium"
        case .noMedium: return "no utm_medium"
        case .all(let rules): return "(" + rules.map(\.description).joined(separator: " and ") + ")"
        case .any(let rules): return "(" + rules.map(\.description).joined(separator: " or ") + ")"
        case .not(let rule): return "not \(rule)"
        }
    }
}

/// A UTM tag of a raw touch, for ``TouchRule/prefix(_:_:)``.
public enum TouchTag: String, Sendable, CaseIterable {
    case source, medium, campaign

    func value(of t: RawTouch) -> String {
        switch self {
        case .source: return t.source
        case .medium: return t.medium
        case .campaign: return t.campaign.lowercased()
        }
    }
}

/// A touch a channel's rule must (or must not) claim, with where the example was written so
/// that a failing check points at it.
public struct TouchExample: Sendable {
    public let touch: RawTouch
    public let claimed: Bool
    public let file: String
    public let line: Int

    public static func claims(_ touch: RawTouch, file: String = #filePath, line: Int = #line) -> TouchExample {
        TouchExample(touch: touch, claimed: true, file: file, line: line)
    }

    public static func ignores(_ touch: RawTouch, file: String = #filePath, line: Int = #line) -> TouchExample {
        TouchExample(touch: touch, claimed: false, file: file, line: line)
    }
}
