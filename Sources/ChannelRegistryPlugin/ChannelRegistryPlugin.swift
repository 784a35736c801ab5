import PackagePlugin

/// SwiftPM build-tool plugin: writes `BuiltInChannels.swift` for the `ChannelRegistry` target
/// from the target's dependencies whose names end in `Channel` (one per entry of `channels`
/// in Package.swift). Kept thin: the file is written by `ChannelRegistryCodegen`.
@main
struct ChannelRegistryPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let modules = target.dependencies.compactMap { dependency -> String? in
            guard case .target(let t) = dependency, t.name.hasSuffix("Channel") else { return nil }
            return t.name
        }.sorted()
        let output = context.pluginWorkDirectoryURL.appending(path: "BuiltInChannels.swift")
        return [
            .buildCommand(
                displayName: "Generating the channel registry (\(modules.joined(separator: ", ")))",
                executable: try context.tool(named: "ChannelRegistryCodegen").url,
                arguments: [output.path] + modules,
                inputFiles: [],
                outputFiles: [output]
            )
        ]
    }
}
