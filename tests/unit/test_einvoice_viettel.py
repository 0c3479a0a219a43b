"""Viettel SInvoice client and JSON against a local server speaking its API shape (as Odoo's
l10n_vn_edi_viettel module calls it): login, lookup by transaction UUID, create."""

import json
import threading
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from einvoice_tests.provider_server import send_json
from einvoice_tools import providers, viettel
from test_einvoice_xml import retail_invoice, usd_invoice


class Sinvoice:
    def __init__(self):
        self.created = {}
        self.reject_next = False
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, payload, status=200):
                send_json(self, status, payload)

            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.path == "/auth/login":
                    data = json.loads(raw)
                    if data["password"] != "secret":
                        return self._send({"error": "invalid_grant"}, 401)
                    return self._send({"access_token": "tok", "expires_in": 300})
                if "access_token=tok" not in (self.headers.get("Cookie") or ""):
                    return self._send({"error": "unauthorized"}, 401)
                if self.path.endswith("searchInvoiceByTransactionUuid"):
                    form = urllib.parse.parse_qs(raw.decode())
                    found = server.created.get(form["transactionUuid"][0])
                    return self._send({"result": [found] if found else None})
                if "/createInvoice/" in self.path:
                    data = json.loads(raw)
                    if server.reject_next:
                        server.reject_next = False
                        return self._send({"code": 400, "data": "Ký hiệu hóa đơn không hợp lệ"})
                    uid = data["generalInvoiceInfo"]["transactionUuid"]
                    result = {
                        "invoiceNo": f"C26TAA{len(server.created) + 1}",
                        "reservationCode": "ABC",
                        "codeOfTax": "M" * 34,
                    }
                    server.created[uid] = result
                    server.last = data
                    return self._send({"result": result})
                return self._send({"error": "not found"}, 404)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


@pytest.fixture
def sinvoice():
    server = Sinvoice()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


def client(server, password="secret"):
    return providers.ViettelClient(
        f"{server.url}/services/einvoiceapplication/api/",
        f"{server.url}/auth/login",
        "u",
        password,
        timeout=2,
    )


def doc(json_payload):
    return {
        "transaction_uuid": str(uuid.uuid4()),
        "seller_tax_id": "0100109106",
        "json": json_payload,
    }


def test_issue_then_retry_finds_it(sinvoice):
    document = doc(viettel.invoice_json(retail_invoice(), "1/001"))
    issued = client(sinvoice).issue(document)
    assert (issued.number, issued.reservation_code, len(issued.authority_code)) == (
        "C26TAA1",
        "ABC",
        34,
    )
    again = client(sinvoice).issue(document)
    assert again.number == "C26TAA1"
    assert len(sinvoice.created) == 1


def test_business_error_is_a_rejection(sinvoice):
    sinvoice.reject_next = True
    with pytest.raises(providers.ProviderError) as exc:
        client(sinvoice).issue(doc(viettel.invoice_json(retail_invoice(), "1/001")))
    assert exc.value.kind == providers.REJECTED
    assert "Ký hiệu" in exc.value.message


def test_wrong_password(sinvoice):
    with pytest.raises(providers.ProviderError) as exc:
        client(sinvoice, password="x").issue(doc({}))
    assert exc.value.kind == providers.AUTH


def test_json_keeps_zero_percent_and_kct_apart():
    data = viettel.invoice_json(usd_invoice(), "1/001")
    assert [t["taxPercentage"] for t in data["taxBreakdowns"]] == [0.0, -2]
    assert data["generalInvoiceInfo"]["currencyCode"] == "USD"
    assert data["generalInvoiceInfo"]["exchangeRate"] == 25350.0
    assert data["summarizeInfo"]["totalAmountWithTax"] == 531.25
    assert data["buyerInfo"]["buyerTaxCode"] == "0100109106-001"
