import Dialogue

/// What the core asks its driver to do. The core never does I/O: every send, close, store
/// read, append and timer is one of these, carried out by the driver in the order given.
package enum HubAction<Work> {
    /// Run a piece of work the core held until its session was in memory, then call
    /// `unloadIfIdle`. With `thenResume`, the connection's busy spell ends afterwards (see
    /// `resume`). Work handed out together (a load's waiters) runs in order; when the work
    /// before it left the session idle and unloaded, the driver hands it to `withSession`
    /// again (it waits for a new load) instead of running it.
    case run(Work, on: ConnectionKey, session: String, thenResume: Bool)
    /// Run work of the session's own (see `withSessionUnattended`), then call
    /// `unloadIfIdle`; when the session was unloaded meanwhile, hand it to
    /// `withSessionUnattended` again.
    case runUnattended(Work, session: String)
    /// The connection waits for the core (a load, a recovery): keep its later frames back.
    case hold(ConnectionKey)
    /// The wait is over: handle, in order, the frames the connection sent meanwhile.
    case resume(ConnectionKey)
    /// Send an `error` frame.
    case refuse(ConnectionKey, DialogueError)
    /// Close the connection (and take no more frames from it).
    case close(ConnectionKey, code: UInt16, reason: String)
    /// Acknowledge a committed `say` or `ask`.
    case ack(ConnectionKey, clientId: String, seq: Int64)
    /// Send a committed (or stored elsewhere) event to readers.
    case deliver(Delivery)
    /// Send bytes that are already a frame (history frames).
    case send(ConnectionKey, [UInt8])
    /// Tell readers a participant's presence (online, offline, muted) changed.
    case presence(session: String, participant: Participant, online: Bool, to: [ConnectionKey])
    /// This node's first connection of a participant to a session opened, or its last closed.
    case localPresence(session: String, participant: String, online: Bool)
    /// Queue events for the group-commit writer.
    case submit([Event])
    /// A question of this node's committed in a session whose assistant is on: compose
    /// the answer (retrieval and the LLM, off the hub) and publish it.
    case answer(question: Event)
    /// A draft approved as written committed: the people's translations of the draft are
    /// the answer's too.
    case carryDraftTranslations(answer: Event)
    /// The session ended here: write and sign its transcript.
    case archive(session: String)
    /// A text of this node's committed: translate it into these languages (primary tags)
    /// when a provider is configured. `batchIndex` is its place in the commit result (its
    /// terms were found there).
    case translate(Event, into: [String], batchIndex: Int)
    /// Read a session's state from the store and feed `sessionLoaded(_:token:state:)`.
    case load(session: String, token: UInt64)
    /// Read a recovering session's state again, and the stored events after `delivered`,
    /// and feed `reloaded` (or `reloadFailed`).
    case reload(session: String, delivered: Int64)
    /// Call `reloadTimerFired` after a pause (the store did not answer).
    case scheduleReload(session: String, afterMilliseconds: Int)
    /// The writer may take the session's events again (it stops after a failure).
    case reopenWriter(session: String)
    /// Read one history page for a reader and feed `historyPage` (or `historyFailed`).
    case readHistory(HistoryRead)
    /// The reader's outgoing queue is full: call `historyQueueChecked` after a pause.
    case recheckHistoryQueue(HistoryRead, afterMilliseconds: Int)
    /// Read other nodes' events after these seqs and feed `readBehindFinished`.
    case readBehind([String: Int64])
    /// Call `readBehindTimerFired` after a pause (the last read failed).
    case scheduleReadBehind(afterMilliseconds: Int)
    /// Decide again a join that another node's event overtook.
    case retryJoin(ConnectionKey, session: String, language: String?)
    /// Decide again a `say` or `ask` that another node's event overtook.
    case retrySay(ConnectionKey, Event)
    /// The shared store became unreachable (nothing is acknowledged until it is back) or
    /// reachable again: tell every signed-in connection (`service`).
    case storeReachability(reachable: Bool)
    /// An officer's `admit` (or `decline`) of an invite committed, here or on another node:
    /// its connections waiting in this node's lobby come in (or are turned away).
    case lobbyDecided(session: String, invite: String, admitted: Bool)
    /// The session ended: whoever still waits in its lobby on this node is told and let go.
    case lobbyClosed(session: String)
    /// An answer handing a question over to a desk was committed here: mail the desk.
    case notifyDesk(answer: Event)
    /// How many sessions are in memory now (for the metric).
    case sessionsInMemory(Int)
    /// Something the operator should read in the log.
    case log(HubLogEntry)
}

/// A log line the core asks for (it has no logger).
package struct HubLogEntry: Sendable, Equatable {
    /// How serious.
    package enum Level: Sendable { case info, error }
    /// How serious.
    package var level: Level
    /// What happened.
    package var message: String
    /// The session concerned.
    package var session: String
    /// More detail (an error's text, a seq).
    package var detail: String
}

/// One event to send to readers, grouped so the driver encodes it once per reader
/// language: `byLanguage` readers get `canonical`, `withoutReviewReaders` get
/// `withoutReview` (a `status` stripped of the review fields, for readers without drafts).
package struct Delivery {
    /// The event, for its kind and body.
    package var event: Event
    /// Its canonical bytes, to splice the frame from.
    package var canonical: [UInt8]
    /// Live readers by reader language.
    package var byLanguage: [String: [ConnectionKey]]
    /// The stripped canonical bytes for readers who do not see drafts, when they differ.
    package var withoutReview: [UInt8]?
    /// Live readers who get `withoutReview`.
    package var withoutReviewReaders: [ConnectionKey]
    /// The event's place in the commit result it came with, when it came with one (its
    /// terms were found there already).
    package var batchIndex: Int?
    /// For an event held during a catch-up: what the driver found for it when it
    /// committed (see `HubCore.committed(_:failed:found:)`).
    package var found: (any Sendable)?

    /// Every connection this delivery reaches.
    package var connections: [ConnectionKey] { byLanguage.values.flatMap { $0 } + withoutReviewReaders }
}

/// One page of history to read for one reader's catch-up: events after `after` up to
/// `upTo`, for a reader of `language` who sees drafts or not. `generation` tells this
/// catch-up from a later one of the same reader.
package struct HistoryRead: Sendable, Equatable {
    /// The reader.
    package var connection: ConnectionKey
    /// The session.
    package var session: String
    /// The last seq already sent (the page starts after it).
    package var after: Int64
    /// The last seq history covers; live events after it wait in the catch-up buffer.
    package var upTo: Int64
    /// Which subscription of the reader this is.
    package var generation: UInt64
    /// Whether the reader sees drafts and review fields.
    package var seesDrafts: Bool
    /// The reader's language.
    package var language: String
    /// The session's agent (its glossary frames the events' terms).
    package var agent: String
}
