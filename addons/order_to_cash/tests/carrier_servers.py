"""Carrier servers on 127.0.0.1 for tests: real HTTP, each in its carrier's format.

One server per carrier (GHN, GHTK, the generic carrier; Viettel Post has no detail call).
A test fills ``server.shipments`` (tracking ref -> :class:`Shipment`), reads
``server.requests`` (what was called, with headers and body), and sets ``server.mode``:
"ok", "error500", "timeout" (answer after ``server.delay`` seconds, longer than the
client's read timeout the test passes) or "garbage" (an answer that is not JSON).
A wrong token gets 401.

The ``*_webhook_body`` helpers build each carrier's webhook body (bytes, content type)
from simple values, so tests post real bodies.

No odoo import: used by the Odoo tests (``from .carrier_servers import ...``) and by the
Odoo-free tests alike.
"""

import json
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlencode

VIETNAM_TZ = timezone(timedelta(hours=7))


def send_json(handler, status, payload):
    """Answer a request of ``handler`` (a BaseHTTPRequestHandler) with JSON."""
    body = json.dumps(payload).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def send_garbage(handler):
    body = b"<html><body>502 Bad Gateway (upstream sent nonsense)</body></html>"
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


@dataclass
class Shipment:
    """A shipment as the carrier knows it; ``status`` is the carrier's own code."""

    status: object
    cod: int = 0
    time: datetime | None = None
    client_ref: str = ""
    cod_remitted: bool = False

    def moment(self):
        return self.time or datetime(2026, 11, 27, 9, 0, tzinfo=VIETNAM_TZ)


@dataclass
class Request:
    method: str
    path: str
    headers: dict
    body: bytes = b""
    data: dict = field(default_factory=dict)


class _Handler(BaseHTTPRequestHandler):
    server_ref = None  # the CarrierServer, set per server

    def log_message(self, *args):  # keep test output quiet
        pass

    def _handle(self, method):
        server = self.server_ref
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        try:
            data = json.loads(body) if body else {}
        except ValueError:
            data = {}
        request = Request(method, self.path, dict(self.headers.items()), body, data)
        with server.lock:
            server.requests.append(request)
        if not server.authorized(self.headers):
            return server.unauthorized(self)
        if server.mode == "error500":
            return send_json(self, 500, {"error": "internal server error"})
        if server.mode == "timeout":
            time.sleep(server.delay)
        if server.mode == "garbage":
            return send_garbage(self)
        return server.answer(self, request)

    def do_GET(self):
        self._handle("GET")

    def do_POST(self):
        self._handle("POST")


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # A client that gave up (the "timeout" mode) leaves a broken pipe: not an error.
        pass


class CarrierServer:
    """A local HTTP server; subclasses speak one carrier's format."""

    def __init__(self, token="secret-token", port=0):
        self.token = token
        self.shipments = {}
        self.requests = []
        self.mode = "ok"
        self.delay = 2.0
        self.lock = threading.Lock()
        handler = type("BoundHandler", (_Handler,), {"server_ref": self})
        self.httpd = _QuietServer(("127.0.0.1", port), handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()

    def known(self):
        """The shipments as :class:`Shipment` (a test may set plain dicts with its fields)."""
        return {
            ref: value if isinstance(value, Shipment) else Shipment(**value)
            for ref, value in self.shipments.items()
        }

    def add(self, ref, status, cod=0, time=None, client_ref="", cod_remitted=False):
        """Let the carrier know a shipment ``ref`` in its status code ``status``."""
        self.shipments[ref] = Shipment(status, cod, time, client_ref, cod_remitted)
        return self.shipments[ref]

    def authorized(self, headers):
        return headers.get("Token") == self.token

    def unauthorized(self, handler):
        return send_json(handler, 401, {"message": "Token is invalid"})

    def answer(self, handler, request):
        raise NotImplementedError


class GhnServer(CarrierServer):
    """GHN: POST /shiip/public-api/v2/shipping-order/detail-by-client-code."""

    PATH = "/shiip/public-api/v2/shipping-order/detail-by-client-code"

    def unauthorized(self, handler):
        return send_json(handler, 401, {"code": 401, "message": "Token is invalid", "data": None})

    def answer(self, handler, request):
        if request.method != "POST" or request.path != self.PATH:
            return send_json(handler, 404, {"code": 404, "message": "Not found", "data": None})
        client_ref = request.data.get("client_order_code")
        for ref, shipment in self.known().items():
            if shipment.client_ref == client_ref:
                return send_json(
                    handler,
                    200,
                    {
                        "code": 200,
                        "message": "Success",
                        "data": {
                            "order_code": ref,
                            "client_order_code": shipment.client_ref,
                            "status": shipment.status,
                            "cod_amount": shipment.cod,
                            "is_cod_transferred": shipment.cod_remitted,
                            "updated_date": shipment.moment()
                            .astimezone(timezone.utc)
                            .isoformat()
                            .replace("+00:00", "Z"),
                        },
                    },
                )
        return send_json(
            handler,
            400,
            {
                "code": 400,
                "message": "Không tìm thấy đơn hàng",
                "data": None,
                "code_message": "ORDER_NOT_FOUND",
            },
        )


class GhtkServer(CarrierServer):
    """GHTK: GET /services/shipment/v2/{label or partner id}."""

    PATH = "/services/shipment/v2/"

    def unauthorized(self, handler):
        return send_json(handler, 401, {"success": False, "message": "Token không hợp lệ"})

    def answer(self, handler, request):
        if request.method != "GET" or not request.path.startswith(self.PATH):
            return send_json(handler, 404, {"success": False, "message": "Not found"})
        code = unquote(request.path[len(self.PATH) :])
        for ref, shipment in self.known().items():
            if code in (ref, shipment.client_ref):
                return send_json(
                    handler,
                    200,
                    {
                        "success": True,
                        "message": "",
                        "order": {
                            "label_id": ref,
                            "partner_id": shipment.client_ref,
                            "status": str(shipment.status),
                            "status_text": "",
                            "modified": shipment.moment()
                            .astimezone(VIETNAM_TZ)
                            .strftime("%Y-%m-%d %H:%M:%S"),
                            "pick_money": shipment.cod,
                        },
                    },
                )
        return send_json(handler, 200, {"success": False, "message": "Không tìm thấy vận đơn"})


class GenericServer(CarrierServer):
    """The generic carrier: GET /shipments/{ref} with ``Authorization: Bearer <token>``."""

    def authorized(self, headers):
        return headers.get("Authorization") == f"Bearer {self.token}"

    def unauthorized(self, handler):
        return send_json(handler, 401, {"error": "bad token"})

    def answer(self, handler, request):
        ref = unquote(request.path.removeprefix("/shipments/"))
        shipment = self.known().get(ref)
        if request.method != "GET" or not shipment:
            return send_json(handler, 404, {"error": "unknown shipment"})
        return send_json(
            handler,
            200,
            {
                "tracking_ref": ref,
                "client_ref": shipment.client_ref,
                "status": shipment.status,
                "time": shipment.moment().isoformat(),
                "cod_amount": shipment.cod,
                "cod_remitted": shipment.cod_remitted,
            },
        )


# -- webhook bodies --------------------------------------------------------------------------


def _iso(moment):
    return moment.isoformat() if isinstance(moment, datetime) else moment


def ghn_webhook_body(
    order_code,
    status,
    time,
    client_order_code="",
    type="switch_status",
    reason="",
    reason_code="",
    cod_amount=0,
    total_fee=0,
    cod_transfer_date=None,
):
    """A GHN webhook body: (bytes, content type). ``time`` a datetime or a string."""
    payload = {
        "CODAmount": cod_amount,
        "CODTransferDate": cod_transfer_date,
        "ClientOrderCode": client_order_code,
        "ConvertedWeight": 200,
        "Description": "",
        "Fee": {"MainService": total_fee, "Total": total_fee},
        "IsPartialReturn": False,
        "OrderCode": order_code,
        "PaymentType": 1,
        "Reason": reason,
        "ReasonCode": reason_code,
        "ShopID": 81558,
        "Status": status,
        "Time": _iso(time),
        "TotalFee": total_fee,
        "Type": type,
        "Weight": 200,
    }
    return json.dumps(payload).encode(), "application/json"


def ghtk_webhook_body(
    label_id,
    status_id,
    action_time,
    partner_id="",
    reason_code="",
    reason="",
    fee=0,
    pick_money=0,
    weight=0.5,
    as_json=False,
):
    """A GHTK webhook body: (bytes, content type), form-encoded unless ``as_json``."""
    payload = {
        "label_id": label_id,
        "partner_id": partner_id,
        "status_id": status_id,
        "action_time": _iso(action_time),
        "reason_code": reason_code,
        "reason": reason,
        "weight": weight,
        "fee": fee,
        "pick_money": pick_money,
        "return_part_package": 0,
    }
    if as_json:
        return json.dumps(payload).encode(), "application/json"
    return urlencode(payload).encode(), "application/x-www-form-urlencoded"


def viettelpost_webhook_body(
    order_number,
    order_status,
    status_date,
    order_reference="",
    token="",
    status_name="",
    note="",
    money_collection=0,
    money_total=0,
):
    """A Viettel Post webhook body: (bytes, content type).

    ``status_date`` a datetime (written day first in Vietnam time, as Viettel Post does)
    or a string.
    """
    if isinstance(status_date, datetime):
        if status_date.tzinfo:
            status_date = status_date.astimezone(VIETNAM_TZ)
        status_date = status_date.strftime("%d/%m/%Y %H:%M:%S")
    payload = {
        "DATA": {
            "ORDER_NUMBER": order_number,
            "ORDER_REFERENCE": order_reference,
            "ORDER_STATUSDATE": status_date,
            "ORDER_STATUS": order_status,
            "STATUS_NAME": status_name,
            "LOCALION_CURRENTLY": "",
            "NOTE": note,
            "MONEY_COLLECTION": money_collection,
            "MONEY_FEECOD": 0,
            "MONEY_TOTAL": money_total,
            "EXPECTED_DELIVERY": "",
            "PRODUCT_WEIGHT": 500,
            "ORDER_SERVICE": "VCN",
        },
        "TOKEN": token,
    }
    return json.dumps(payload).encode(), "application/json"


def generic_webhook_body(tracking_ref, status, time, client_ref="", reason="", cod_amount=None):
    """A generic carrier webhook body: (bytes, content type); ``status`` one of our states."""
    payload = {
        "tracking_ref": tracking_ref,
        "client_ref": client_ref,
        "status": status,
        "time": _iso(time),
        "reason": reason,
    }
    if cod_amount is not None:
        payload["cod_amount"] = cod_amount
    return json.dumps(payload).encode(), "application/json"
