import Foundation

/// The country of an IANA time zone, from the tz database's own table (`zone.tab`, Debian's
/// tzdata): the barometer groups investors by the country of the zone their invitation
/// names, the nearest thing to their country the server is told.
enum TimeZoneCountry {
    /// Zone name to ISO 3166 alpha-2 code, read once; empty when the table is missing.
    static let table: [String: String] = {
        guard let text = try? String(contentsOfFile: "/usr/share/zoneinfo/zone.tab", encoding: .utf8) else { return [:] }
        return parse(text)
    }()

    /// `CODE<TAB>coordinates<TAB>Zone[<TAB>comment]` lines; `#` lines are comments.
    static func parse(_ text: String) -> [String: String] {
        var table: [String: String] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count >= 3, fields[0].count == 2 else { continue }
            table[String(fields[2])] = String(fields[0])
        }
        return table
    }

    /// The country of `zone`, if the table knows it.
    static func country(of zone: String?) -> String? { zone.flatMap { table[$0] } }
}
