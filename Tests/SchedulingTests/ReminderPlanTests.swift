import Foundation
import Scheduling
import Testing

@Suite struct ReminderPlanTests {
    let start = instant("2027-01-15T02:00:00Z")
    let plan = ReminderPlan()  // [24 h, 15 min]

    func at(_ secondsBeforeStart: Double) -> Date { start.addingTimeInterval(-secondsBeforeStart) }

    @Test func defaultIsADayAndAQuarterOfAnHour() {
        #expect(plan.offsets == [.seconds(86_400), .seconds(900)])
        #expect(plan.description == "24h,15m")
    }

    @Test func nothingDueLongBefore() {
        #expect(plan.due(startsAt: start, now: at(2 * 86_400), alreadySent: []).isEmpty)
        #expect(plan.due(startsAt: start, now: at(86_401), alreadySent: []).isEmpty)
    }

    @Test func dayBeforeIsDueAtItsMoment() {
        #expect(plan.due(startsAt: start, now: at(86_400), alreadySent: []) == DueReminders(send: 0, skipped: []))
        #expect(plan.due(startsAt: start, now: at(3_600), alreadySent: []) == DueReminders(send: 0, skipped: []))
    }

    @Test func sentOnesAreNotDueAgain() {
        #expect(plan.due(startsAt: start, now: at(3_600), alreadySent: [0]).isEmpty)
        #expect(plan.due(startsAt: start, now: at(600), alreadySent: [0, 1]).isEmpty)
    }

    @Test func quarterHourAfterTheDayBeforeWasSent() {
        #expect(plan.due(startsAt: start, now: at(900), alreadySent: [0]) == DueReminders(send: 1, skipped: []))
        #expect(plan.due(startsAt: start, now: at(1), alreadySent: [0]) == DueReminders(send: 1, skipped: []))
    }

    @Test func severalDueOnlyTheSmallestIsMailed() {
        let due = plan.due(startsAt: start, now: at(600), alreadySent: [])
        #expect(due.send == 1)
        #expect(due.skipped == [0])
        #expect(due.toRecord == [0, 1])
    }

    @Test func smallestWinsWhateverTheOrder() {
        let unsorted = ReminderPlan(offsets: [.seconds(900), .seconds(3_600), .seconds(86_400)])
        let due = unsorted.due(startsAt: start, now: at(60), alreadySent: [])
        #expect(due == DueReminders(send: 0, skipped: [1, 2]))
        let two = unsorted.due(startsAt: start, now: at(1_800), alreadySent: [])
        #expect(two == DueReminders(send: 1, skipped: [2]))
    }

    @Test func nothingOnceStarted() {
        #expect(plan.due(startsAt: start, now: start, alreadySent: []).isEmpty)
        #expect(plan.due(startsAt: start, now: start.addingTimeInterval(60), alreadySent: []).isEmpty)
    }

    @Test func createdLateSkipsStaleReminders() {
        // Created 2 h before: the 24 h reminder's moment had passed 22 h before (> 12 h).
        let created = at(7_200)
        let early = plan.due(startsAt: start, now: created.addingTimeInterval(60), alreadySent: [], createdAt: created)
        #expect(early == DueReminders(send: nil, skipped: [0]))
        #expect(early.toRecord == [0])
        // The 15 min one comes in its time.
        #expect(
            plan.due(startsAt: start, now: at(900), alreadySent: [0], createdAt: created)
                == DueReminders(send: 1, skipped: []))
        // Created 20 h before: only 4 h late, still mailed.
        let recent = at(20 * 3_600)
        #expect(
            plan.due(startsAt: start, now: recent, alreadySent: [], createdAt: recent)
                == DueReminders(send: 0, skipped: []))
        // Created 10 min before: the 15 min one is 5 min late (< 7.5 min): mailed, the 24 h one skipped.
        let last = at(600)
        #expect(
            plan.due(startsAt: start, now: last, alreadySent: [], createdAt: last)
                == DueReminders(send: 1, skipped: [0]))
        // Created 3 min before: both stale.
        let veryLate = at(180)
        #expect(
            plan.due(startsAt: start, now: veryLate, alreadySent: [], createdAt: veryLate)
                == DueReminders(send: nil, skipped: [0, 1]))
    }

    @Test(arguments: [
        ("24h,15m", [86_400, 900]),
        ("15m,24h", [86_400, 900]),
        (" 2d, 1h ,10m ", [172_800, 3_600, 600]),
        ("1H,30M", [3_600, 1_800]),
        ("366d", [31_622_400]),
        ("none", []),
        ("NONE", []),
    ])
    func parses(text: String, seconds: [Int64]) throws {
        let plan = try ReminderPlan.parse(text)
        #expect(plan.offsets == seconds.map { .seconds($0) })
    }

    @Test func descriptionReadsBack() throws {
        let plan = try ReminderPlan.parse("2d,90m,1h")
        #expect(plan.description == "2d,90m,1h")
        #expect(try ReminderPlan.parse(plan.description) == plan)
        #expect(ReminderPlan(offsets: []).description == "none")
    }

    @Test(arguments: [
        ("", "no offset given"),
        ("24h,,15m", "empty item"),
        ("24", "does not end in a unit"),
        ("15s", "does not end in a unit"),
        ("1w", "does not end in a unit"),
        ("h", "not a whole number"),
        ("1.5h", "not a whole number"),
        ("-15m", "not a whole number"),
        ("99999999999d", "more than 366 days"),
        ("0m", "is zero"),
        ("367d", "more than 366 days"),
        ("60m,1h", "repeats '60m'"),
        ("24h,24h", "repeats"),
    ])
    func refuses(text: String, reason: String) {
        let error = scheduleError { () throws(ScheduleError) in try ReminderPlan.parse(text) }
        #expect(error?.field == "reminders")
        #expect(error?.description.contains(reason) == true, "\(String(describing: error))")
        #expect(error?.description.contains("'24h,15m'") == true)
    }
}
