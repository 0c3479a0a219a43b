"""An HTTP SMS gateway on 127.0.0.1 for tests: records what it receives, answers with a
scripted status (200 by default). No odoo import.

``hold_text``: a message whose text contains it is recorded, ``held`` is set, and the answer
waits until ``release`` is set (or 60 s): a test can kill the sender while the gateway holds
the message it already counted."""

import contextlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class SmsGateway:
    def __init__(self):
        self.received = []
        self.statuses = []
        self.hold_text = None
        self.held = threading.Event()
        self.release = threading.Event()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                gateway.received.append(
                    {"body": body, "auth": self.headers.get("Authorization"), "path": self.path}
                )
                status = gateway.statuses.pop(0) if gateway.statuses else 200
                text = str(body.get("text", "")) if isinstance(body, dict) else ""
                if gateway.hold_text and gateway.hold_text in text:
                    gateway.held.set()
                    gateway.release.wait(60)
                payload = json.dumps({"status": status, "id": len(gateway.received)}).encode()
                # The sender may be gone (killed while the message was held): no answer then.
                with contextlib.suppress(OSError):
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/sms"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()
