import Foundation
import Scheduling
import Testing

@Suite struct MeetingDateTextTests {
    let hanoi = TimeZone(identifier: "Asia/Ho_Chi_Minh")!
    /// 09:00–10:00 in Hạ Long on Friday 15 January 2027.
    let start = instant("2027-01-15T09:00:00+07:00")
    let end = instant("2027-01-15T10:00:00+07:00")

    func text(_ language: String, zone: String = "Asia/Ho_Chi_Minh") -> String {
        MeetingDateText.text(start: start, end: end, zone: TimeZone(identifier: zone)!, language: language)
    }

    func span(_ language: String, _ zone: String, _ a: String, _ b: String) -> String {
        MeetingDateText.text(start: instant(a), end: instant(b), zone: TimeZone(identifier: zone)!, language: language)
    }

    /// The six languages on this machine's Foundation (ICU/CLDR data), printed for a reader.
    @Test func sixLanguages() {
        let expected = [
            "en": "Friday, 15 January 2027, 09:00–10:00 (Asia/Ho_Chi_Minh, UTC+7)",
            "vi": "Thứ Sáu, ngày 15 tháng 1 năm 2027, 09:00–10:00 (giờ Việt Nam, UTC+7)",
            "fr": "vendredi 15 janvier 2027, 09:00–10:00 (Asia/Ho_Chi_Minh, UTC+7)",
            "ja": "2027年1月15日(金) 9:00～10:00（Asia/Ho_Chi_Minh、UTC+7）",
            "ko": "2027년 1월 15일 금요일 오전 9:00~10:00 (Asia/Ho_Chi_Minh, UTC+7)",
            "zh": "2027年1月15日 星期五 09:00–10:00（Asia/Ho_Chi_Minh，UTC+7）",
        ]
        for language in MeetingDateText.languages {
            let written = text(language)
            print("MeetingDateText \(language): \(written)")
            #expect(written == expected[language], "\(language)")
        }
    }

    /// Each language is really localized here (ICU data present), not English in disguise.
    @Test func languagesAreLocalized() {
        let words = ["en": "Friday", "vi": "Thứ Sáu", "fr": "vendredi", "ja": "(金)", "ko": "금요일", "zh": "星期五"]
        let english = text("en")
        for (language, word) in words {
            #expect(text(language).contains(word), "\(language): \(text(language))")
            if language != "en" { #expect(text(language) != english) }
        }
        #expect(text("fr").contains("janvier"))
        #expect(text("vi").contains("tháng 1"))
    }

    @Test(arguments: ["de", "", "xx", "EN", "en-US", "en_GB", "english"])
    func otherLanguagesReadEnglish(language: String) {
        #expect(text(language) == text("en"))
    }

    @Test func regionalCodes() {
        #expect(text("vi-VN") == text("vi"))
        #expect(text("ja_JP") == text("ja"))
        #expect(text("zh-Hans-CN") == text("zh"))
        #expect(text("zh-TW") == "2027年1月15日 星期五 上午9:00至10:00（Asia/Ho_Chi_Minh，UTC+7）")
    }

    @Test func koreanSharesTheDayPeriodOnlyWhenItCan() {
        #expect(
            span("ko", "Asia/Ho_Chi_Minh", "2027-01-15T11:00:00+07:00", "2027-01-15T13:00:00+07:00")
                == "2027년 1월 15일 금요일 오전 11:00 ~ 오후 1:00 (Asia/Ho_Chi_Minh, UTC+7)")
        #expect(
            span("ko", "Asia/Ho_Chi_Minh", "2027-01-15T14:00:00+07:00", "2027-01-15T15:30:00+07:00")
                == "2027년 1월 15일 금요일 오후 2:00~3:30 (Asia/Ho_Chi_Minh, UTC+7)")
    }

    @Test func crossingMidnightShowsBothDates() {
        let a = "2027-01-15T23:30:00+07:00"
        let b = "2027-01-16T01:00:00+07:00"
        // The parts in the order they must appear: the first day and its time, then the second.
        let days = [
            "en": ["Friday, 15 January 2027", "23:30", "Saturday, 16 January 2027", "01:00"],
            "vi": ["23:30", "Thứ Sáu, ngày 15 tháng 1 năm 2027", "01:00", "Thứ Bảy, ngày 16 tháng 1 năm 2027"],
            "fr": ["vendredi 15 janvier 2027", "23:30", "samedi 16 janvier 2027", "01:00"],
            "ja": ["2027年1月15日(金)", "23:30", "2027年1月16日(土)", "1:00"],
            "ko": ["2027년 1월 15일 금요일", "오후 11:30", "2027년 1월 16일 토요일", "오전 1:00"],
            "zh": ["2027年1月15日 星期五", "23:30", "2027年1月16日 星期六", "01:00"],
        ]
        for (language, parts) in days {
            let written = span(language, "Asia/Ho_Chi_Minh", a, b)
            print("MeetingDateText \(language) across midnight: \(written)")
            var position = written.startIndex
            for part in parts {
                guard let range = written.range(of: part, range: position..<written.endIndex) else {
                    Issue.record("\(language): '\(part)' missing or out of order in \(written)")
                    break
                }
                position = range.upperBound
            }
            #expect(
                written.hasSuffix(
                    [
                        "vi": " (giờ Việt Nam, UTC+7)", "ja": "（Asia/Ho_Chi_Minh、UTC+7）",
                        "zh": "（Asia/Ho_Chi_Minh，UTC+7）",
                    ][language] ?? " (Asia/Ho_Chi_Minh, UTC+7)"), "\(written)")
        }
        #expect(
            span("en", "Asia/Ho_Chi_Minh", a, b)
                == "Friday, 15 January 2027 at 23:30\u{2009}–\u{2009}Saturday, 16 January 2027 at 01:00 (Asia/Ho_Chi_Minh, UTC+7)"
        )
        #expect(
            span("ja", "Asia/Ho_Chi_Minh", a, b) == "2027年1月15日(金) 23:30～2027年1月16日(土) 1:00（Asia/Ho_Chi_Minh、UTC+7）")
    }

    @Test func utcOffsets() {
        #expect(MeetingDateText.utcOffset(seconds: 7 * 3600) == "UTC+7")
        #expect(MeetingDateText.utcOffset(seconds: 5 * 3600 + 45 * 60) == "UTC+5:45")
        #expect(MeetingDateText.utcOffset(seconds: -5 * 3600) == "UTC\u{2212}5")
        #expect(MeetingDateText.utcOffset(seconds: -(3 * 3600 + 30 * 60)) == "UTC\u{2212}3:30")
        #expect(MeetingDateText.utcOffset(seconds: 12 * 3600 + 45 * 60) == "UTC+12:45")
        #expect(MeetingDateText.utcOffset(seconds: 5 * 3600 + 30 * 60) == "UTC+5:30")
        #expect(MeetingDateText.utcOffset(seconds: 0) == "UTC+0")
    }

    @Test func utcAndZeroOffsetZones() {
        #expect(text("en", zone: "UTC") == "Friday, 15 January 2027, 02:00–03:00 (UTC)")
        #expect(text("vi", zone: "Etc/UTC").hasSuffix("(giờ UTC)"))
        #expect(text("ja", zone: "UTC").hasSuffix("（UTC）"))
        #expect(text("en", zone: "Europe/London") == "Friday, 15 January 2027, 02:00–03:00 (Europe/London, UTC+0)")
    }

    @Test func daylightSavingTimeStartingDuringTheMeeting() {
        // New York springs forward at 02:00 on 14 March 2027.
        #expect(
            span("en", "America/New_York", "2027-03-14T01:30:00-05:00", "2027-03-14T03:30:00-04:00")
                == "Sunday, 14 March 2027, 01:30–03:30 (America/New_York, UTC\u{2212}5/UTC\u{2212}4)")
    }

    @Test func storedMeetingInItsOrganisersZone() {
        let meeting = MeetingTime(startsAt: start, endsAt: end, timeZone: "Asia/Ho_Chi_Minh")
        #expect(MeetingDateText.text(meeting, language: "en") == text("en"))
        #expect(
            MeetingDateText.text(meeting, zone: TimeZone(identifier: "Asia/Tokyo")!, language: "ja")
                == "2027年1月15日(金) 11:00～12:00（Asia/Tokyo、UTC+9）")
    }
}
