#!/usr/bin/env python3
"""A stand-in for a Slack incoming webhook, for tests and the demo (Python standard library only).

    python3 scripts/slack_standin.py --port 0 --record requests.jsonl

Listens on 127.0.0.1 (--host) and prints "slack_standin: listening on http://HOST:PORT" once
ready (--port 0 picks a free port). Answers like Slack does
(https://api.slack.com/messaging/webhooks, and the error strings of
https://api.slack.com/changelog/2016-05-17-changes-to-errors-for-incoming-webhooks):

  POST <--path> (default /services/T000/B000/XXXX)
      body: JSON (Content-Type: application/json) or form field payload=<JSON>
      200 "ok"               a JSON object with "text" and/or "blocks"
      400 "invalid_payload"  not JSON, not an object, or "text" not a string
      400 "no_text"          neither "text" nor "blocks"
      400 "invalid_blocks"   blocks that break Block Kit's limits (header 150 characters,
                             section text 3000, at most 10 fields of 2000, context 1..10)
  POST any other path      404 "no_service" (an unknown or revoked webhook)

Fault injection: POST /_control {"mode": M, "count": N, "retry_after": S, "delay_s": D}
  mode: normal | http_500 (500 rollup_error) | http_429 (429 rate_limited + Retry-After: S,
        default 1) | invalid_payload (400) | channel_not_found (404) | channel_is_archived (410)
        | action_prohibited (403) | no_service (404) | slow (waits D seconds, then normal)
  count: the mode applies to the next N webhook requests, then "normal" again (default: all).
GET /_health answers 200 "ok".

--record FILE appends one JSON object per webhook request (also the refused ones):
  {"time", "method", "path", "headers": {name: value}, "body", "status", "response"}.
Runs until SIGTERM/SIGINT.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import time
import urllib.parse
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

FAULTS = {
    "http_500": (500, "rollup_error"),
    "http_429": (429, "rate_limited"),
    "invalid_payload": (400, "invalid_payload"),
    "channel_not_found": (404, "channel_not_found"),
    "channel_is_archived": (410, "channel_is_archived"),
    "action_prohibited": (403, "action_prohibited"),
    "no_service": (404, "no_service"),
}
MODES = {"normal", "slow", *FAULTS}


class State:
    def __init__(self, webhook_path: str, record: str | None) -> None:
        self.webhook_path = webhook_path
        self.record = record
        self.lock = threading.Lock()
        self.mode = "normal"
        self.count: int | None = None
        self.retry_after = 1
        self.delay_s = 0.0

    def take_mode(self) -> tuple[str, int, float]:
        """The mode for this request (and consume one of its count)."""
        with self.lock:
            mode = self.mode
            if self.count is not None:
                self.count -= 1
                if self.count <= 0:
                    self.mode, self.count = "normal", None
            return mode, self.retry_after, self.delay_s

    def write_record(self, entry: dict) -> None:
        if not self.record:
            return
        with self.lock, open(self.record, "a", encoding="utf-8") as f:
            f.write(json.dumps(entry, ensure_ascii=False) + "\n")


def _text_len_ok(obj: object, limit: int) -> bool:
    return isinstance(obj, dict) and isinstance(obj.get("text"), str) and len(obj["text"]) <= limit


def validate_blocks(blocks: object) -> bool:
    """Block Kit limits that matter for our messages (https://api.slack.com/reference/block-kit)."""
    if not isinstance(blocks, list) or len(blocks) > 50:
        return False
    for block in blocks:
        if not isinstance(block, dict) or not isinstance(block.get("type"), str):
            return False
        kind = block["type"]
        if kind == "header":
            text = block.get("text")
            if not _text_len_ok(text, 150) or text.get("type") != "plain_text":
                return False
        elif kind == "section":
            text, fields = block.get("text"), block.get("fields")
            if text is None and fields is None:
                return False
            if text is not None and not _text_len_ok(text, 3000):
                return False
            if fields is not None and (
                not isinstance(fields, list)
                or not 1 <= len(fields) <= 10
                or not all(_text_len_ok(f, 2000) for f in fields)
            ):
                return False
        elif kind == "context":
            elements = block.get("elements")
            if not isinstance(elements, list) or not 1 <= len(elements) <= 10:
                return False
    return True


def validate_payload(content_type: str, body: bytes) -> tuple[int, str]:
    try:
        text = body.decode("utf-8")
        if content_type.startswith("application/x-www-form-urlencoded"):
            text = urllib.parse.parse_qs(text).get("payload", [""])[0]
        payload = json.loads(text)
    except (UnicodeDecodeError, ValueError):
        return 400, "invalid_payload"
    if not isinstance(payload, dict):
        return 400, "invalid_payload"
    if "text" in payload and not isinstance(payload["text"], str):
        return 400, "invalid_payload"
    if not payload.get("text") and not payload.get("blocks"):
        return 400, "no_text"
    if "blocks" in payload and not validate_blocks(payload["blocks"]):
        return 400, "invalid_blocks"
    return 200, "ok"


def make_handler(state: State):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as libcurl expects
        server_version = "slack-standin"

        def log_message(self, fmt: str, *args) -> None:  # noqa: D401 (quiet by default)
            return

        def _answer(self, status: int, text: str, extra: dict | None = None) -> None:
            data = text.encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "text/html")  # what hooks.slack.com sends
            self.send_header("Content-Length", str(len(data)))
            for name, value in (extra or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def _body(self) -> bytes:
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length > 0 else b""

        def do_GET(self) -> None:  # noqa: N802 (http.server hook name)
            if self.path == "/_health":
                self._answer(200, "ok")
            else:
                self._answer(404, "no_service")

        def do_POST(self) -> None:  # noqa: N802
            body = self._body()
            if self.path == "/_control":
                self._control(body)
                return
            extra: dict = {}
            if self.path != state.webhook_path:
                status, text = 404, "no_service"
            else:
                mode, retry_after, delay_s = state.take_mode()
                if mode == "slow":
                    time.sleep(delay_s)
                if mode in FAULTS:
                    status, text = FAULTS[mode]
                    if mode == "http_429":
                        extra["Retry-After"] = str(retry_after)
                else:
                    status, text = validate_payload(self.headers.get("Content-Type", ""), body)
            state.write_record({
                "time": datetime.now(timezone.utc).isoformat(),
                "method": "POST",
                "path": self.path,
                "headers": {k: v for k, v in self.headers.items()},
                "body": body.decode("utf-8", "replace"),
                "status": status,
                "response": text,
            })
            try:
                self._answer(status, text, extra)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (its timeout): nothing to answer

        def _control(self, body: bytes) -> None:
            try:
                req = json.loads(body or b"{}")
                mode = req.get("mode", "normal")
                if mode not in MODES:
                    raise ValueError(f"unknown mode {mode!r}; accepted: {sorted(MODES)}")
                count = req.get("count")
                with state.lock:
                    state.mode = mode
                    state.count = int(count) if count is not None else None
                    state.retry_after = int(req.get("retry_after", 1))
                    state.delay_s = float(req.get("delay_s", 0))
            except (ValueError, TypeError, AttributeError) as e:
                self._answer(400, f"bad control request: {e}")
                return
            self._answer(200, "ok")

    return Handler


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0, help="0: a free port, printed at start")
    ap.add_argument("--path", default="/services/T000/B000/XXXX", help="the webhook's path")
    ap.add_argument("--record", help="append each webhook request as a JSON line to this file")
    args = ap.parse_args()

    state = State(args.path, args.record)
    server = ThreadingHTTPServer((args.host, args.port), make_handler(state))
    server.daemon_threads = True
    host, port = server.server_address[:2]

    def stop(_signum, _frame) -> None:
        # shutdown() waits for serve_forever() to return: call it from another thread.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"slack_standin: listening on http://{host}:{port}", flush=True)
    server.serve_forever()
    server.server_close()
    print("slack_standin: stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
