#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// RFC 3339 UTC timestamps with milliseconds (`2026-11-26T04:42:30.123Z`), made without
/// Foundation's formatters, which are slow and not thread-safe on every platform.
package enum Timestamp {
    /// Milliseconds since the Unix epoch, from the real-time clock.
    package static func nowMilliseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }

    /// The current time in RFC 3339.
    package static func now() -> String { format(milliseconds: nowMilliseconds()) }

    /// `milliseconds` since the epoch in RFC 3339 UTC.
    package static func format(milliseconds: Int64) -> String {
        let seconds = milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000
        let millis = Int(milliseconds - seconds * 1000)
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = Int(seconds - days * 86_400)
        let (year, month, day) = civil(fromDays: days)
        guard (0...9999).contains(year) else {
            return pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2) + "T" + pad(secondOfDay / 3600, 2) + ":"
                + pad(secondOfDay / 60 % 60, 2) + ":" + pad(secondOfDay % 60, 2) + "." + pad(millis, 3) + "Z"
        }
        // Written digit by digit into one buffer: every event is stamped, and building the
        // text from a dozen small strings showed in the append path's profile.
        var bytes = [UInt8](repeating: 0, count: 24)
        func put(_ value: Int, _ width: Int, at offset: Int) {
            var value = value
            for index in stride(from: offset + width - 1, through: offset, by: -1) {
                bytes[index] = UInt8(48 + value % 10)
                value /= 10
            }
        }
        put(year, 4, at: 0)
        bytes[4] = 45  // -
        put(month, 2, at: 5)
        bytes[7] = 45
        put(day, 2, at: 8)
        bytes[10] = 84  // T
        put(secondOfDay / 3600, 2, at: 11)
        bytes[13] = 58  // :
        put(secondOfDay / 60 % 60, 2, at: 14)
        bytes[16] = 58
        put(secondOfDay % 60, 2, at: 17)
        bytes[19] = 46  // .
        put(millis, 3, at: 20)
        bytes[23] = 90  // Z
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Parses the RFC 3339 forms this server writes (and `Z`-terminated ones without
    /// fraction); nil for anything else.
    package static func parse(_ text: String) -> Int64? {
        let u = Array(text.utf8)
        guard u.count >= 20, u[4] == 0x2D, u[7] == 0x2D, u[10] == 0x54 || u[10] == 0x74, u[13] == 0x3A,
            u[16] == 0x3A, u.last == 0x5A || u.last == 0x7A
        else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for i in range {
                guard u[i] >= 0x30, u[i] <= 0x39 else { return nil }
                value = value * 10 + Int(u[i] - 0x30)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19)
        else { return nil }
        var millis = 0
        if u.count > 20 {
            guard u[19] == 0x2E, u.count >= 22, u.count <= 40 else { return nil }
            // Only milliseconds are kept; further digits must still be digits.
            guard u[20..<(u.count - 1)].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
            let digits = min(3, u.count - 21)
            guard let fraction = number(20..<(20 + digits)) else { return nil }
            millis = fraction * [100, 10, 1][digits - 1]
        }
        guard (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day), hour < 24,
            minute < 60, second < 60
        else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        return ((days * 86_400) + Int64(hour * 3600 + minute * 60 + second)) * 1000 + Int64(millis)
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let s = String(value)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    // Howard Hinnant's civil-from-days and days-from-civil algorithms.
    private static func civil(fromDays days: Int64) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        return (Int(year), Int(month), Int(day))
    }

    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let m = Int64(month)
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
