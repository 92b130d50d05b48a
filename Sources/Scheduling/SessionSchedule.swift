import Dialogue

/// What staff ask of a session.
package enum SessionAction: String, Sendable, Equatable, CaseIterable {
    /// Start it: scheduled → live, at any time (opening early is allowed).
    case open
    /// Close it: live → ended; also a scheduled one, which people may join early and talk in.
    case end
    /// Call it off: scheduled → cancelled.
    case cancel
    /// Move it: scheduled → scheduled, with a new time.
    case reschedule
}

/// A refused action: the status it was asked in and why.
package struct TransitionRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    package var from: SessionStatus
    package var action: SessionAction
    package var reason: String
    package var description: String { reason }
}

/// The rule of a session's statuses:
///
/// | from \ action | open | end | cancel | reschedule |
/// | --- | --- | --- | --- | --- |
/// | scheduled | live | ended | cancelled | scheduled |
/// | live | refused | ended | refused | refused |
/// | ended | refused | refused | refused | refused |
/// | cancelled | refused | refused | refused | refused |
package enum SessionSchedule {
    /// The status after `action`, or why it is refused. No time check: a scheduled session may be
    /// opened before its start, and one past its end stays scheduled until staff act.
    package static func transition(from: SessionStatus, action: SessionAction) -> Result<
        SessionStatus, TransitionRefusal
    > {
        func refuse(_ reason: String) -> Result<SessionStatus, TransitionRefusal> {
            .failure(TransitionRefusal(from: from, action: action, reason: reason))
        }
        switch (from, action) {
        case (.scheduled, .open): return .success(.live)
        case (.scheduled, .cancel): return .success(.cancelled)
        case (.scheduled, .reschedule): return .success(.scheduled)
        case (.live, .end): return .success(.ended)
        case (.scheduled, .end): return .success(.ended)
        case (.live, .open): return refuse("the session is already live")
        case (.live, .cancel): return refuse("a live session cannot be cancelled; end it instead")
        case (.live, .reschedule): return refuse("a live session cannot be moved; end it and schedule a new one")
        case (.ended, .open): return refuse("the session has ended and cannot be opened again")
        case (.ended, .end): return refuse("the session has already ended")
        case (.ended, .cancel): return refuse("an ended session cannot be cancelled")
        case (.ended, .reschedule): return refuse("an ended session cannot be moved")
        case (.cancelled, .open): return refuse("the session was cancelled and cannot be opened")
        case (.cancelled, .end): return refuse("the session was cancelled and was never live, so it cannot be ended")
        case (.cancelled, .cancel): return refuse("the session is already cancelled")
        case (.cancelled, .reschedule): return refuse("a cancelled session cannot be moved; schedule a new one")
        }
    }

    /// Whether nothing more can happen to a session in `status`.
    package static func isFinal(_ status: SessionStatus) -> Bool { status == .ended || status == .cancelled }
}
