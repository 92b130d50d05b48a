import Foundation

/// The fixture agents folders copied into the test bundle from `Fixtures/`.
enum Fixture {
    /// `Fixtures/<name>/Agents` inside the test bundle.
    static func agentsFolder(_ name: String) throws -> URL {
        guard let root = Bundle.module.url(forResource: "Fixtures", withExtension: nil) else {
            throw CocoaError(.fileNoSuchFile)
        }
        return root.appendingPathComponent(name).appendingPathComponent("Agents")
    }

    /// The repository's own `Agents/` folder, found from this file's path.
    static func repositoryAgentsFolder(filePath: String = #filePath) -> URL {
        URL(fileURLWithPath: filePath)
            .deletingLastPathComponent()  // AgentPacksTests
            .deletingLastPathComponent()  // Tests
            .deletingLastPathComponent()  // repository root
            .appendingPathComponent("Agents")
    }
}
