#!/usr/bin/env python3
"""A server that refuses every request and quotes the credentials it got back in its error.

    python3 echo_server.py --port PORT

For the secret-leak tests (test_secret_leaks.cpp): some servers and proxies echo what they were
sent (OpenAI quotes part of a wrong key, "Incorrect API key provided: sk-abc***"), so an error
body may hold the caller's secret; model-monitor quotes error bodies in its messages and must
scrub them. Every request (any method, any path) gets 401 with a JSON body in the shapes the
clients parse (OpenAI/Anthropic "error.message", MLflow "error_code"/"message") and the text
of the Authorization and x-api-key headers and of the request path in the message.
Prints "echo_server: listening on http://HOST:PORT" once ready; runs until SIGTERM/SIGINT.
Python 3 standard library only.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # quiet
        pass

    def answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > 0:
            self.rfile.read(length)
        message = (f"rejected credentials: Authorization={self.headers.get('Authorization')} "
                   f"x-api-key={self.headers.get('x-api-key')} path={self.path}")
        body = json.dumps({
            "type": "error",
            "error": {"type": "authentication_error", "message": message,
                      "code": "invalid_api_key"},
            "error_code": "UNAUTHENTICATED",
            "message": message,
        }).encode()
        self.send_response(401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = answer  # noqa: N815 (http.server hooks)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    args = ap.parse_args()
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    server.daemon_threads = True

    def stop(_signum, _frame) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    host, port = server.server_address[:2]
    print(f"echo_server: listening on http://{host}:{port}", flush=True)
    server.serve_forever()
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
