import Foundation

/// RFC 3339 date-times read and written by hand: `ISO8601DateFormatter` rolls 2027-02-29 over
/// to 1 March and cannot say what is wrong, and the arithmetic of the proleptic Gregorian
/// calendar in UTC needs no formatter at all.
enum RFC3339 {
    /// The instant `text` names: `YYYY-MM-DD"T"hh:mm:ss[.fraction](Z|±hh:mm)`, with `t` and `z`
    /// also accepted in lower case (RFC 3339 § 5.6, note). On failure, why, in a few words.
    static func parse(_ text: String) -> Result<Date, Reason> {
        let b = Array(text.utf8)
        var p = Parser(bytes: b)
        if b.isEmpty { return .failure(Reason("the text is empty")) }
        if b.count > 64 { return .failure(Reason("it is longer than any date-time (\(b.count) bytes)")) }
        let (year, month, day): (Int, Int, Int)
        switch p.date() {
        case .success(let ymd): (year, month, day) = ymd
        case .failure(let reason): return .failure(reason)
        }
        guard let t = p.peek() else {
            return .failure(Reason("a time and a UTC offset are required after the date, e.g. T09:00:00+07:00"))
        }
        if t == UInt8(ascii: " ") {
            return .failure(Reason("the date and the time must be separated by 'T', not a space"))
        }
        guard t == UInt8(ascii: "T") || t == UInt8(ascii: "t") else {
            return .failure(Reason("expected 'T' after the date at position \(p.index + 1)"))
        }
        p.index += 1
        guard let hour = p.number(2) else { return .failure(Reason("expected a two-digit hour after 'T'")) }
        guard p.take(":"), let minute = p.number(2) else {
            return .failure(Reason("expected ':' and two-digit minutes after the hour"))
        }
        guard p.take(":") else { return .failure(Reason("seconds are required, e.g. 09:00:00")) }
        guard let second = p.number(2) else { return .failure(Reason("expected two-digit seconds")) }
        var fraction = 0.0
        if p.take(".") {
            let start = p.index
            while let c = p.peek(), c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") { p.index += 1 }
            guard p.index > start else { return .failure(Reason("expected digits after the decimal point")) }
            let digits = b[start..<min(p.index, start + 9)]
            let value = digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
            fraction = Double(value) / pow(10, Double(digits.count))
        }
        var offset = 0
        switch p.peek() {
        case nil:
            return .failure(Reason("the UTC offset is missing: add 'Z' or one like '+07:00'"))
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            p.index += 1
        case let sign? where sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-"):
            p.index += 1
            guard let oh = p.number(2), p.take(":"), let om = p.number(2) else {
                return .failure(Reason("the UTC offset must be written ±hh:mm, e.g. +07:00"))
            }
            guard oh <= 23, om <= 59 else { return .failure(Reason("the UTC offset is out of range")) }
            offset = (oh * 3600 + om * 60) * (sign == UInt8(ascii: "-") ? -1 : 1)
        case UInt8(ascii: " "):
            return .failure(
                Reason(
                    "a space stands where the offset's sign should be ('+' read from a URL as a space? write it %2B)"))
        default:
            return .failure(Reason("expected 'Z' or a UTC offset like +07:00 at position \(p.index + 1)"))
        }
        guard p.peek() == nil else {
            return .failure(Reason("unexpected text after the UTC offset at position \(p.index + 1)"))
        }
        guard hour <= 23 else { return .failure(Reason("hour \(hour) is out of range (00-23)")) }
        guard minute <= 59 else { return .failure(Reason("minute \(minute) is out of range (00-59)")) }
        if second == 60 { return .failure(Reason("leap seconds (:60) are not accepted")) }
        guard second <= 59 else { return .failure(Reason("second \(second) is out of range (00-59)")) }
        let seconds = daysFromCivil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offset
        return .success(Date(timeIntervalSince1970: Double(seconds) + fraction))
    }

    /// Midnight UTC at the start of the plain date `YYYY-MM-DD`.
    static func parseDate(_ text: String) -> Result<Date, Reason> {
        var p = Parser(bytes: Array(text.utf8))
        switch p.date() {
        case .success(let (y, m, d)):
            guard p.peek() == nil else { return .failure(Reason("unexpected text after the date")) }
            return .success(Date(timeIntervalSince1970: Double(daysFromCivil(y, m, d) * 86_400)))
        case .failure(let reason): return .failure(reason)
        }
    }

    /// `2027-01-15T02:00:00Z`: UTC, whole seconds (any fraction is dropped).
    static func format(_ date: Date) -> String {
        let (y, mo, d, h, mi, s) = fields(date)
        return "\(pad(y, 4))-\(pad(mo))-\(pad(d))T\(pad(h)):\(pad(mi)):\(pad(s))Z"
    }

    /// `20270115T020000Z`: the iCalendar DATE-TIME form in UTC (RFC 5545 § 3.3.5, form #2).
    static func basic(_ date: Date) -> String {
        let (y, mo, d, h, mi, s) = fields(date)
        return "\(pad(y, 4))\(pad(mo))\(pad(d))T\(pad(h))\(pad(mi))\(pad(s))Z"
    }

    static func fields(_ date: Date) -> (Int, Int, Int, Int, Int, Int) {
        let total = Int(date.timeIntervalSince1970.rounded(.down))
        let days = Int((Double(total) / 86_400).rounded(.down))
        let secs = total - days * 86_400
        let (y, m, d) = civilFromDays(days)
        return (y, m, d, secs / 3600, secs % 3600 / 60, secs % 60)
    }

    static func isLeap(_ y: Int) -> Bool { y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) }

    static func daysInMonth(_ y: Int, _ m: Int) -> Int {
        switch m {
        case 2: isLeap(y) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
    static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The date `z` days after 1970-01-01 (`civil_from_days`).
    static func civilFromDays(_ z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    private static func pad(_ n: Int, _ width: Int = 2) -> String {
        let s = String(n)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    private static let monthNames = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
        "November", "December",
    ]

    /// Why a text was refused.
    struct Reason: Error, Equatable {
        var text: String
        init(_ text: String) { self.text = text }
    }

    private struct Parser {
        let bytes: [UInt8]
        var index = 0

        func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func take(_ c: Unicode.Scalar) -> Bool {
            guard peek() == UInt8(ascii: c) else { return false }
            index += 1
            return true
        }

        mutating func number(_ width: Int) -> Int? {
            guard index + width <= bytes.count else { return nil }
            var value = 0
            for c in bytes[index..<index + width] {
                guard c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(c - UInt8(ascii: "0"))
            }
            index += width
            return value
        }

        /// `YYYY-MM-DD`, checked against the calendar.
        mutating func date() -> Result<(Int, Int, Int), Reason> {
            guard let y = number(4) else { return .failure(Reason("expected a four-digit year at the start")) }
            guard take("-"), let m = number(2) else {
                return .failure(Reason("expected '-' and a two-digit month after the year"))
            }
            guard take("-"), let d = number(2) else {
                return .failure(Reason("expected '-' and a two-digit day after the month"))
            }
            guard (1...12).contains(m) else { return .failure(Reason("month \(m) is out of range (01-12)")) }
            let last = RFC3339.daysInMonth(y, m)
            guard (1...last).contains(d) else {
                return .failure(
                    Reason(
                        d == 0
                            ? "day 00 does not exist"
                            : "\(RFC3339.monthNames[m - 1]) \(y) has \(last) days, so day \(d) does not exist"))
            }
            return .success((y, m, d))
        }
    }
}
