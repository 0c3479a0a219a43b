"""A T-VAN provider on 127.0.0.1 for tests: real HTTP, scripted behaviour.

It keeps the invoices it issued by transaction UUID (so a lookup after a lost answer finds
them), counts creations per UUID (a test can prove nothing was issued twice), and plays a
script of behaviours for the next create calls: "ok", "reject", "timeout" (issue the invoice
but answer too late), "error500", "expire" (answer 401 once: the token has expired).
No odoo import: used by the Odoo tests and by the Odoo-free tests alike.
"""

import base64
import hashlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def send_json(handler, status, payload):
    """Answer a request of ``handler`` (a BaseHTTPRequestHandler) with JSON."""
    body = json.dumps(payload).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


class ProviderState:
    def __init__(self):
        self.lock = threading.Lock()
        self.script = []
        self.issued = {}
        self.creations = {}
        self.requests = []
        self.tokens = set()
        self.logins = 0
        self.validate = None  # callable(xml bytes) -> list of reasons (empty: valid)
        self.delay = 3.0

    def next_behaviour(self):
        with self.lock:
            return self.script.pop(0) if self.script else "ok"


class Handler(BaseHTTPRequestHandler):
    state = None  # set per server

    def log_message(self, *args):  # keep test output quiet
        pass

    def _send(self, status, payload):
        send_json(self, status, payload)

    def _body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(length) or b"{}")

    def _authorized(self):
        token = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
        return token in self.state.tokens

    def do_POST(self):
        state = self.state
        state.requests.append(("POST", self.path))
        if self.path == "/auth":
            data = self._body()
            if data.get("password") != "secret":
                return self._send(401, {"error": "bad credentials"})
            state.logins += 1
            token = f"token-{state.logins}"
            state.tokens.add(token)
            return self._send(200, {"access_token": token, "expires_in": 300})
        if self.path != "/invoices":
            return self._send(404, {"error": "not found"})
        if not self._authorized():
            return self._send(401, {"error": "token expired"})
        behaviour = state.next_behaviour()
        if behaviour == "expire":
            state.tokens.clear()
            return self._send(401, {"error": "token expired"})
        if behaviour == "error500":
            return self._send(500, {"error": "internal error"})
        data = self._body()
        uuid = data["transaction_uuid"]
        xml = base64.b64decode(data["xml"])
        reasons = state.validate(xml) if state.validate else []
        if behaviour == "reject":
            reasons = reasons or ["Mã số thuế người mua không hợp lệ (buyer tax id invalid)"]
        if reasons:
            return self._send(422, {"status": "rejected", "reasons": reasons})
        with state.lock:
            state.creations[uuid] = state.creations.get(uuid, 0) + 1
            answer = {
                "status": "accepted",
                "mccqt": hashlib.md5(uuid.encode()).hexdigest().upper()[:34].ljust(34, "0"),
                "number": str(len(state.issued) + 1),
                "xml": base64.b64encode(xml).decode(),
            }
            state.issued[uuid] = answer
        if behaviour == "timeout":
            time.sleep(state.delay)
        return self._send(200, answer)

    def do_GET(self):
        state = self.state
        state.requests.append(("GET", self.path))
        if not self._authorized():
            return self._send(401, {"error": "token expired"})
        uuid = self.path.rsplit("/", 1)[-1]
        if uuid in state.issued:
            return self._send(200, state.issued[uuid])
        return self._send(404, {"error": "unknown transaction"})


class ProviderServer:
    def __init__(self):
        self.state = ProviderState()
        handler = type("BoundHandler", (Handler,), {"state": self.state})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
