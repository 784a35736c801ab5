/// # ChannelRegistry — the channels compiled into this build
///
/// The list is generated at build time (`BuiltInChannels.swift`, written by the
/// `ChannelRegistryPlugin` SwiftPM plugin) from the `channels` array in Package.swift: one
/// entry `X` means a target `XChannel` at `Plugins/X` exporting `XChannelPlugin`. Nothing
/// here is edited by hand when a channel is added.
import ChannelKit

public enum ChannelRegistry {
    /// Every registered channel plugin, sorted by id.
    public static let all: [any ChannelPlugin] = builtInChannels.map(\.plugin).sorted { $0.id < $1.id }

    /// The Swift modules that provided the plugins (`SocialChannel`, …), sorted.
    public static let modules: [String] = builtInChannels.map(\.module).sorted()

    public static func channel(id: String) -> (any ChannelPlugin)? {
        all.first { $0.id == id }
    }
}
