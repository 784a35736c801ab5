import ChannelKit
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Packs one lead's touches and conversions (see ``LeadJourneys``).
struct JourneyPacker {
    private(set) var touches: [UInt8] = []
    private(set) var conversions: [UInt8] = []
    private var lastAt: Int64 = 0
    private var lastChannel: [UInt8] = []
    private var lastCampaignCode: UInt64 = 0
    private var lastConversionAt: Int64 = 0

    mutating func reset() {
        touches.removeAll(keepingCapacity: true)
        conversions.removeAll(keepingCapacity: true)
        lastAt = 0
        lastChannel.removeAll(keepingCapacity: true)
        lastCampaignCode = 0
        lastConversionAt = 0
    }

    mutating func addTouch(at: Int64, kind: Int, channel: UnsafeBufferPointer<UInt8>, campaignID: Int64?) {
        let campaignCode = campaignID.map { UInt64($0) + 1 } ?? 0
        let newChannel = !channel.elementsEqual(lastChannel)
        let newCampaign = campaignCode != lastCampaignCode
        touches.append(UInt8(kind) | (newChannel ? 0x20 : 0) | (newCampaign ? 0x40 : 0))
        Varint.appendSigned(at &- lastAt, to: &touches)
        lastAt = at
        if newChannel {
            Varint.append(UInt64(channel.count), to: &touches)
            touches.append(contentsOf: channel)
            lastChannel.removeAll(keepingCapacity: true)
            lastChannel.append(contentsOf: channel)
        }
        if newCampaign {
            Varint.append(campaignCode, to: &touches)
            lastCampaignCode = campaignCode
        }
    }

    mutating func addConversion(at: Int64, revenueMinor: Int64, currency: UnsafeBufferPointer<UInt8>) {
        Varint.appendSigned(at &- lastConversionAt, to: &conversions)
        lastConversionAt = at
        Varint.append(UInt64(max(0, revenueMinor)), to: &conversions)
        for i in 0..<3 { conversions.append(i < currency.count ? currency[i] : 0x20) }
    }
}

/// The touches of one ``LeadJourneys`` row, decoded one at a time:
/// `while touches.next() { … touches.at … }`. A malformed blob ends the walk early.
public struct PackedTouches {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var offset = 0
    /// The current touch's time (seconds since the epoch), kind code (index in ``LeadJourneys/kinds``),
    /// channel id (UTF-8) and campaign id.
    public private(set) var at: Int64 = 0
    public private(set) var kind = 0
    public private(set) var channel = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
    public private(set) var campaignID: Int64?
    /// Whether the channel, and the campaign, differ from the previous touch's (the channel always does for the first).
    public private(set) var channelChanged = false
    public private(set) var campaignChanged = false

    /// The touches packed in `bytes` (a `touches` column of `lead_journeys`).
    public init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    public mutating func next() -> Bool {
        guard offset < bytes.count else { return false }
        let header = bytes[offset]
        offset += 1
        kind = Int(header & 0x1F)
        guard let delta = Varint.readSigned(bytes, &offset) else { return end() }
        at &+= delta
        channelChanged = header & 0x20 != 0
        campaignChanged = header & 0x40 != 0
        if channelChanged {
            guard let length = Varint.read(bytes, &offset), length <= UInt64(bytes.count - offset) else { return end() }
            channel = UnsafeBufferPointer(rebasing: bytes[offset..<offset + Int(length)])
            offset += Int(length)
        }
        if campaignChanged {
            guard let code = Varint.read(bytes, &offset) else { return end() }
            campaignID = code == 0 ? nil : Int64(truncatingIfNeeded: code - 1)
        }
        return true
    }

    private mutating func end() -> Bool {
        offset = bytes.count
        return false
    }
}

/// The conversions of one ``LeadJourneys`` row, decoded one at a time like ``PackedTouches``.
public struct PackedConversions {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var offset = 0
    public private(set) var at: Int64 = 0
    public private(set) var revenueMinor: Int64 = 0
    /// The ISO 4217 code's 3 bytes.
    public private(set) var currency = UnsafeBufferPointer<UInt8>(start: nil, count: 0)

    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    public mutating func next() -> Bool {
        guard offset < bytes.count, let delta = Varint.readSigned(bytes, &offset), let revenue = Varint.read(bytes, &offset),
              bytes.count - offset >= 3 else {
            offset = bytes.count
            return false
        }
        at &+= delta
        revenueMinor = Int64(truncatingIfNeeded: revenue)
        currency = UnsafeBufferPointer(rebasing: bytes[offset..<offset + 3])
        offset += 3
        return true
    }
}

/// LEB128 varints; signed values zigzag-encoded (small magnitudes, either sign, stay short).
enum Varint {
    @inline(__always)
    static func append(_ value: UInt64, to bytes: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    @inline(__always)
    static func appendSigned(_ value: Int64, to bytes: inout [UInt8]) {
        append(UInt64(bitPattern: (value << 1) ^ (value >> 63)), to: &bytes)
    }

    @inline(__always)
    static func read(_ bytes: UnsafeBufferPointer<UInt8>, _ offset: inout Int) -> UInt64? {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while offset < bytes.count && shift < 64 {
            let b = bytes[offset]
            offset += 1
            value |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return value }
            shift += 7
        }
        return nil
    }

    @inline(__always)
    static func readSigned(_ bytes: UnsafeBufferPointer<UInt8>, _ offset: inout Int) -> Int64? {
        guard let z = read(bytes, &offset) else { return nil }
        return Int64(bitPattern: z >> 1) ^ -Int64(bitPattern: z & 1)
    }
}

/// Byte strings compared without making Strings.
public enum Bytes {
    @inline(__always)
    public static func equal(_ a: UnsafeBufferPointer<UInt8>, _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        guard let p = a.baseAddress, a.count > 0 else { return true }
        return b.withUnsafeBufferPointer { memcmp(p, $0.baseAddress!, a.count) == 0 }
    }
}
