import AgentPacks
import ArgumentParser
import Retrieval
import Dialogue
import Foundation
import Store

/// `staff add|revoke|list`: manages officer, reviewer and interpreter accounts.
struct Staff: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage staff accounts.", subcommands: [Add.self, Revoke.self, List.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an account (or a new token for it); prints the token once.")
        @Option(help: "Unique account name.") var name: String
        @Option(help: "officer, reviewer or interpreter.") var role: String
        @OptionGroup var data: DataOptions
        @OptionGroup var shared: StoreOptions

        func run() async throws {
            guard let role = Role(rawValue: role), role.isStaff else {
                fail("--role must be officer, reviewer or interpreter", code: 2)
            }
            do {
                let store = try await shared.open(data: data)
                defer { store.close() }
                printLine(try await store.addStaff(name: name, role: role).token)
            } catch { fail("\(error)") }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke every token of an account at once.")
        @Argument(help: "Account name.") var name: String
        @OptionGroup var data: DataOptions
        @OptionGroup var shared: StoreOptions

        func run() async throws {
            do {
                let store = try await shared.open(data: data)
                defer { store.close() }
                guard try await store.revokeStaff(name: name) else { fail("no staff account named \(name)", code: 2) }
                printLine("revoked: \(name)")
            } catch { fail("\(error)") }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List accounts.")
        @OptionGroup var data: DataOptions
        @OptionGroup var shared: StoreOptions

        func run() async throws {
            do {
                let store = try await shared.open(data: data)
                defer { store.close() }
                for account in try await store.staffAccounts() {
                    printLine(
                        "\(account.name)\t\(account.role.rawValue)\t\(account.id)\tactive tokens: \(account.activeTokens)\tcreated \(account.createdAt)"
                    )
                }
            } catch { fail("\(error)") }
        }
    }
}

/// `index`: the retrieval index arrives with the retrieval issue.
struct Index: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "(Re)build the retrieval index from the agent packs.")
    @Option(help: "Folder of agent packs.") var agents = "Agents"
    @OptionGroup var data: DataOptions

    func run() throws {
        let catalog: AgentCatalog
        do {
            catalog = try AgentCatalog(folder: URL(fileURLWithPath: agents, isDirectory: true))
        } catch { fail("\(error)") }
        do {
            try FileManager.default.createDirectory(atPath: data.data, withIntermediateDirectories: true)
            let index = try SearchIndex(path: (data.data as NSString).appendingPathComponent(SearchIndex.fileName))
            try index.removePacks(except: Set(catalog.ids))
            for pack in catalog.packs {
                let start = Date()
                let count = try index.index(pack)
                printLine(
                    "\(pack.id): \(pack.documents.count) documents, \(count) passages in \(String(format: "%.2f", Date().timeIntervalSince(start))) s"
                )
            }
        } catch { fail("\(error)") }
    }
}

/// `backup DEST`: a consistent copy of the database, safe while the server runs.
struct Backup: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Copy the database consistently while the server runs.")
    @Argument(help: "Destination file (must not exist).") var destination: String
    @OptionGroup var data: DataOptions

    func run() throws {
        do {
            let store = try SQLiteStore(dataDirectory: data.data)
            try store.backup(to: destination)
            printLine("backup: \(destination)")
        } catch { fail("\(error)") }
    }
}
