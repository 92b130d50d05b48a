import Foundation
import Store
import Testing

@testable import PostgresStore

@Suite struct PostgresTLSTests {
    func settings(_ url: String) throws -> PostgresTLS {
        let parsed = URLComponents(string: url)!
        return try PostgresTLS.parse(host: parsed.host!, query: parsed.queryItems ?? [])
    }

    @Test(arguments: ["localhost", "127.0.0.1", "127.0.0.2", "[::1]", "db.localhost"])
    func aLocalHostIsPlainUnlessAsked(_ host: String) throws {
        #expect(try settings("postgres://u@\(host):5432/d").mode == .disable)
        #expect(try settings("postgres://u@\(host):5432/d?sslmode=require").mode == .require)
    }

    @Test(arguments: ["db.example.org", "10.0.0.5", "[2001:db8::1]"])
    func aNetworkHostRequiresTLSByDefault(_ host: String) throws {
        #expect(try settings("postgres://u@\(host)/d").mode == .require)
        #expect(try settings("postgres://u@\(host)/d?sslmode=disable").mode == .disable)
    }

    @Test func everyModeIsReadAndTheRootCertificateKept() throws {
        for mode in PostgresTLS.Mode.allCases {
            #expect(try settings("postgres://u@db.example/d?sslmode=\(mode.rawValue)").mode == mode)
        }
        let full = try settings("postgres://u@db.example/d?sslmode=verify-full&sslrootcert=/etc/ca.pem")
        #expect(full == PostgresTLS(mode: .verifyFull, rootCertificate: "/etc/ca.pem"))
        #expect(full.verifiesChain)
        #expect(!(try settings("postgres://u@db.example/d?sslmode=require")).verifiesChain)
        #expect(try settings("postgres://u@db.example/d?sslmode=require&sslrootcert=/ca.pem").verifiesChain)
    }

    @Test(arguments: [
        ("postgres://u@db.example/d?sslmode=allow", "sslmode=allow is not one of"),
        ("postgres://u@db.example/d?sslmode=", "sslmode= is not one of"),
        ("postgres://u@db.example/d?sslcert=/c.pem", "sslcert is not supported"),
        ("postgres://u@db.example/d?sslrootcert=", "sslrootcert needs the path"),
        ("postgres://u@10.1.2.3/d?sslmode=verify-full", "checks the certificate against a host name"),
    ])
    func badSettingsAreRefusedWithTheReason(_ url: String, _ reason: String) {
        do {
            _ = try settings(url)
            Issue.record("\(url) accepted")
        } catch {
            #expect("\(error)".contains(reason), "\(error)")
        }
    }

    @Test func anUnreadableRootCertificateIsReportedAtOnce() {
        #expect(throws: StoreError.self) {
            _ = try PostgresStore.connectionConfiguration(
                "postgres://u@db.example/d?sslmode=verify-ca&sslrootcert=/nonexistent/ca.pem")
        }
    }
}

/// Invite revocations heard from the shared store: `node:inviteId`, this node's own included.
@Suite struct InviteNoticeTests {
    @Test func aRevocationNoticeNamesTheInvite() {
        #expect(PostgresStore.inviteNotice("abc:inv_k3v9") == .inviteRevoked("inv_k3v9"))
        #expect(PostgresStore.inviteNotice("abc:") == nil)
        #expect(PostgresStore.inviteNotice("inv_k3v9") == nil)
    }
}
