// swift-tools-version: 6.1
// Bench-only peer: a minimal Hummingbird WebSocket relay (issue 3). Not part of the product;
// built on its own with
//   swift build -c release --package-path bench/relay --scratch-path .build-relay
import PackageDescription

let package = Package(
    name: "relay",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
    ],
    targets: [
        .executableTarget(
            name: "relay",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
            ]
        )
    ]
)
