// Writes the Swift source that lists the built-in channel plugins.
// Usage: ChannelRegistryCodegen OUTPUT MODULE...
// Each MODULE (e.g. SocialChannel) must export a `<MODULE>Plugin` type (SocialChannelPlugin)
// with an `init()`.
import Foundation

let arguments = CommandLine.arguments.dropFirst()
guard let output = arguments.first else {
    FileHandle.standardError.write(Data("usage: ChannelRegistryCodegen OUTPUT MODULE...\n".utf8))
    exit(64)
}
let modules = arguments.dropFirst().sorted()
var source = """
    // GENERATED FILE. DO NOT EDIT!
    // Written at build time by ChannelRegistryPlugin from the `channels` list in Package.swift.
    import ChannelKit

    """
for module in modules { source += "import \(module)\n" }
source += "\n/// Every channel plugin compiled into this build, with the module that provides it.\n"
source += "let builtInChannels: [(module: String, plugin: any ChannelPlugin)] = [\n"
for module in modules { source += "    (\"\(module)\", \(module)Plugin()),\n" }
source += "]\n"

let data = Data(source.utf8)
if (try? Data(contentsOf: URL(fileURLWithPath: output))) != data {
    do {
        try data.write(to: URL(fileURLWithPath: output), options: .atomic)
    } catch {
        FileHandle.standardError.write(Data("ChannelRegistryCodegen: cannot write \(output): \(error)\n".utf8))
        exit(1)
    }
}
