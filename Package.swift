// swift-tools-version:6.1
import PackageDescription

let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "DialogueServer",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "dialogue-server", targets: ["dialogue-server"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    ],
    targets: [
        // C library behind a thin module that only Transport imports.
        .systemLibrary(
            name: "CLibWebSockets",
            pkgConfig: "libwebsockets",
            providers: [.apt(["libwebsockets-dev"])]
        ),
        // libwebsockets context, service thread, connections, HTTP plumbing.
        .target(
            name: "Transport",
            dependencies: ["CLibWebSockets", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        // The protocol, roles, events and canonical JSON: no I/O.
        .target(name: "Dialogue", swiftSettings: strict),
        // The transcript hash chain, event salts and redaction of committed members: what both
        // the stores (which extend the chain) and the transcripts (which verify it) need.
        .target(
            name: "HashChain",
            dependencies: ["Dialogue", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),
        // SQLite event store, migrations, staff and invites; extends the hash chain.
        .target(
            name: "Store",
            dependencies: [
                "Dialogue", "HashChain",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // PostgreSQL event store for several nodes: the same store protocol as SQLite, with
        // LISTEN/NOTIFY between nodes. Only this module imports PostgresNIO.
        .target(
            name: "PostgresStore",
            dependencies: [
                "Store", "Dialogue", "HashChain",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // Transcript documents (json, md, html) and their offline verification.
        .target(
            name: "Transcripts",
            dependencies: ["Dialogue", "HashChain", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),
        // Agent packs: loading and validating Agents/<id>/.
        .target(name: "AgentPacks", dependencies: ["Dialogue", "Glossary"], swiftSettings: strict),
        // The translation glossary: TSV files, Unicode folding, the term matcher. No I/O.
        // Optimised in debug builds too: every message with text runs through the matcher,
        // and unoptimised it is tens of times slower (the test suite runs debug builds).
        .target(
            name: "Glossary",
            swiftSettings: strict + [.unsafeFlags(["-O"], .when(configuration: .debug))]),
        // Retrieval: passages of the agent packs' documents in SQLite FTS5, cross-lingual search.
        .target(
            name: "Retrieval",
            dependencies: [
                "AgentPacks", "Glossary", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict),
        // Meetings in time, with no I/O: schedules and their time zones, the iCalendar files of
        // invitations (RFC 5545), reminders due, dates written in the reader's language.
        .target(name: "Scheduling", dependencies: ["Dialogue"], swiftSettings: strict),
        // Mail: addresses, MIME messages, and the transports that carry them (a Maildir, a
        // sendmail-compatible program, SMTP with STARTTLS). Only this module speaks SMTP.
        .target(
            name: "Mail",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"), .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        // The mails of a meeting (invitation, update, cancellation, reminder) in the investor's
        // language, with their calendar part: composed, not sent (no I/O).
        .target(name: "MeetingMail", dependencies: ["Dialogue", "Mail", "Scheduling"], swiftSettings: strict),
        // The hub's decisions as a state machine with no I/O (docs/architecture.md): sessions
        // in memory, readers, acks owed, catch-up, presence, recovery. The hub drives it.
        .target(name: "HubCore", dependencies: ["Dialogue"], swiftSettings: strict),
        // Uploaded files made into pack documents: type by content, zip bombs, and the real
        // converters (pdftotext, pandoc) run as separate, limited processes.
        .target(name: "DocumentIntake", swiftSettings: strict),
        // Wiring: configuration, the dialogue hub, HTTP API, web assets.
        .target(
            name: "DialogueServer",
            dependencies: [
                "Transport", "Dialogue", "HubCore", "Store", "PostgresStore", "Transcripts", "AgentPacks", "Glossary",
                "Retrieval", "ServerMetrics", "Scheduling", "Mail", "MeetingMail", "DocumentIntake",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
            ],
            resources: [.copy("Web")],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "dialogue-server",
            dependencies: [
                "DialogueServer", "Glossary", "Retrieval", "AgentPacks", "Store", "PostgresStore", "Mail", "Scheduling",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // The counters behind /metrics: swift-metrics handles over swift-prometheus's registry.
        // Its own module so that its micro-benchmark builds in release without the server.
        .target(
            name: "ServerMetrics",
            dependencies: [
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strict),
        // Bench only (make bench-metrics): the metrics' cost per call on the delivery path,
        // swift-metrics against the former hand-formatted counters. Not in the product.
        .executableTarget(
            name: "metrics-bench",
            dependencies: [
                "ServerMetrics", .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            path: "bench/metrics", swiftSettings: strict),
        // Bench only (make bench): the glossary matcher at 10,000 concepts. Not in the product.
        .executableTarget(
            name: "glossary-bench", dependencies: ["Glossary", "Dialogue"], path: "bench/glossary", swiftSettings: strict),
        // Bench only: the hub core's cost per delivered event, without I/O. Not in the product.
        .executableTarget(name: "hubcore-bench", dependencies: ["HubCore", "Dialogue"], path: "bench/hubcore", swiftSettings: strict),
        // Bench only (make bench-retrieval): 100,000 synthetic passages in SearchIndex. Not in the product.
        .executableTarget(
            name: "retrieval-bench", dependencies: ["Retrieval", "AgentPacks", "Glossary", "Dialogue"], path: "bench/retrieval",
            exclude: ["tantivy_anchor.py", "run.sh"], swiftSettings: strict),
        // Fuzzing (docs/fuzzing.md): libFuzzer targets built by `make fuzz` with -DFUZZING
        // -sanitize=fuzzer; a normal build replays their committed corpus and crash
        // reproducers instead (`make fuzz-replay`, part of `make test`).
        .systemLibrary(name: "CLibFuzzer", path: "Tests/fuzz/CLibFuzzer"),
        .target(name: "FuzzSupport", dependencies: ["CLibFuzzer"], path: "Tests/fuzz/FuzzSupport", swiftSettings: strict),
        .executableTarget(
            name: "fuzz-frame", dependencies: ["Dialogue", "FuzzSupport"], path: "Tests/fuzz/frame",
            exclude: ["corpus", "regressions", "frame.dict"], swiftSettings: strict),
        .executableTarget(
            name: "fuzz-glossary", dependencies: ["Glossary", "FuzzSupport"], path: "Tests/fuzz/glossary",
            exclude: ["corpus", "regressions", "glossary.dict"], swiftSettings: strict),
        .executableTarget(
            name: "fuzz-phrasebook", dependencies: ["AgentPacks", "FuzzSupport"], path: "Tests/fuzz/phrasebook",
            exclude: ["corpus", "regressions", "phrasebook.dict"], swiftSettings: strict),
        .executableTarget(
            name: "fuzz-http",
            dependencies: [
                "DialogueServer", "Dialogue", "Transport", "FuzzSupport", .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/fuzz/http", exclude: ["corpus", "regressions", "http.dict"], swiftSettings: strict),
        .testTarget(name: "DialogueTests", dependencies: ["Dialogue"], swiftSettings: strict),
        .testTarget(name: "HubCoreTests", dependencies: ["HubCore", "Dialogue"], swiftSettings: strict),
        .testTarget(name: "StoreTests", dependencies: ["Store", "Dialogue", "HashChain"], swiftSettings: strict),
        // One suite, two stores: the store protocol's contract on SQLite and on PostgreSQL.
        .testTarget(
            name: "StoreContractTests",
            dependencies: [
                "Store", "PostgresStore", "Dialogue", "HashChain", .product(name: "Logging", package: "swift-log"),
                // Only to damage rows behind the stores' backs.
                .product(name: "GRDB", package: "GRDB.swift"), .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: strict),
        .testTarget(
            name: "TranscriptsTests", dependencies: ["Transcripts", "Dialogue"],
            swiftSettings: strict),
        .testTarget(name: "GlossaryTests", dependencies: ["Glossary"], swiftSettings: strict),
        .testTarget(
            name: "RetrievalTests", dependencies: ["Retrieval", "AgentPacks", "Glossary"],
            resources: [.copy("Fixtures")], swiftSettings: strict),
        .testTarget(name: "TransportTests", dependencies: ["Transport"], swiftSettings: strict),
        .testTarget(
            name: "DialogueServerTests",
            dependencies: [
                "DialogueServer", "Dialogue", "Store", "Glossary", "Retrieval", "AgentPacks", "Transcripts",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.copy("Fixtures")], swiftSettings: strict),
        .testTarget(name: "SchedulingTests", dependencies: ["Scheduling", "Dialogue"], swiftSettings: strict),
        .testTarget(name: "DocumentIntakeTests", dependencies: ["DocumentIntake"], swiftSettings: strict),
        .testTarget(name: "MailTests", dependencies: ["Mail"], swiftSettings: strict),
        .testTarget(
            name: "MeetingMailTests", dependencies: ["MeetingMail", "Mail", "Scheduling", "Dialogue"], swiftSettings: strict),
        .testTarget(name: "ServerMetricsTests", dependencies: ["ServerMetrics"], swiftSettings: strict),
        .testTarget(
            name: "AgentPacksTests", dependencies: ["AgentPacks"],
            resources: [.copy("Fixtures")], swiftSettings: strict),
    ]
)
