"""A Viettel SInvoice API on 127.0.0.1 for tests: real HTTP, the API shape Odoo's
l10n_vn_edi_viettel calls (login, search by transaction UUID, createInvoice). It keeps every
createInvoice JSON it received, so a test can check what was sent. No odoo import.

The authority code is ``codeOfTax``; ``reservationCode`` is the buyer's look-up secret.
With ``code_on_create`` (cash-register invoices) createInvoice answers the code at once;
without it, the code comes later (:meth:`SinvoiceServer.assign_codes`) and only the search
call shows it, as SInvoice does for invoices the authority codes after creation."""

import json
import urllib.parse
from http.server import BaseHTTPRequestHandler

from .provider_server import LocalServer, send_json


class SinvoiceServer(LocalServer):
    def __init__(self):
        self.created = {}
        self.received = []
        self.code_on_create = True
        self.extra = {}  # more keys in createInvoice's result (what another SInvoice adds)
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.path == "/auth/login":
                    if json.loads(raw).get("password") != "secret":
                        return send_json(self, 401, {"error": "invalid_grant"})
                    return send_json(self, 200, {"access_token": "tok", "expires_in": 300})
                if "access_token=tok" not in (self.headers.get("Cookie") or ""):
                    return send_json(self, 401, {"error": "unauthorized"})
                if self.path.endswith("searchInvoiceByTransactionUuid"):
                    form = urllib.parse.parse_qs(raw.decode())
                    found = server.created.get(form["transactionUuid"][0])
                    return send_json(self, 200, {"result": [found] if found else None})
                if "/createInvoice/" in self.path:
                    data = json.loads(raw)
                    info = data["generalInvoiceInfo"]
                    result = {
                        "invoiceNo": f"{info['invoiceSeries']}{len(server.created) + 1}",
                        "reservationCode": f"R{len(server.created) + 1}",
                        "codeOfTax": server.code_for(len(server.created) + 1)
                        if server.code_on_create
                        else None,
                    }
                    result.update(server.extra)
                    server.created[info["transactionUuid"]] = result
                    server.received.append(data)
                    return send_json(self, 200, {"result": result})
                return send_json(self, 404, {"error": "not found"})

        super().__init__(Handler)

    @staticmethod
    def code_for(number):
        return f"M{number:033d}"

    def assign_codes(self):
        """The authority codes the invoices created without one."""
        for number, result in enumerate(self.created.values(), start=1):
            result["codeOfTax"] = result.get("codeOfTax") or self.code_for(number)
