import Dialogue
import HubCore
import Store
import Transport

extension DialogueHub {
    /// Looks a `hello` token up off the actor, then feeds the answer to the connection rules.
    func lookUpToken(_ id: ConnectionID, token: String) {
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
                await self.tokenLookUpFailed(id)
                return
            }
            await self.tokenLookedUp(id, identity: identity)
        }
    }

    private func tokenLookUpFailed(_ id: ConnectionID) {
        carryOut(connections.helloLookUpFailed(id.key))
    }

    private func tokenLookedUp(_ id: ConnectionID, identity: Identity?) {
        carryOut(connections.helloLookedUp(id.key, identity: identity, now: Timestamp.nowMilliseconds()))
    }

    /// A failed sign-in: counted for its address and answered `unauthorized`, at once below
    /// the limit, after the throttle's delay above it (the connection waits, busy, meanwhile).
    func throttleSignIn(_ id: ConnectionID, peer: String, message: String) {
        let failure = signInFailures.record(peer)
        guard failure.delayMilliseconds > 0 else {
            carryOut(connections.signInRefused(id.key, message: message))
            return
        }
        spawn {
            try? await Task.sleep(for: .milliseconds(failure.delayMilliseconds))
            await self.signInRefused(id, message: message)
        }
    }

    private func signInRefused(_ id: ConnectionID, message: String) {
        carryOut(connections.signInRefused(id.key, message: message))
    }

    /// The connection signed in: welcome staff (and resume the session they name), or admit
    /// an investor into the invite's session; then the frames that waited.
    func signedIn(_ id: ConnectionID, _ identity: Identity, resume: ClientFrame.Resume?) {
        switch identity {
        case .staff:
            sendWelcome(to: id, session: nil)
            if let resume {
                withSession(resume.session, for: id) { hub in hub.join(id, resume.session, after: resume.after) }
            }
        case .investor(let invite):
            let after = resume?.after ?? 0
            withSession(invite.session, for: id) { hub in hub.admitInvestor(id, invite: invite, after: after) }
        }
        drainBacklog(id)
    }

    /// Welcomes an investor into the invite's session: welcome, history, then live events.
    func admitInvestor(_ id: ConnectionID, invite: Invite, after: Int64) {
        guard let state = core.state(of: invite.session), let participant = connections[id]?.participant else { return }
        if state.participant(invite.id)?.removed == true {
            unauthorized("you were removed from this session", to: id)
            return
        }
        if !state.isAdmitted(invite.id) {
            if state.isDeclined(invite.id) {
                unauthorized("an officer declined your request to join this session", to: id)
            } else if !state.info.status.takesMessages {
                unauthorized("the session ended before an officer let you in", to: id)
            } else {
                waitInLobby(id, invite: invite, participant: participant)
            }
            return
        }
        sendWelcome(to: id, session: invite.session)
        subscribe(id, invite.session, after: after, sendHistory: true)
        if state.info.status.takesMessages {
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
            // The reader is in the meeting, unless it is over (then nobody is).
            if state.info.status.takesMessages { online.insert(participant.id) }
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
