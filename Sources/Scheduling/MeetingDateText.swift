import Foundation

/// The date and time of a meeting written for a reader in the reader's language and zone, for
/// invitations and reminders:
///
/// - en: `Friday, 15 January 2027, 09:00–10:00 (Asia/Ho_Chi_Minh, UTC+7)`
/// - vi: `Thứ Sáu, ngày 15 tháng 1 năm 2027, 09:00–10:00 (giờ Việt Nam, UTC+7)`
/// - ja: `2027年1月15日(金) 9:00～10:00（Asia/Tokyo、UTC+9）`
///
/// Day and month names, the order of the date's parts and the clock (24-hour, or Korean
/// 오전/오후) come from Foundation's ICU data (CLDR) for the language; English is written as in
/// British English (day before month, 24-hour clock), read the same way everywhere. A meeting
/// that crosses midnight in the zone shows both dates, in ICU's own wording for a range. The zone
/// is named by its IANA identifier and its offset at the start, written `UTC+7`, `UTC+5:45`,
/// `UTC−5` (U+2212 MINUS SIGN, everywhere) and `UTC+0`; the zone UTC itself is just `UTC`.
package struct MeetingDateText: Sendable {
    /// The languages written natively; any other is written in English.
    package static let languages = ["vi", "en", "fr", "ja", "ko", "zh"]

    /// The meeting `start`–`end` as read in `zone` by a reader of `language` (a code such as "vi",
    /// "en-US", "zh-Hant"; unknown codes read English).
    package static func text(start: Date, end: Date, zone: TimeZone, language: String) -> String {
        let lang = Language(code: language)
        let locale = Locale(identifier: lang.localeIdentifier)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let sameDay = calendar.isDate(start, inSameDayAs: end)
        let when: String
        if sameDay {
            let date: String
            if lang == .vi {
                // ICU writes "ngày 15 tháng 1, 2027"; Vietnamese writes the year with "năm", no comma.
                let f = formatter(locale, zone, template: lang.dateTemplate)
                f.dateFormat = "EEEE, 'ngày' d 'tháng' M 'năm' y"
                date = f.string(from: start)
            } else {
                date = formatter(locale, zone, template: lang.dateTemplate).string(from: start)
            }
            let range: String
            if lang == .ko || lang == .zhHant {
                // 12-hour clocks: ICU shares the day period, "오전 9:00~10:00", "오전 11:00 ~ 오후 1:00".
                let interval = DateIntervalFormatter()
                interval.locale = locale
                interval.timeZone = zone
                interval.dateTemplate = "jmm"
                range = interval.string(from: start, to: end)
            } else {
                let time = formatter(locale, zone, template: "jmm")
                range = time.string(from: start) + lang.timeRangeDash + time.string(from: end)
            }
            when = date + lang.dateTimeSeparator + range
        } else {
            let interval = DateIntervalFormatter()
            interval.locale = locale
            interval.timeZone = zone
            interval.dateTemplate = lang.dateTemplate + "jmm"
            when = lang == .vi ? Self.vietnameseYear(interval.string(from: start, to: end)) : interval.string(from: start, to: end)
        }
        return when + lang.zoneNote(zoneLabel(zone, start: start, end: end))
    }

    /// The same for a stored meeting, in its organiser's zone unless `zone` is given.
    package static func text(_ meeting: MeetingTime, zone: TimeZone? = nil, language: String) -> String {
        text(start: meeting.startsAt, end: meeting.endsAt, zone: zone ?? meeting.zone, language: language)
    }

    /// `UTC+7`, `UTC+5:45`, `UTC−5` (U+2212), `UTC−3:30`, `UTC+0`.
    package static func utcOffset(seconds: Int) -> String {
        let sign = seconds < 0 ? "\u{2212}" : "+"
        let minutes = abs(seconds) / 60
        return minutes % 60 == 0 ? "UTC\(sign)\(minutes / 60)" : "UTC\(sign)\(minutes / 60):\(pad(minutes % 60))"
    }

    /// "tháng 1, 2027" as Vietnamese writes it, "tháng 1 năm 2027": ICU's Vietnamese range
    /// pattern puts a comma before the year, which the language does not.
    static func vietnameseYear(_ text: String) -> String {
        text.replacingOccurrences(of: #"tháng (\d{1,2}), (\d{4})"#, with: "tháng $1 năm $2", options: .regularExpression)
    }

    /// "Asia/Ho_Chi_Minh, UTC+7" (with the language's comma), "UTC" for the zone UTC itself, and
    /// both offsets when daylight saving time starts or ends during the meeting.
    private static func zoneLabel(_ zone: TimeZone, start: Date, end: Date) -> (name: String, offset: String?) {
        let first = zone.secondsFromGMT(for: start)
        let last = zone.secondsFromGMT(for: end)
        if first == 0, last == 0, utcNames.contains(zone.identifier) { return ("UTC", nil) }
        let offset =
            first == last ? utcOffset(seconds: first) : utcOffset(seconds: first) + "/" + utcOffset(seconds: last)
        return (zone.identifier, offset)
    }

    private static let utcNames: Set<String> = [
        "UTC", "GMT", "Etc/UTC", "Etc/GMT", "Etc/Universal", "Etc/Zulu", "Etc/GMT0", "Etc/GMT+0", "Etc/GMT-0",
        "Etc/UCT", "Etc/Greenwich", "Universal", "Zulu", "UCT", "Greenwich", "GMT0",
    ]

    private static func formatter(_ locale: Locale, _ zone: TimeZone, template: String) -> DateFormatter {
        let f = DateFormatter()
        f.locale = locale
        f.timeZone = zone
        f.calendar = Calendar(identifier: .gregorian)
        f.setLocalizedDateFormatFromTemplate(template)
        return f
    }

    private static func pad(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

    /// What differs between the languages besides ICU's data.
    private enum Language: Equatable {
        case vi, en, fr, ja, ko, zh, zhHant

        init(code: String) {
            let parts = code.lowercased().split(whereSeparator: { $0 == "-" || $0 == "_" }).map(String.init)
            switch parts.first ?? "" {
            case "vi": self = .vi
            case "fr": self = .fr
            case "ja": self = .ja
            case "ko": self = .ko
            case "zh":
                let rest = Set(parts.dropFirst())
                self =
                    rest.contains("hant") || rest.contains("tw") || rest.contains("hk") || rest.contains("mo")
                    ? .zhHant : .zh
            default: self = .en
            }
        }

        var localeIdentifier: String {
            switch self {
            case .vi: "vi_VN"
            case .en: "en_GB"
            case .fr: "fr_FR"
            case .ja: "ja_JP"
            case .ko: "ko_KR"
            case .zh: "zh_Hans_CN"
            case .zhHant: "zh_Hant_TW"
            }
        }

        /// Weekday, day, month and year: "Friday, 15 January 2027", "2027年1月15日(金)".
        var dateTemplate: String { self == .ja ? "yMMMEd" : "yMMMMEEEEd" }

        /// Between the date and the times of a meeting within one day.
        var dateTimeSeparator: String {
            switch self {
            case .ja, .ko, .zh, .zhHant: " "
            case .vi, .en, .fr: ", "
            }
        }

        /// Between the two times: en dash, or the wave dash of Japanese.
        var timeRangeDash: String { self == .ja ? "～" : "–" }

        /// " (Asia/Tokyo, UTC+9)", "（Asia/Tokyo、UTC+9）", " (giờ Asia/Ho_Chi_Minh, UTC+7)".
        func zoneNote(_ label: (name: String, offset: String?)) -> String {
            switch self {
            case .ja: "（" + label.name + (label.offset.map { "、" + $0 } ?? "") + "）"
            case .zh, .zhHant: "（" + label.name + (label.offset.map { "，" + $0 } ?? "") + "）"
            case .vi:
                // The country has one zone, which Vietnamese readers call "giờ Việt Nam".
                " (giờ " + (["Asia/Ho_Chi_Minh", "Asia/Saigon"].contains(label.name) ? "Việt Nam" : label.name)
                    + (label.offset.map { ", " + $0 } ?? "") + ")"
            case .en, .fr, .ko: " (" + label.name + (label.offset.map { ", " + $0 } ?? "") + ")"
            }
        }
    }
}
