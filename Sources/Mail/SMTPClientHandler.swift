import NIOCore
import NIOSSL

/// One step of the conversation: bytes to send (none for the greeting), and the promise of the
/// reply they get. `startTLS` is set on the STARTTLS command: TLS begins when its 220 arrives.
struct SMTPRequest: Sendable {
    let bytes: ByteBuffer?
    let startTLS: SMTPTLSStart?
    let reply: EventLoopPromise<SMTPReply>
    /// How long the reply may take when not the handler's default (RFC 5321 §4.5.3.2.6:
    /// 10 minutes for the reply to the end of the message data).
    var timeout: TimeAmount? = nil
}

struct SMTPTLSStart: Sendable {
    let context: NIOSSLContext
    /// For SNI and certificate checks; nil for an IP address (NIOSSL checks the peer's IP then).
    let serverHostname: String?
}

/// The channel handler under an SMTP conversation: it writes one request at a time and
/// completes its promise with the next reply, or fails it (timeout, closed connection,
/// malformed reply, TLS error). The conversation itself, what to send and what replies mean,
/// is `SMTPTransport`'s: this type only matches replies to requests.
///
/// SMTP without PIPELINING is strictly one command, one reply, so a single outstanding request
/// is all it keeps. The greeting arrives unasked, possibly before anyone waits for it, so a
/// reply with no request waiting is kept for the next request without bytes to send.
final class SMTPClientHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = SMTPRequest
    typealias OutboundOut = ByteBuffer

    private let timeout: TimeAmount
    private var parser = SMTPReplyParser()
    private var pending: SMTPRequest?
    private var unclaimed: SMTPReply?
    private var timer: Scheduled<Void>?
    /// Once the conversation failed, every later request fails the same way.
    private var failure: (any Error)?
    /// Fails with that first error when it happens (at the latest when the handler goes).
    private var failurePromise: EventLoopPromise<Void>?

    /// Why the conversation ended, for a caller whose write found the channel already closed
    /// (a TLS handshake can fail between two requests). Set once the handler is added.
    var failureFuture: EventLoopFuture<Void>? { failurePromise?.futureResult }

    init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        failurePromise = context.eventLoop.makePromise()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        if let failure {
            request.reply.fail(failure)
            promise?.fail(failure)
            return
        }
        if let unclaimed {
            self.unclaimed = nil
            guard request.bytes == nil else {
                fail(SMTPConnectionError.unexpectedReply(unclaimed), context: context)
                request.reply.fail(SMTPConnectionError.unexpectedReply(unclaimed))
                promise?.fail(SMTPConnectionError.unexpectedReply(unclaimed))
                return
            }
            request.reply.succeed(unclaimed)
            promise?.succeed(())
            return
        }
        guard pending == nil else {
            // The conversation is strictly sequential; this is a bug in its caller, not the server.
            let error = SMTPConnectionError.commandBeforeReply
            request.reply.fail(error)
            promise?.fail(error)
            return
        }
        pending = request
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: request.timeout ?? timeout) {
            self.fail(SMTPConnectionError.timedOut, context: context)
        }
        if let bytes = request.bytes {
            context.write(wrapOutboundOut(bytes), promise: promise)
        } else {
            promise?.succeed(())
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        do {
            let replies = try parser.feed(buffer.readableBytesView)
            for (index, reply) in replies.enumerated() {
                try deliver(reply, isLast: index == replies.count - 1, context: context)
            }
        } catch {
            fail(error, context: context)
        }
    }

    private func deliver(_ reply: SMTPReply, isLast: Bool, context: ChannelHandlerContext) throws {
        guard let request = pending else {
            guard unclaimed == nil else { throw SMTPConnectionError.unexpectedReply(reply) }
            unclaimed = reply
            return
        }
        pending = nil
        timer?.cancel()
        timer = nil
        if let startTLS = request.startTLS, reply.code == 220 {
            // RFC 3207 §4.2 and CVE-2011-0411: plaintext received after the 220 could be a
            // man-in-the-middle's injected commands; it must not be read as if it came over TLS.
            guard isLast, parser.isIdle else { throw SMTPConnectionError.dataAfterStartTLS }
            let tls = try NIOSSLClientHandler(context: startTLS.context, serverHostname: startTLS.serverHostname)
            try context.pipeline.syncOperations.addHandler(tls, position: .first)
        }
        request.reply.succeed(reply)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(error, context: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(SMTPConnectionError.closed, context: context)
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        fail(SMTPConnectionError.closed, context: context)
    }

    /// Fails the waiting request (if any) and closes the connection: after an error the
    /// conversation is in an unknown state.
    private func fail(_ error: any Error, context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        guard failure == nil else { return }
        failure = error
        failurePromise?.fail(error)
        pending?.reply.fail(error)
        pending = nil
        context.close(promise: nil)
    }
}
