import Testing

@testable import Dialogue

@Suite struct TimestampTests {
    /// Milliseconds since the epoch and their RFC 3339 form (computed independently).
    static let known: [(Int64, String)] = [
        (0, "1970-01-01T00:00:00.000Z"),
        (1, "1970-01-01T00:00:00.001Z"),
        (1_795_668_150_123, "2026-11-26T04:42:30.123Z"),
        (951_782_400_000, "2000-02-29T00:00:00.000Z"),
        (1_709_210_096_789, "2024-02-29T12:34:56.789Z"),
        (4_107_542_400_000, "2100-03-01T00:00:00.000Z"),
        (946_684_799_999, "1999-12-31T23:59:59.999Z"),
        (946_684_800_000, "2000-01-01T00:00:00.000Z"),
        (253_402_300_799_999, "9999-12-31T23:59:59.999Z"),
        // Before the epoch.
        (-1, "1969-12-31T23:59:59.999Z"),
        (-999, "1969-12-31T23:59:59.001Z"),
        (-1000, "1969-12-31T23:59:59.000Z"),
        (-1001, "1969-12-31T23:59:58.999Z"),
        (-86_400_000, "1969-12-31T00:00:00.000Z"),
        (-86_400_001, "1969-12-30T23:59:59.999Z"),
        (-310_500_000_000, "1960-02-29T06:00:00.000Z"),
        (-2_203_891_200_001, "1900-02-28T23:59:59.999Z"),
        (-2_203_891_200_000, "1900-03-01T00:00:00.000Z"),
        (-11_670_998_400_000, "1600-02-29T00:00:00.000Z"),
        (-62_135_596_800_000, "0001-01-01T00:00:00.000Z"),
    ]

    @Test(arguments: known) func formatsKnownInstants(milliseconds: Int64, text: String) {
        #expect(Timestamp.format(milliseconds: milliseconds) == text)
    }

    @Test(arguments: known) func parsesKnownInstants(milliseconds: Int64, text: String) {
        #expect(Timestamp.parse(text) == milliseconds)
    }

    @Test func roundTripOverManyInstants() {
        // Steps that are not a divisor of a day, so every time of day and month is visited.
        var ms: Int64 = -4_000_000_000_000
        while ms < 4_200_000_000_000 {
            let text = Timestamp.format(milliseconds: ms)
            #expect(text.utf8.count == 24)
            #expect(Timestamp.parse(text) == ms, "\(text)")
            ms += 7_777_777_777
        }
    }

    @Test func dayAfterTheLastOfFebruary() {
        func dayAfter(_ date: String) -> String? {
            guard let ms = Timestamp.parse(date + "T12:00:00.000Z") else { return nil }
            return String(Timestamp.format(milliseconds: ms + 86_400_000).prefix(10))
        }
        #expect(dayAfter("2024-02-28") == "2024-02-29")  // divisible by 4
        #expect(dayAfter("2023-02-28") == "2023-03-01")
        #expect(dayAfter("2100-02-28") == "2100-03-01")  // century, not leap
        #expect(dayAfter("2000-02-28") == "2000-02-29")  // divisible by 400
        #expect(dayAfter("1900-02-28") == "1900-03-01")
        #expect(dayAfter("2024-12-31") == "2025-01-01")
        #expect(dayAfter("1969-12-31") == "1970-01-01")
    }

    @Test func yearLengths() {
        func days(in year: Int) -> Int64? {
            guard let start = Timestamp.parse("\(year)-01-01T00:00:00Z"),
                let end = Timestamp.parse("\(year + 1)-01-01T00:00:00Z")
            else { return nil }
            return (end - start) / 86_400_000
        }
        #expect(days(in: 1600) == 366)
        #expect(days(in: 1900) == 365)
        #expect(days(in: 1968) == 366)
        #expect(days(in: 1970) == 365)
        #expect(days(in: 2000) == 366)
        #expect(days(in: 2024) == 366)
        #expect(days(in: 2026) == 365)
        #expect(days(in: 2100) == 365)
    }

    @Test func fractionalDigits() {
        let base: Int64 = 1_795_668_150_000
        #expect(Timestamp.parse("2026-11-26T04:42:30Z") == base)
        #expect(Timestamp.parse("2026-11-26T04:42:30.1Z") == base + 100)
        #expect(Timestamp.parse("2026-11-26T04:42:30.12Z") == base + 120)
        #expect(Timestamp.parse("2026-11-26T04:42:30.123Z") == base + 123)
        #expect(Timestamp.parse("2026-11-26T04:42:30.1239Z") == base + 123)  // truncated, not rounded
        #expect(Timestamp.parse("2026-11-26T04:42:30.123456789Z") == base + 123)
        #expect(Timestamp.parse("2026-11-26T04:42:30.000001Z") == base)
        #expect(Timestamp.parse("2026-11-26T04:42:30.999999Z") == base + 999)
        // Lowercase separators are RFC 3339 too.
        #expect(Timestamp.parse("2026-11-26t04:42:30.123z") == base + 123)
    }

    @Test func refusesOtherForms() {
        for text in [
            "", "2026-11-26", "2026-11-26T04:42:30", "2026-11-26T04:42:30.Z", "2026-11-26T04:42:30.12aZ",
            "2026-11-26T04:42:30+07:00", "2026-11-26T04:42:30.123+00:00", "2026-11-26 04:42:30Z",
            "2026/11/26T04:42:30Z",
            "26-11-26T04:42:30.000Z", "2026-1-26T04:42:30.000Z", "2026-11-26T4:42:30.000Z", "x026-11-26T04:42:30Z",
            "2026-11-26T04:42:30,123Z", "2026-11-26T04-42-30Z",
        ] {
            #expect(Timestamp.parse(text) == nil, "\(text)")
        }
    }

    /// "nil for anything else": fields out of their ranges are not an instant this server wrote.
    @Test func refusesOutOfRangeFields() {
        for text in [
            "2026-13-01T00:00:00Z", "2026-00-10T00:00:00Z", "2026-02-30T00:00:00Z", "2026-04-31T00:00:00Z",
            "2026-11-00T00:00:00Z", "2026-11-26T24:00:00Z", "2026-11-26T23:60:00Z", "2026-11-26T23:59:61Z",
        ] {
            #expect(Timestamp.parse(text) == nil, "\(text)")
        }
    }

    /// A long fraction must give nil or a value, never a crash (the digits are summed in an `Int`).
    @Test func longFractionDoesNotCrash() async {
        await #expect(processExitsWith: .success) {
            _ = Timestamp.parse("2026-11-26T04:42:30.12345678901234567890123Z")
        }
    }

    @Test func nowIsCurrentAndWellFormed() {
        let before = Timestamp.nowMilliseconds()
        let text = Timestamp.now()
        let after = Timestamp.nowMilliseconds()
        #expect(before > 1_700_000_000_000)
        let parsed = Timestamp.parse(text)
        #expect(parsed != nil)
        if let parsed { #expect(before <= parsed && parsed <= after) }
        #expect(text.utf8.count == 24 && text.hasSuffix("Z"))
    }
}
