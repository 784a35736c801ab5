import ArgumentParser
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ChannelRegistry
import Warehouse

extension LeadLedger {
    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create the warehouse, or upgrade it to this version's schema."
        )

        @OptionGroup var warehouse: WarehouseOptions

        func run() throws {
            let w = try warehouse.open(creating: true)
            let migrations = try w.appliedMigrations()
            print("Warehouse \(w.path) is ready: \(migrations.count) migrations applied (latest: \(migrations.last ?? "none")).")
            print("Channels: \(ChannelRegistry.all.map(\.id).joined(separator: ", ")).")
        }
    }
}
