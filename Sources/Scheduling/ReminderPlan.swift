import Foundation

/// When reminders are mailed before a meeting: one per offset before the start. A reminder is
/// identified by its index in `offsets`, which the caller records once it is sent (or skipped).
package struct ReminderPlan: Sendable, Equatable, CustomStringConvertible {
    /// How long before the start each reminder goes out, from the earliest (largest) to the last.
    package var offsets: [Duration]

    /// 24 hours and 15 minutes before the start.
    package static let defaultOffsets: [Duration] = [.seconds(24 * 3600), .seconds(15 * 60)]

    /// The longest offset `parse` accepts: 366 days.
    package static let maximumOffset: Duration = .seconds(366 * 86_400)

    package init(offsets: [Duration] = ReminderPlan.defaultOffsets) {
        self.offsets = offsets
    }

    /// The reminders to act on now.
    ///
    /// A reminder is due when `startsAt - offset <= now < startsAt` and its index is not in
    /// `alreadySent`. Of the due ones only the one with the smallest offset is to be mailed
    /// (`send`); the others are `skipped`: the caller records them as sent without mailing, so
    /// that a session created (or a server restarted) late does not mail "tomorrow" and "in 15
    /// minutes" at once. With `createdAt`, a reminder whose moment had already passed by more than
    /// half its offset when the session was created is skipped as well, even when it is the only
    /// one due: the invitation itself has just told the investor (created 2 h before the start, the
    /// 24 h reminder is not mailed; created 20 h before, it is).
    package func due(startsAt: Date, now: Date, alreadySent: Set<Int>, createdAt: Date? = nil) -> DueReminders {
        guard now < startsAt else { return DueReminders(send: nil, skipped: []) }
        var send: Int?
        var skipped: [Int] = []
        for (index, offset) in offsets.enumerated() where !alreadySent.contains(index) {
            let seconds = Self.seconds(offset)
            let moment = startsAt.addingTimeInterval(-seconds)
            guard seconds > 0, moment <= now else { continue }
            if let createdAt, createdAt.timeIntervalSince(moment) > seconds / 2 {
                skipped.append(index)
            } else if let current = send {
                if offset < offsets[current] {
                    skipped.append(current)
                    send = index
                } else {
                    skipped.append(index)
                }
            } else {
                send = index
            }
        }
        return DueReminders(send: send, skipped: skipped.sorted())
    }

    /// The plan of a command-line option: offsets such as "24h,15m" or "2d, 1h, 10m" (units d, h,
    /// m; whole numbers above zero; no repeats; at most 366 days), or "none" for no reminders.
    /// The offsets are sorted from the largest to the smallest.
    package static func parse(_ text: String) throws(ScheduleError) -> ReminderPlan {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.lowercased() == "none" { return ReminderPlan(offsets: []) }
        guard !trimmed.isEmpty else { throw .invalidReminderPlan(text: text, reason: "no offset given") }
        var seen: [Int64: String] = [:]
        for item in trimmed.split(separator: ",", omittingEmptySubsequences: false) {
            let part = item.trimmingCharacters(in: .whitespaces)
            guard !part.isEmpty else { throw .invalidReminderPlan(text: text, reason: "an empty item between commas") }
            guard let unit = part.last, let scale = units[unit.lowercased()] else {
                throw .invalidReminderPlan(
                    text: text, reason: "\(ScheduleError.quoted(part)) does not end in a unit d, h or m")
            }
            let digits = part.dropLast()
            guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                throw .invalidReminderPlan(
                    text: text, reason: "\(ScheduleError.quoted(part)) is not a whole number followed by its unit")
            }
            let number = digits.count <= 6 ? Int64(digits) ?? 0 : Int64.max / 86_400
            guard number > 0 else {
                throw .invalidReminderPlan(text: text, reason: "\(ScheduleError.quoted(part)) is zero")
            }
            let seconds = number * scale
            guard seconds <= maximumOffset.components.seconds else {
                throw .invalidReminderPlan(
                    text: text, reason: "\(ScheduleError.quoted(part)) is more than 366 days before the start")
            }
            if let earlier = seen[seconds] {
                throw .invalidReminderPlan(
                    text: text, reason: "\(ScheduleError.quoted(part)) repeats \(ScheduleError.quoted(earlier))")
            }
            seen[seconds] = part
        }
        return ReminderPlan(offsets: seen.keys.sorted(by: >).map { .seconds($0) })
    }

    /// The plan as `parse` reads it: "24h,15m", "none" when empty.
    package var description: String {
        guard !offsets.isEmpty else { return "none" }
        return offsets.map { offset in
            let s = offset.components.seconds
            return s % 86_400 == 0 && s > 86_400
                ? "\(s / 86_400)d" : s % 3600 == 0 ? "\(s / 3600)h" : s % 60 == 0 ? "\(s / 60)m" : "\(s)s"
        }.joined(separator: ",")
    }

    private static let units: [String: Int64] = ["d": 86_400, "h": 3600, "m": 60]

    private static func seconds(_ d: Duration) -> TimeInterval {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}

/// The reminders of one session to act on at one moment.
package struct DueReminders: Sendable, Equatable {
    /// The reminder to mail now; nil when none is.
    package var send: Int?
    /// Reminders also due but not to be mailed: record them as sent.
    package var skipped: [Int]

    package init(send: Int?, skipped: [Int]) {
        self.send = send
        self.skipped = skipped
    }

    /// Every index to record as sent once the mail (if any) is out: `send` and `skipped`.
    package var toRecord: [Int] { (skipped + (send.map { [$0] } ?? [])).sorted() }

    /// Whether there is nothing to do.
    package var isEmpty: Bool { send == nil && skipped.isEmpty }
}
