#!/usr/bin/env python3
"""A third party's receiver of Nuvola's webhooks, with the standard library only.

Every POST is checked as README.md ("E-mail, reminders, preferences and webhooks")
describes: the signature `Nuvola-Webhook-Signature: v1=<hex>` is the HMAC-SHA256, keyed by
the webhook's secret, of "<Nuvola-Webhook-Timestamp>.<body>", compared in constant time;
the timestamp must be within five minutes; a delivery already seen (same
`Nuvola-Webhook-Id`, as on a retry or a replay) is acknowledged and not processed again.
A genuine delivery gets 204, anything else 401.

    python3 webhook_receiver.py --secret-file secret.txt [--port 8000] [--out deliveries.jsonl]

The secret is read from the file at each request (it is shown once, when the webhook is
registered: `registerWebhook(url, kinds) { secret }`). Each delivery is written to
`--out` as one JSON line: {"id", "type", "verified", "duplicate", "data"}.
"""

import argparse
import hashlib
import hmac
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOLERANCE_SECONDS = 300


def verify(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    """Whether `signature` is Nuvola's for this body and a recent timestamp."""
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > TOLERANCE_SECONDS:
        return False
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return hmac.compare_digest("v1=" + mac.hexdigest(), signature)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--secret-file", required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--out", default="-", help="where to write the deliveries (- for stdout)")
    args = parser.parse_args()

    seen = set()
    lock = threading.Lock()
    out = sys.stdout if args.out == "-" else open(args.out, "a", encoding="utf-8")

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (the standard library's name)
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            with open(args.secret_file, encoding="utf-8") as f:
                secret = f.read().strip()
            ok = verify(
                secret,
                self.headers.get("Nuvola-Webhook-Timestamp", ""),
                body,
                self.headers.get("Nuvola-Webhook-Signature", ""),
            )
            event_id = self.headers.get("Nuvola-Webhook-Id", "")
            try:
                payload = json.loads(body)
            except ValueError:
                payload = {}
            with lock:
                duplicate = ok and event_id in seen
                if ok:
                    seen.add(event_id)
                out.write(json.dumps({
                    "id": event_id,
                    "type": self.headers.get("Nuvola-Webhook-Event"),
                    "verified": ok,
                    "duplicate": duplicate,
                    "data": payload.get("data") if ok else None,
                }) + "\n")
                out.flush()
            self.send_response(204 if ok else 401)
            self.end_headers()

        def log_message(self, *_):
            pass

    server = ThreadingHTTPServer((args.host, args.port), Receiver)
    print(f"listening on http://{args.host}:{server.server_address[1]}/", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
