import Testing

@testable import Transport

/// The client address behind forwarding headers: believed only from trusted proxies, and
/// then only up to the rightmost hop that is not itself a trusted proxy.
@Suite struct ClientAddressTests {
    let proxies = ClientAddressResolver(trustedProxies: ["10.0.0.0/8", "127.0.0.1", "fd00::/8"].compactMap(CIDR.init))
    var rfc7239: ClientAddressResolver {
        ClientAddressResolver(trustedProxies: proxies.trustedProxies, header: .forwarded)
    }

    @Test func addressesParseStrictly() {
        #expect(IPAddress("192.0.2.1")?.description == "192.0.2.1")
        #expect(IPAddress("2001:DB8::1")?.description == "2001:db8::1")
        #expect(IPAddress("::ffff:192.0.2.1")?.description == "192.0.2.1")
        for bad in ["", "192.0.2", "192.0.2.1.5", "example.com", "1.2.3.4:80", "[::1]", "fe80::1%eth0", " 1.2.3.4"] {
            #expect(IPAddress(bad) == nil, "\(bad)")
        }
        #expect(IPAddress("127.0.0.9")!.isLoopback && IPAddress("::1")!.isLoopback)
        #expect(!IPAddress("128.0.0.1")!.isLoopback)
    }

    @Test func blocksContainTheirAddressesOnly() {
        let v4 = CIDR("10.1.0.0/16")!
        #expect(v4.contains(IPAddress("10.1.255.3")!) && !v4.contains(IPAddress("10.2.0.1")!))
        #expect(CIDR("10.1.2.3/8")!.description == "10.0.0.0/8")
        #expect(CIDR("0.0.0.0/0")!.contains(IPAddress("8.8.8.8")!))
        #expect(!CIDR("0.0.0.0/0")!.contains(IPAddress("2001:db8::1")!))
        #expect(CIDR("2001:db8::/32")!.contains(IPAddress("2001:db8:ffff::1")!))
        #expect(CIDR("::ffff:10.0.0.0/104")!.contains(IPAddress("10.9.9.9")!))
        #expect(CIDR("192.0.2.7")!.contains(IPAddress("192.0.2.7")!) && !CIDR("192.0.2.7")!.contains(IPAddress("192.0.2.8")!))
        for bad in ["10.0.0.0/33", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/8/8", "2001:db8::/129", "host/8", "10.0.0.0/ 8"] {
            #expect(CIDR(bad) == nil, "\(bad)")
        }
    }

    @Test func anUntrustedPeerIsItsOwnClientWhateverItSays() {
        let none = ClientAddressResolver()
        #expect(none.clientAddress(peer: "203.0.113.9", forwarded: "for=127.0.0.1", forwardedFor: "127.0.0.1") == "203.0.113.9")
        #expect(proxies.clientAddress(peer: "203.0.113.9", forwarded: nil, forwardedFor: "10.0.0.1") == "203.0.113.9")
        // A proxy on loopback that is not configured as trusted does not make its clients loopback.
        #expect(none.clientAddress(peer: "127.0.0.1", forwarded: nil, forwardedFor: "198.51.100.4") == "127.0.0.1")
    }

    @Test func aTrustedPeerNamesTheRightmostUntrustedHop() {
        #expect(proxies.clientAddress(peer: "127.0.0.1", forwarded: nil, forwardedFor: "198.51.100.4") == "198.51.100.4")
        // The client wrote the left part itself: a spoofed loopback address stays ignored.
        #expect(
            proxies.clientAddress(peer: "127.0.0.1", forwarded: nil, forwardedFor: "127.0.0.1, 198.51.100.4")
                == "198.51.100.4")
        #expect(
            proxies.clientAddress(peer: "10.0.0.2", forwarded: nil, forwardedFor: "1.1.1.1, 198.51.100.4, 10.0.0.7")
                == "198.51.100.4")
        // Every hop a trusted proxy: the leftmost is the client.
        #expect(proxies.clientAddress(peer: "10.0.0.2", forwarded: nil, forwardedFor: "10.0.0.9, 10.0.0.7") == "10.0.0.9")
        #expect(proxies.clientAddress(peer: "127.0.0.1", forwarded: nil, forwardedFor: nil) == "127.0.0.1")
    }

    @Test func onlyTheConfiguredHeaderIsRead() {
        // The documented nginx/HAProxy set-up appends to X-Forwarded-For and passes a client's
        // own Forwarded on unchanged: by default that Forwarded is never read.
        #expect(
            proxies.clientAddress(peer: "127.0.0.1", forwarded: "for=127.0.0.1", forwardedFor: "198.51.100.4")
                == "198.51.100.4")
        #expect(proxies.clientAddress(peer: "127.0.0.1", forwarded: "for=192.0.2.9", forwardedFor: nil) == "127.0.0.1")
        // Told to read Forwarded, X-Forwarded-For is ignored the same way.
        #expect(
            rfc7239.clientAddress(peer: "127.0.0.1", forwarded: "for=198.51.100.4", forwardedFor: "127.0.0.1")
                == "198.51.100.4")
        #expect(rfc7239.clientAddress(peer: "127.0.0.1", forwarded: nil, forwardedFor: "192.0.2.9") == "127.0.0.1")
    }

    @Test func forwardedParsesPortsAndBrackets() {
        let header = #"for=192.0.2.60;proto=http;by=203.0.113.43, for="[2001:db8:cafe::17]:4711""#
        let proxies = rfc7239
        #expect(proxies.clientAddress(peer: "127.0.0.1", forwarded: header, forwardedFor: "198.51.100.4") == "2001:db8:cafe::17")
        #expect(proxies.clientAddress(peer: "127.0.0.1", forwarded: "For=\"192.0.2.43:47011\"", forwardedFor: nil) == "192.0.2.43")
        #expect(proxies.clientAddress(peer: "127.0.0.1", forwarded: "for=192.0.2.43, for=10.1.1.1", forwardedFor: nil) == "192.0.2.43")
        #expect(proxies.clientAddress(peer: "127.0.0.1", forwarded: "proto=https; for=192.0.2.43", forwardedFor: nil) == "192.0.2.43")
        #expect(proxies.clientAddress(peer: "::ffff:127.0.0.1", forwarded: "for=[::1]", forwardedFor: nil) == "::1")
    }

    @Test func unusableChainsGiveTheSharedUnknownAddress() {
        for header in [
            "for=unknown", "for=_hidden", "for=\"[2001:db8::1\"", "for=192.0.2.1;for=192.0.2.2", "for=\"192.0.2.1",
            "garbage", "for=1.2.3.4:99999", "by=10.0.0.1", "for=\"1.2.3.4\"x",
        ] {
            #expect(rfc7239.clientAddress(peer: "127.0.0.1", forwarded: header, forwardedFor: nil) == "unknown", "\(header)")
        }
        #expect(proxies.clientAddress(peer: "127.0.0.1", forwarded: nil, forwardedFor: "not-an-ip") == "unknown")
        #expect(proxies.clientAddress(peer: "127.0.0.1", forwarded: nil, forwardedFor: "198.51.100.4, ") == "unknown")
        // Garbage left of the client is the client's own business.
        #expect(proxies.clientAddress(peer: "127.0.0.1", forwarded: nil, forwardedFor: "junk, 198.51.100.4") == "198.51.100.4")
        #expect(!IPAddress("127.0.0.1")!.description.isEmpty && IPAddress(ClientAddressResolver.unknown) == nil)
    }

    @Test func hopsTakePortsOnlyWhereTheyAreUnambiguous() {
        #expect(ClientAddressResolver.hopAddress("192.0.2.1:8080")?.description == "192.0.2.1")
        #expect(ClientAddressResolver.hopAddress("[2001:db8::1]:8080")?.description == "2001:db8::1")
        #expect(ClientAddressResolver.hopAddress("2001:db8::1")?.description == "2001:db8::1")
        #expect(ClientAddressResolver.hopAddress("[192.0.2.1]") == nil)
        #expect(ClientAddressResolver.hopAddress("[2001:db8::1]x") == nil)
        #expect(ClientAddressResolver.hopAddress("192.0.2.1:") == nil)
    }
}
