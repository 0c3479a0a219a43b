"""A seller-status look-up service on 127.0.0.1 for tests: real HTTP, scripted behaviour.

It speaks the protocol of ``tools/inbound.py:lookup_status``: ``GET /status?mst=<tax id>``
with an optional ``Authorization: Bearer <token>``, answering
``{"mst": "...", "status": "00", "label": "..."}``. ``statuses`` maps a tax id to its code
(unknown ids answer 404); ``token`` (when set) is required; ``script`` plays behaviours for
the next calls: "error500", "timeout" (answer after ``delay`` seconds), "garbage" (not
JSON), "ok". Every request is kept in ``requests``. No odoo import: used by the Odoo tests
and by the Odoo-free tests alike; also used as an XXE sink (any request is recorded).
"""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlparse

from .provider_server import LocalServer


class StatusState:
    def __init__(self):
        self.lock = threading.Lock()
        self.statuses = {}
        self.token = None
        self.script = []
        self.requests = []
        self.delay = 3.0

    def next_behaviour(self):
        with self.lock:
            return self.script.pop(0) if self.script else "ok"


class Handler(BaseHTTPRequestHandler):
    state = None  # set per server

    def log_message(self, *args):  # keep test output quiet
        pass

    def _send(self, status, payload, raw=None):
        body = raw if raw is not None else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        state = self.state
        with state.lock:
            state.requests.append(("GET", self.path, self.headers.get("Authorization")))
        url = urlparse(self.path)
        if url.path != "/status":
            return self._send(404, {"error": "not found"})
        if state.token and self.headers.get("Authorization") != f"Bearer {state.token}":
            return self._send(401, {"error": "bad token"})
        behaviour = state.next_behaviour()
        if behaviour == "error500":
            return self._send(500, {"error": "internal error"})
        if behaviour == "timeout":
            time.sleep(state.delay)
        if behaviour == "garbage":
            return self._send(200, None, raw=b"<html>maintenance</html>")
        tax_id = (parse_qs(url.query).get("mst") or [""])[0]
        if tax_id not in state.statuses:
            return self._send(404, {"error": "unknown tax id", "mst": tax_id})
        return self._send(200, {"mst": tax_id, "status": state.statuses[tax_id]})


class StatusServer(LocalServer):
    def __init__(self, port=0):
        self.state = StatusState()
        super().__init__(type("BoundHandler", (Handler,), {"state": self.state}), port)
        self.base_url = self.url
        self.url = f"{self.base_url}/status"
