import Dialogue
import HubCore
import Store
import Transport

extension DialogueHub {
    /// Checks a `hello` token off the actor, then finishes on it.
    func beginHello(
        _ id: ConnectionID, token: String, language: String, name: String?, resume: ClientFrame.Resume?
    ) {
        guard connections[id] != nil else { return }
        connections[id]?.busy = true
        spawn { [store, logger] in
            let identity: Identity?
            do {
                // Every well-formed token is looked up, whatever its address's failures (see
                // `SignInThrottle`); a malformed one cannot be valid and costs no look-up.
                if !SecretToken.isWellFormed(token) {
                    identity = nil
                } else if token.hasPrefix("dst_") {
                    identity = try await store.staff(token: token).map(Identity.staff)
                } else {
                    identity = try await store.invite(code: token).map(Identity.investor)
                }
            } catch {
                // The store did not answer: not a wrong token, so no sign-in failure is counted.
                logger.error("token look-up failed", metadata: ["error": "\(error)"])
                await self.tokenCheckFailed(id)
                return
            }
            await self.finishHello(id, identity: identity, language: language, name: name, resume: resume)
        }
    }

    /// The token could not be checked (the store is unreachable): try again later (1013).
    private func tokenCheckFailed(_ id: ConnectionID) {
        guard connections[id] != nil else { return }
        connections[id]?.busy = false
        refuse(DialogueError(.unavailable, "your sign-in cannot be checked now (database unreachable); try again shortly"), to: id)
        transport.close(id, code: 1013, reason: "try again later")
        connections[id]?.closing = true
    }

    private func finishHello(
        _ id: ConnectionID, identity: Identity?, language: String, name: String?, resume: ClientFrame.Resume?
    ) {
        guard let connection = connections[id] else { return }
        connections[id]?.busy = false
        guard let identity else {
            refuseSignIn("unknown or revoked token", peer: connection.peer, to: id)
            return
        }
        switch identity {
        case .staff(let account):
            connections[id]?.identity = identity
            // Staff speak under their account's name: a `name` in hello is ignored, so no
            // one signs in as an officer and appears in the record as someone else.
            connections[id]?.participant = Participant(
                id: account.id, role: account.role, name: account.name, language: language)
            sendWelcome(to: id, session: nil)
            if let resume {
                withSession(resume.session, for: id) { hub in hub.join(id, resume.session, after: resume.after) }
            }
            drainBacklog(id)
        case .investor(let invite):
            guard invite.isUsable(nowMilliseconds: Timestamp.nowMilliseconds()), !revokedInvites.contains(invite.id)
            else {
                let revoked = invite.revokedAt != nil || revokedInvites.contains(invite.id)
                refuseSignIn(revoked ? "this invite was revoked" : "this invite has expired", peer: connection.peer, to: id)
                return
            }
            if let resume, resume.session != invite.session {
                unauthorized("your invite is for another session", to: id)
                return
            }
            let open = connections.values.count {
                !$0.closing && $0.id != id && $0.identity?.participantId == invite.id
            }
            if open >= configuration.connectionsPerInvite {
                // 1013 (try again later): a page reconnecting while its old socket is not yet
                // known to be dead gets in once that one is closed.
                refuse(
                    DialogueError(
                        .rateLimited,
                        "this invite already has \(open) connections open (at most \(configuration.connectionsPerInvite)); close one first"),
                    to: id)
                transport.close(id, code: 1013, reason: "too many connections for this invite")
                connections[id]?.closing = true
                return
            }
            connections[id]?.identity = identity
            connections[id]?.participant = Participant(
                id: invite.id, role: .investor, name: invite.name, language: language,
                organisation: invite.organisation)
            let after = resume?.after ?? 0
            withSession(invite.session, for: id) { hub in hub.admitInvestor(id, invite: invite, after: after) }
            drainBacklog(id)
        }
    }

    /// A failed sign-in: counted for its address and answered `unauthorized`, at once below
    /// the limit, after the throttle's delay above it (the connection waits, busy, meanwhile).
    private func refuseSignIn(_ message: String, peer: String, to id: ConnectionID) {
        let failure = signInFailures.record(peer)
        guard failure.delayMilliseconds > 0 else {
            unauthorized(message, to: id)
            return
        }
        connections[id]?.busy = true
        spawn {
            try? await Task.sleep(for: .milliseconds(failure.delayMilliseconds))
            await self.unauthorizedIfOpen(message, to: id)
        }
    }

    /// `unauthorized`, unless the connection closed meanwhile.
    private func unauthorizedIfOpen(_ message: String, to id: ConnectionID) {
        guard connections[id] != nil else { return }
        unauthorized(message, to: id)
    }

    /// Welcomes an investor into the invite's session: welcome, history, then live events.
    func admitInvestor(_ id: ConnectionID, invite: Invite, after: Int64) {
        guard let state = core.state(of: invite.session), let participant = connections[id]?.participant else { return }
        if state.participant(invite.id)?.removed == true {
            unauthorized("you were removed from this session", to: id)
            return
        }
        sendWelcome(to: id, session: invite.session)
        subscribe(id, invite.session, after: after, sendHistory: true)
        if state.info.status == .live {
            var joining = participant
            joining.language = invite.language
            decideAndSubmit(invite.session, for: id) { state in try state.join(joining, at: Timestamp.now()) }
        }
    }

    /// `welcome`, then `service` while the shared store is out of reach.
    private func sendWelcome(to id: ConnectionID, session sessionId: String?) {
        send(welcome(for: id, session: sessionId), to: id)
        if !storeReachable { send(serviceFrame, to: id) }
    }

    /// The `welcome` frame; `session` is the investor's session, nil for staff.
    func welcome(for id: ConnectionID, session sessionId: String?) -> JSONValue {
        guard let participant = connections[id]?.participant else { return .null }
        var sessionJSON: JSONValue = .null
        var agentId = agents.defaultPack.id
        if let sessionId, let state = core.state(of: sessionId) {
            var online = core.onlineParticipants(sessionId)
            online.insert(participant.id)
            sessionJSON = sessionObject(state, online: online)
            agentId = state.info.agent
        }
        let manifest = (agents.pack(id: agentId) ?? agents.defaultPack).manifest
        return [
            "type": "welcome", "you": participant.json(online: true), "session": sessionJSON, "protocol": 1,
            "notice": .string(manifest.notice(in: participant.language)),
            // The agent's greeting and name in the reader's language, shown above the conversation.
            "greeting": .string(manifest.greeting(in: participant.language)),
            "assistantName": .string(manifest.name(in: participant.language)),
            // Whether a provider translates whole messages: without one, pages say which
            // readers nothing translates for, and point to the phrasebook and to interpreters.
            "machineTranslation": ["engine": translator.map { .string($0.engine) } ?? .null],
        ]
    }

    /// The contract's session object for a live session.
    func sessionObject(_ state: SessionState, online: Set<String>) -> JSONValue {
        state.info.json(participants: state.participants.map { $0.json(online: online.contains($0.id)) })
    }
}
