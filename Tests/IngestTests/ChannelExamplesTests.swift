import Testing
import ChannelKit
import ChannelRegistry
import TestSupport
import ChannelTestKit
@testable import Ingest

/// One generic check of every registered channel plugin: its touch examples and its formats'
/// examples. A new plugin is covered without a new test.
@Suite struct ChannelExamplesTests {
    struct TouchCase: CustomTestStringConvertible, Sendable {
        let channel: String
        let example: TouchExample
        var testDescription: String { "\(channel) \(example.claimed ? "claims" : "ignores") \(example.file.split(separator: "/").last ?? ""):\(example.line)" }
    }

    static let touchCases = ChannelRegistry.all.flatMap { c in c.touchExamples.map { TouchCase(channel: c.id, example: $0) } }

    @Test(arguments: touchCases)
    func touchRulesClaimWhatTheirExamplesSay(_ c: TouchCase) {
        let plugin = ChannelRegistry.channel(id: c.channel)!
        let claimed = plugin.touchRule?.matches(c.example.touch) ?? false
        #expect(claimed == c.example.claimed, "\(c.example.file):\(c.example.line): \(plugin.touchRule.map(String.init(describing:)) ?? "no rule")")
    }

    @Test func everyPluginCarriesTouchExamples() {
        for plugin in ChannelRegistry.all where plugin.touchRule != nil {
            #expect(plugin.touchExamples.contains { $0.claimed } && plugin.touchExamples.contains { !$0.claimed }, "\(plugin.id)")
        }
    }

    struct FormatCase: CustomTestStringConvertible, Sendable {
        let channel: String
        let format: String
        var testDescription: String { "\(channel)/\(format)" }
    }

    static let formatCases = ChannelRegistry.all.flatMap { c in c.formats.map { FormatCase(channel: c.id, format: $0.id) } }

    /// Every format's documented example is recognised as that format and imports without a
    /// reject into a warehouse holding the core leads example (formats such as email
    /// engagement point at known leads). Every row changes something.
    @Test(arguments: formatCases)
    func formatExamplesImportCleanly(_ c: FormatCase) throws {
        let f = try Fixture()
        try f.importText("leads", "leads.csv", CoreFormats.leads.example + "\n")
        let format = ChannelRegistry.channel(id: c.channel)!.format(id: c.format)!
        let result = try f.importer.importFile(source: c.channel, path: f.dir.write("example.csv", format.example + "\n"))
        #expect(result.format.id == c.format)
        #expect(result.rejects.isEmpty, "\(result.rejects)")
        #expect(result.counts.read > 0 && result.counts.inserted + result.counts.updated == result.counts.read)
    }

    @Test(arguments: CoreFormats.sources.map(\.id))
    func coreFormatExamplesImportCleanly(_ source: String) throws {
        let f = try Fixture()
        try f.importText("leads", "seed.csv", CoreFormats.leads.example + "\n")
        let format = try f.importer.source(named: source).formats[0]
        let result = try f.importText(source, "example.csv", format.example + "\n", again: true)
        #expect(result.rejects.isEmpty, "\(result.rejects)")
        #expect(result.counts.read == 1)
    }

    @Test func untaggedTouchesNoChannelClaimsAreDirectOthersOther() {
        let classifier = TouchClassifier(channels: ChannelRegistry.all)
        #expect(classifier.channel(for: RawTouch()) == "direct")
        #expect(classifier.channel(for: RawTouch(landingPage: "https://x.example/?page=2")) == "direct")
        #expect(classifier.channel(for: RawTouch(landingPage: "https://x.example/?gclid=1")) == "paid_search")
        #expect(classifier.channel(for: RawTouch(landingPage: "https://x.example/?yclid=1")) == "other")
        #expect(classifier.channel(for: RawTouch(source: "partner_site", medium: "banner")) == "other")
        #expect(classifier.channel(for: RawTouch(source: "facebook", medium: "paid_social")) == "social")
    }
}
