#!/usr/bin/env python3
"""A real but minimal SMTP server for tests and the demo: every accepted message becomes one file.

    $MM_VENV/bin/python scripts/smtp_sink.py --host 127.0.0.1 --port 10025 --spool DIR

Plain SMTP (no STARTTLS). AUTH PLAIN/LOGIN is advertised and optional: without
SMTP_SINK_USER/SMTP_SINK_PASSWORD any credentials are accepted; with them, only those.
Each message is written as DIR/<utc-timestamp>-<seq>-<uuid>.eml: the message bytes exactly as
received, preceded by X-Envelope-From / X-Envelope-To (and X-Auth-User after AUTH) headers (the SMTP
envelope, which is not otherwise visible in the message). Files appear atomically (written to
a hidden temp file, then renamed), so a test may poll the directory for *.eml.
Runs in the foreground until SIGTERM/SIGINT.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import signal
import sys
import uuid
from datetime import datetime, timezone
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class SpoolHandler:
    def __init__(self, spool: Path) -> None:
        self.spool = spool
        self.seq = itertools.count(1)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd hook name)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S.%fZ")
        name = f"{stamp}-{next(self.seq):06d}-{uuid.uuid4().hex[:8]}.eml"
        auth_user = ""
        if session.authenticated and session.auth_data is not None:
            login = getattr(session.auth_data, "login", b"")
            auth_user = login.decode("utf-8", "replace") if isinstance(login, bytes) else str(login)
        head = (
            f"X-Envelope-From: {envelope.mail_from}\r\n"
            f"X-Envelope-To: {', '.join(envelope.rcpt_tos)}\r\n"
            + (f"X-Auth-User: {auth_user}\r\n" if auth_user else "")
        ).encode("utf-8")
        body = envelope.original_content or envelope.content or b""
        if isinstance(body, str):
            body = body.encode("utf-8")
        tmp = self.spool / f".{name}.tmp"
        tmp.write_bytes(head + body)
        os.replace(tmp, self.spool / name)
        print(f"smtp_sink: stored {name} from={envelope.mail_from} to={envelope.rcpt_tos}",
              flush=True)
        return "250 Message accepted for delivery"


def make_authenticator():
    want_user = os.environ.get("SMTP_SINK_USER")
    want_pass = os.environ.get("SMTP_SINK_PASSWORD")

    def authenticator(server, session, envelope, mechanism, auth_data):
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        if want_user is None or want_pass is None:
            return AuthResult(success=True, auth_data=auth_data)
        ok = (auth_data.login.decode("utf-8", "replace") == want_user
              and auth_data.password.decode("utf-8", "replace") == want_pass)
        # handled=False on failure: aiosmtpd then answers "535 5.7.8"; with handled=True it sends
        # nothing and the client hangs until its timeout.
        return AuthResult(success=ok, handled=ok, auth_data=auth_data if ok else None)

    return authenticator


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=10025)
    ap.add_argument("--spool", required=True, help="directory where messages are stored")
    args = ap.parse_args()

    spool = Path(args.spool)
    spool.mkdir(parents=True, exist_ok=True)
    controller = Controller(
        SpoolHandler(spool),
        hostname=args.host,
        port=args.port,
        server_hostname="model-monitor-smtp-sink",
        authenticator=make_authenticator(),
        auth_required=False,
        auth_require_tls=False,  # plain SMTP on 127.0.0.1: allow AUTH without TLS
        data_size_limit=10 * 1024 * 1024,
    )
    controller.start()
    print(f"smtp_sink: listening on {args.host}:{args.port}, spool {spool}", flush=True)

    stop = asyncio.Event()

    async def wait_for_signal() -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()

    try:
        asyncio.run(wait_for_signal())
    finally:
        controller.stop()
        print("smtp_sink: stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
