import Foundation
import Scheduling
import Testing

/// The instant of an RFC 3339 text the tests know to be valid.
func instant(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> Date {
    do {
        return try MeetingTime.parseInstant(text)
    } catch {
        Issue.record("\(text): \(error)", sourceLocation: sourceLocation)
        return Date(timeIntervalSince1970: 0)
    }
}

/// The error `body` throws, or nil (recorded as an issue) when it does not throw.
func scheduleError<T>(
    sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws(ScheduleError) -> T
) -> ScheduleError? {
    do {
        let value = try body()
        Issue.record("expected an error, got \(value)", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}
