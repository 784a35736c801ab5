import Foundation
import Testing
import ChannelKit
import ChannelRegistry
import TestSupport

/// The registry can never drift from the package: every folder in Plugins/ is declared in
/// Package.swift's `channels`, every declared channel is compiled into the registry, and
/// nothing else is.
@Suite struct ChannelRegistryTests {
    /// The `channels` list as Package.swift declares it.
    static func declaredChannels() throws -> [String] {
        let manifest = try String(contentsOfFile: packageRoot() + "/Package.swift", encoding: .utf8)
        let line = try #require(manifest.split(separator: "\n").first { $0.hasPrefix("let channels = [") })
        return line.split(separator: "[")[1].split(separator: "]")[0].split(separator: ",").map {
            $0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
    }

    @Test func registryListsExactlyTheDeclaredChannels() throws {
        let declared = try Self.declaredChannels()
        #expect(!declared.isEmpty)
        #expect(ChannelRegistry.modules == declared.map { "\($0)Channel" }.sorted())
        #expect(ChannelRegistry.all.count == declared.count)
    }

    @Test func everyPluginFolderIsDeclared() throws {
        let folders = try FileManager.default.contentsOfDirectory(atPath: packageRoot() + "/Plugins").filter { !$0.hasPrefix(".") }
        #expect(folders.sorted() == (try Self.declaredChannels()).sorted())
    }

    @Test func pluginsAreWellFormed() {
        let ids = ChannelRegistry.all.map(\.id)
        #expect(Set(ids).count == ids.count)
        for plugin in ChannelRegistry.all {
            #expect(plugin.id.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "_" || $0 == "-" }, "\(plugin.id)")
            #expect(!["direct", "other", "leads", "touches", "conversions", "total"].contains(plugin.id), "\(plugin.id) is reserved")
            #expect(Set(plugin.metrics.map(\.id)).count == plugin.metrics.count, "\(plugin.id): duplicate metric ids")
            #expect(Set(plugin.formats.map(\.id)).count == plugin.formats.count, "\(plugin.id): duplicate format ids")
            let ids = Set(plugin.metrics.map(\.id))
            for metric in plugin.metrics {
                switch metric.aggregation {
                case .ratio(let n, let d):
                    #expect(ids.contains(n) && ids.contains(d) && n != metric.id && d != metric.id, "\(plugin.id).\(metric.id) derives from undefined metrics")
                case .weightedAverage(let w):
                    #expect(plugin.metrics.contains { $0.id == w && $0.aggregation == .sum }, "\(plugin.id).\(metric.id) weights by an undefined metric")
                case .costPer(let m):
                    #expect(ids.contains(m) && m != metric.id, "\(plugin.id).\(metric.id) divides by an undefined metric")
                case .sum, .leadsTouched:
                    break
                }
            }
        }
    }

    /// Plugins depend on the plugin API only: no plugin source imports the warehouse or another plugin.
    @Test func pluginsImportOnlyTheirAPI() throws {
        let root = packageRoot() + "/Plugins"
        let forbidden = ["Warehouse", "Ingest", "Reports", "CSQLite", "ChannelRegistry"] + ChannelRegistry.modules
        for folder in try FileManager.default.contentsOfDirectory(atPath: root) {
            let files = FileManager.default.enumerator(atPath: root + "/" + folder)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") } ?? []
            for file in files {
                let text = try String(contentsOfFile: root + "/" + folder + "/" + file, encoding: .utf8)
                for module in forbidden where text.contains("import \(module)\n") && module != "\(folder)Channel" {
                    Issue.record("Plugins/\(folder)/\(file) imports \(module)")
                }
            }
        }
    }
}
