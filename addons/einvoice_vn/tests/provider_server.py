"""A T-VAN provider on 127.0.0.1 for tests: real HTTP, scripted behaviour.

It keeps the invoices it issued by transaction UUID (so a lookup after a lost answer finds
them), counts creations per UUID (a test can prove nothing was issued twice), and plays a
script of behaviours for the next create calls: "ok", "reject", "timeout" (issue the invoice
but answer too late), "error500", "expire" (answer 401 once: the token has expired).
No odoo import: used by the Odoo tests and by the Odoo-free tests alike.

It also runs in its own process, for tests that kill an Odoo worker while it sends
(``python3 provider_server.py --store DIR``, see :func:`main`): each issued XML is then
written to ``DIR/<transaction uuid>.xml`` and each creation appended to
``DIR/creations.log``, so the test reads what the provider holds after the kill.
"""

import argparse
import base64
import hashlib
import json
import os
import sys
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
        self.answer_delay = 0.0  # seconds before answering every create call
        self.store = None  # folder that receives what was issued (own-process mode)

    def record(self, uuid, xml):
        """Keep an issued invoice on disk, when the provider has a store."""
        if not self.store:
            return
        with open(os.path.join(self.store, f"{uuid}.xml"), "wb") as stored:
            stored.write(xml)
        with open(os.path.join(self.store, "creations.log"), "a", encoding="ascii") as log:
            log.write(uuid + "\n")

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
            state.record(uuid, xml)
        if behaviour == "timeout":
            time.sleep(state.delay)
        time.sleep(state.answer_delay)
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


class LocalServer:
    """An HTTP server on 127.0.0.1 answering with ``handler`` in a background thread,
    from ``with`` to its end (the test servers of this addon build on it)."""

    def __init__(self, handler, port=0):
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


class ProviderServer(LocalServer):
    def __init__(self, port=0):
        self.state = ProviderState()
        super().__init__(type("BoundHandler", (Handler,), {"state": self.state}), port)


def main(argv=None):
    """Serve in this process until killed; print the URL as the first line of stdout."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", required=True, help="folder for the issued XML")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument(
        "--answer-delay", type=float, default=0.0, help="seconds before each create answer"
    )
    parser.add_argument(
        "--hang-at",
        type=int,
        default=0,
        help="issue the Nth created invoice but answer it only after --hang-seconds",
    )
    parser.add_argument("--hang-seconds", type=float, default=300.0)
    args = parser.parse_args(argv)
    server = ProviderServer(args.port)
    server.state.store = args.store
    server.state.answer_delay = args.answer_delay
    if args.hang_at:
        server.state.script = ["ok"] * (args.hang_at - 1) + ["timeout"]
        server.state.delay = args.hang_seconds
    sys.stdout.write(server.url + "\n")
    sys.stdout.flush()
    try:
        server.httpd.serve_forever()
    finally:
        server.httpd.server_close()


if __name__ == "__main__":
    main()
