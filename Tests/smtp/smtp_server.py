"""A real SMTP server for the Mail module's tests (Tests/MailTests), on aiosmtpd.

Listens on 127.0.0.1 on a free port and prints that port on stdout, alone on the first line.
Every accepted message is saved, byte for byte as received (after dot-unstuffing), into the
Maildir --maildir DIR (tmp/ then new/), with its envelope and session in DIR/envelopes/NAME.json.
Stops when its standard input closes (the test ended or died) or on SIGTERM.

Options:
  --starttls CERT KEY     offer STARTTLS with this certificate
  --implicit-tls CERT KEY TLS from the first byte (smtps)
  --auth USER:PASS        require AUTH with these credentials (over TLS when TLS is offered)
  --auth-mechanisms LIST  offer only these mechanisms, e.g. LOGIN
  --reject-rcpt ADDRESS   answer RCPT TO:<ADDRESS> with 550 5.1.1 (repeatable)
  --tempfail-first N      answer the first N MAIL FROM with 451 4.3.0
  --stall                 accept connections and never say anything (for timeouts)
  --port N                listen on this port rather than a free one
"""

import argparse
import asyncio
import json
import os
import signal
import ssl
import sys
import time
import uuid

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Handler:
    def __init__(self, maildir, rejected, tempfail_first):
        self.maildir = maildir
        self.rejected = {address.lower() for address in rejected}
        self.tempfail_left = tempfail_first
        for sub in ("tmp", "new", "cur", "envelopes"):
            os.makedirs(os.path.join(maildir, sub), exist_ok=True)

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.tempfail_left > 0:
            self.tempfail_left -= 1
            return "451 4.3.0 Temporary failure, try again later"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.rejected:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        name = f"{time.time():.6f}.{os.getpid()}.{uuid.uuid4().hex}.test"
        temporary = os.path.join(self.maildir, "tmp", name)
        with open(temporary, "wb") as file:
            file.write(envelope.original_content)
        os.rename(temporary, os.path.join(self.maildir, "new", name))
        transport = server.transport
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "mail_options": envelope.mail_options,
            "helo": session.host_name,
            "tls": transport is not None and transport.get_extra_info("ssl_object") is not None,
            "authenticated": bool(session.authenticated),
            "auth_user": session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else None,
        }
        with open(os.path.join(self.maildir, "envelopes", name + ".json"), "w") as file:
            json.dump(record, file)
        return "250 2.0.0 OK: queued as " + name


class Authenticator:
    def __init__(self, user, password):
        self.user = user.encode()
        self.password = password.encode()

    def __call__(self, server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == self.user
            and auth_data.password == self.password
        )
        # handled=False: let aiosmtpd answer a failure with its 535.
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)


def tls_context(cert, key):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


async def stall(reader, writer):
    await asyncio.sleep(3600)


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--maildir", required=True)
    parser.add_argument("--starttls", nargs=2, metavar=("CERT", "KEY"))
    parser.add_argument("--implicit-tls", nargs=2, metavar=("CERT", "KEY"))
    parser.add_argument("--auth")
    parser.add_argument("--auth-mechanisms")
    parser.add_argument("--reject-rcpt", action="append", default=[])
    parser.add_argument("--tempfail-first", type=int, default=0)
    parser.add_argument("--stall", action="store_true")
    parser.add_argument("--port", type=int, default=0, help="listen on this port (default: a free one)")
    options = parser.parse_args()

    loop = asyncio.get_running_loop()
    handler = Handler(options.maildir, options.reject_rcpt, options.tempfail_first)
    settings = {}
    if options.starttls:
        settings["tls_context"] = tls_context(*options.starttls)
    if options.auth:
        user, _, password = options.auth.partition(":")
        settings["authenticator"] = Authenticator(user, password)
        settings["auth_required"] = True
        # With STARTTLS offered, AUTH only after it; otherwise AUTH in plaintext on loopback.
        settings["auth_require_tls"] = bool(options.starttls)
        if options.auth_mechanisms:
            wanted = set(options.auth_mechanisms.upper().split(","))
            settings["auth_exclude_mechanism"] = [m for m in ("PLAIN", "LOGIN") if m not in wanted]
    implicit = tls_context(*options.implicit_tls) if options.implicit_tls else None

    if options.stall:
        server = await asyncio.start_server(stall, "127.0.0.1", options.port)
    else:
        server = await loop.create_server(
            lambda: SMTP(handler, hostname="mail.test", **settings), "127.0.0.1", options.port, ssl=implicit
        )
    print(server.sockets[0].getsockname()[1], flush=True)

    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)

    def stdin_readable():
        if not os.read(sys.stdin.fileno(), 4096):
            stop.set()

    loop.add_reader(sys.stdin.fileno(), stdin_readable)
    await stop.wait()
    server.close()


if __name__ == "__main__":
    asyncio.run(main())
