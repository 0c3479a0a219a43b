"""A T-VAN on 127.0.0.1 for tests, speaking the tax authority's TDiep messages over real
HTTP, with scripted behaviour. The transport is the one ``tools.providers.TvanClient``
documents: ``POST /auth`` (JSON login, bearer token), ``POST /tdiep`` (one TDiep 200, 203 or
300; the answer is its 999 receipt), ``GET /tdiep?ref=<MTDiep>`` (``DSTDiep`` with every
message referring to that MTDiep: 999, 202, 204, 301).

It plays the tax authority too: a 200 gets a 202 (the HDon with an MCCQT and the
authority's signature in DSCKS/CQT, made with a test "tax authority" certificate issued by
a throw-away CA: :attr:`ProviderState.authority`, :func:`ca_pem`), a 203 a 204 "valid", a
300 (a 04/SS notice, whose taxpayer signature it verifies) a signed 301. It counts the
messages received per MTDiep (``messages``) and the invoices coded per transaction UUID
(``creations``: the UUID is the last 32 characters of our MTDiep), so a test can prove that
nothing was sent or issued twice.

``script`` lists the behaviours of the next posts: "ok"; "reject" (204: not eligible for a
code, the buyer's MST); "technical" (999 with TTTNhan 1); "timeout" (process the message,
answer its 999 only after ``delay`` seconds); "error500"; "expire" (401 once: the token has
expired); "pending" (999 only; the answer waits for :meth:`ProviderState.release`);
"bad_signature" (the 202's MCCQT changed after the authority signed it); "foreign_authority"
(the 202 signed by a certificate that is not the authority's); "other_invoice" (the 202
codes another number than the invoice sent, signed by the authority); "notice_refused" (the 301
does not accept the notice). Answers that are signed by the authority but not tied to what
was sent: "receipt_other" (the 999 acknowledges another MTDiep), "answer_other_reference"
(the 202/204/301's MTDTChieu is another MTDiep), "answer_other_seller" (the 301 or 204 is for
another MST), "answer_other_invoice" (the 301 answers another SHDon; the 204 refusal names
another one: combined with a refusal). The 204 is signed by the authority like the 202 and
301; "check_bad_signature" (a 204 refusal changed after signing), "check_unsigned" (a 204
refusal without signature), "foreign_authority" signs it with the impostor too.
``validate(hdon bytes)`` may return reasons: a 204 refusal.
No odoo import: used by the Odoo tests and by the Odoo-free tests alike.

It also runs in its own process, for tests that kill an Odoo worker while it sends
(``python3 provider_server.py --store DIR``, see :func:`main`): each invoice received is then
written to ``DIR/<transaction uuid>.xml`` and each coding appended to ``DIR/creations.log``.
"""

import argparse
import contextlib
import datetime
import importlib
import importlib.util
import json
import os
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from lxml import etree


def _load_by_path():
    """signer, tdiep and supplier_invoices outside Odoo: from the Odoo-free tests'
    ``einvoice_tools``, or loaded by path when this file runs as a script."""
    here = Path(__file__).resolve().parent
    if "einvoice_tools" not in sys.modules:
        tools = here.parent / "tools"
        spec = importlib.util.spec_from_file_location(
            "einvoice_tools", tools / "__init__.py", submodule_search_locations=[str(tools)]
        )
        module = importlib.util.module_from_spec(spec)
        sys.modules["einvoice_tools"] = module
        spec.loader.exec_module(module)
    # Our own copy: the Odoo-free tests load supplier_invoices under another name later.
    spec = importlib.util.spec_from_file_location(
        "einvoice_provider_factory", here / "supplier_invoices.py"
    )
    loaded = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(loaded)
    return (
        importlib.import_module("einvoice_tools.signer"),
        importlib.import_module("einvoice_tools.tdiep"),
        loaded,
    )


try:  # inside Odoo: odoo.addons.einvoice_vn.tests
    from ..tools import signer, tdiep
    from . import supplier_invoices as factory
except ImportError:
    signer, tdiep, factory = _load_by_path()

TVAN_CODE = "V0106026495"
AUTHORITY_MST = factory.AUTHORITY_MST
_KEYS = {}


def authority_keys():
    """(CA, authority certificate, foreign certificate), made once per process: the CA
    issues the "tax authority" certificate (UID=MST:AUTHORITY_MST, CN TỔNG CỤC THUẾ) and a
    certificate of somebody else (an impostor the client must refuse)."""
    if not _KEYS:
        ca = factory.make_ca("Test T-VAN root CA")
        not_before = datetime.datetime.now() - datetime.timedelta(days=30)
        not_after = datetime.datetime.now() + datetime.timedelta(days=365)
        _KEYS["keys"] = (
            ca,
            factory.make_cert(
                ca, AUTHORITY_MST, common_name="TỔNG CỤC THUẾ", not_before=not_before,
                not_after=not_after,
            ),
            factory.make_cert(
                ca, "0109876543", common_name="CÔNG TY GIẢ MẠO", not_before=not_before,
                not_after=not_after,
            ),
        )  # fmt: skip
    return _KEYS["keys"]


def ca_pem():
    """The PEM of the CA that issued the test authority's certificate (to trust it)."""
    from cryptography.hazmat.primitives import serialization  # noqa: PLC0415

    return authority_keys()[0].certificate.public_bytes(serialization.Encoding.PEM).decode()


def send_json(handler, status, payload):
    """Answer a request of ``handler`` (a BaseHTTPRequestHandler) with JSON."""
    send_body(handler, status, json.dumps(payload).encode(), "application/json")


def send_body(handler, status, body, content_type="application/xml"):
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    # The client may have given up waiting (the timeout tests): nothing to answer then.
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        handler.wfile.write(body)


class ProviderState:
    def __init__(self):
        self.lock = threading.Lock()
        self.script = []
        self.issued = {}  # transaction UUID -> the HDon received (bytes)
        self.creations = {}  # transaction UUID -> times it was coded
        self.messages = {}  # MTDiep -> times a message with it was posted
        self.received = {}  # MTDiep -> the last TDiep posted with it (bytes)
        self.answers = {}  # MTDiep -> answer messages (bytes) the look-up returns
        self.held = {}  # MTDiep -> answers kept back ("pending")
        self.requests = []
        self.tokens = set()
        self.logins = 0
        self.validate = None  # callable(xml bytes) -> list of reasons (empty: valid)
        self.delay = 3.0
        self.answer_delay = 0.0  # seconds before answering every post
        self.store = None  # folder that receives what was issued (own-process mode)
        self.ca, self.authority, self.foreign = authority_keys()

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

    def release(self, mtdiep=None):
        """Let the authority's answers kept back ("pending") reach the look-up."""
        with self.lock:
            for key in [mtdiep] if mtdiep else list(self.held):
                self.answers.setdefault(key, []).extend(self.held.pop(key, []))

    def count(self, message_type):
        """How many messages of ``message_type`` were posted (repeats included)."""
        with self.lock:
            return sum(
                times
                for key, times in self.messages.items()
                if tdiep.parse(self.received[key]).type == message_type
            )


def coded_hdon(state, hdon, transaction, behaviour="ok"):
    """A copy of ``hdon`` with MCCQT before DSCKS and the authority's signature over
    DLHDon and MCCQT (a foreign signer or a changed MCCQT for the hostile behaviours)."""
    root = etree.fromstring(etree.tostring(hdon))
    if behaviour == "other_invoice":
        number = root.find("DLHDon/TTChung/SHDon")
        number.text = str(int(number.text) + 1)
    code = etree.Element("MCCQT", Id="MCCQT")
    code.text = transaction.replace("-", "").upper()[:32] + "AA"
    root.find("DSCKS").addprevious(code)
    certificate = state.foreign if behaviour == "foreign_authority" else state.authority
    signer.sign(root, certificate, signature_id="CQT", holder="CQT", extra_references=[code])
    if behaviour == "bad_signature":
        code.text = "0" * 34
    return root


class Handler(BaseHTTPRequestHandler):
    state = None  # set per server

    def log_message(self, *args):  # keep test output quiet
        pass

    def _send(self, status, payload):
        send_json(self, status, payload)

    def _authorized(self):
        token = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
        return token in self.state.tokens

    def _raw(self):
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def do_POST(self):
        state = self.state
        state.requests.append(("POST", self.path))
        if self.path == "/auth":
            data = json.loads(self._raw() or b"{}")
            if data.get("password") != "secret":
                return self._send(401, {"error": "bad credentials"})
            state.logins += 1
            token = f"token-{state.logins}"
            state.tokens.add(token)
            return self._send(200, {"access_token": token, "expires_in": 300})
        if self.path != "/tdiep":
            return self._send(404, {"error": "not found"})
        if not self._authorized():
            return self._send(401, {"error": "token expired"})
        behaviour = state.next_behaviour()
        if behaviour == "expire":
            state.tokens.clear()
            return self._send(401, {"error": "token expired"})
        if behaviour == "error500":
            return self._send(500, {"error": "internal error"})
        raw = self._raw()
        try:
            message = tdiep.parse(raw)
        except tdiep.TdiepError as exc:
            return send_body(self, 400, str(exc).encode(), "text/plain")
        with state.lock:
            state.messages[message.id] = state.messages.get(message.id, 0) + 1
            state.received[message.id] = raw
        receipt, answers = self._answer(message, behaviour)
        with state.lock:
            target = state.held if behaviour == "pending" else state.answers
            state.answers[message.id] = [receipt]
            target.setdefault(message.id, []).extend(answers)
        if behaviour == "timeout":
            time.sleep(state.delay)
        time.sleep(state.answer_delay)
        return send_body(self, 200, receipt)

    def _receipt(self, message, reasons=(), behaviour="ok"):
        reference = message.id
        if behaviour == "receipt_other":
            reference = tdiep.message_id(message.sender)
        return tdiep.to_bytes(
            tdiep.build_receipt(
                TVAN_CODE, message.sender, reference, reasons, sender_of_original=message.sender
            )
        )

    @staticmethod
    def _reference(message, behaviour):
        """The MTDTChieu of the authority's answer: another message's when hostile."""
        if behaviour == "answer_other_reference":
            return tdiep.message_id(message.sender)
        return message.id

    def _answer(self, message, behaviour):
        """(the 999, the authority's answers) for a posted message."""
        if behaviour == "receipt_other":
            return self._receipt(message, behaviour=behaviour), []
        if behaviour == "technical":
            return self._receipt(message, [("10011", "Thông điệp sai định dạng (bad format)")]), []
        if message.type in (tdiep.INVOICE_WITH_CODE, tdiep.INVOICE_WITHOUT_CODE):
            return self._receipt(message), self._invoice_answers(message, behaviour)
        if message.type == tdiep.NOTICE:
            notice = message.data.find("TBao")
            try:
                signer.verify(notice, notice.find("DSCKS/NNT/ds:Signature", signer.NS))
            except (signer.SignError, TypeError) as exc:
                return self._receipt(message, [("20001", f"Chữ ký số không hợp lệ: {exc}")]), []
            return self._receipt(message), [self._notice_answer(message, notice, behaviour)]
        return self._receipt(
            message, [("10002", f"Loại thông điệp {message.type} không hỗ trợ")]
        ), []

    def _invoice_answers(self, message, behaviour):
        state = self.state
        hdon = message.data.find("HDon")
        xml = tdiep.to_bytes(hdon)
        transaction = tdiep.transaction_of(message.id)
        general = hdon.find("DLHDon/TTChung")
        invoice = {name: general.findtext(name) for name in ("KHMSHDon", "KHHDon", "SHDon", "NLap")}
        reasons = [("3", r) for r in (state.validate(xml) if state.validate else [])]
        if behaviour in ("reject", "check_bad_signature", "check_unsigned", "answer_other_invoice"):
            reasons = reasons or [("3", "Mã số thuế người mua không hợp lệ (buyer tax id invalid)")]
        if reasons:
            return [self._check_result(message, invoice, reasons, behaviour)]
        with state.lock:
            state.creations[transaction] = state.creations.get(transaction, 0) + 1
            state.issued[transaction] = xml
            state.record(transaction, xml)
        if message.type == tdiep.INVOICE_WITHOUT_CODE:
            return [self._check_result(message, invoice, (), behaviour)]
        coded = coded_hdon(state, hdon, transaction, behaviour)
        return [
            tdiep.to_bytes(
                tdiep.build_coded_invoice(
                    tdiep.AUTHORITY,
                    message.sender,
                    self._reference(message, behaviour),
                    message.tax_id,
                    coded,
                )
            )
        ]

    def _check_result(self, message, invoice, reasons, behaviour):
        """A 204 signed by the authority (hostile variants by ``behaviour``)."""
        invoice = dict(invoice)
        tax_id = message.tax_id
        if behaviour == "answer_other_invoice":
            invoice["SHDon"] = str(int(invoice["SHDon"]) + 1)
        if behaviour == "answer_other_seller":
            tax_id = "0109876543"
        certificate = {"check_unsigned": None, "foreign_authority": self.state.foreign}.get(
            behaviour, self.state.authority
        )
        answer = tdiep.build_check_result(
            tdiep.AUTHORITY,
            message.sender,
            self._reference(message, behaviour),
            tax_id,
            invoice,
            reasons,
            certificate=certificate,
        )
        if behaviour == "check_bad_signature":
            answer.find("DLieu/TBao/DLTBao/LCMa/DSLDo/LDo/MTLoi").text = "Đã sửa sau khi ký"
        return tdiep.to_bytes(answer)

    def _notice_answer(self, message, notice, behaviour):
        refused = (
            [("40012", "Hóa đơn không tồn tại trên hệ thống (invoice unknown)")]
            if behaviour == "notice_refused"
            else None
        )
        if behaviour in ("answer_other_seller", "answer_other_invoice"):
            notice = etree.fromstring(etree.tostring(notice))
            if behaviour == "answer_other_seller":
                notice.find("DLTBao/MST").text = "0109876543"
            for number in notice.iterfind("DLTBao/DSHDon/HDon/SHDon"):
                if behaviour == "answer_other_invoice":
                    number.text = str(int(number.text) + 1)
        answer = tdiep.notice_answer_tbao(notice, refused)
        certificate = (
            self.state.foreign if behaviour == "foreign_authority" else self.state.authority
        )
        signer.sign(
            answer,
            certificate,
            signature_id="CQT",
            holder="CQT",
            extra_references=[answer.find("STBao")],
        )
        return tdiep.to_bytes(
            tdiep.build(
                tdiep.NOTICE_ANSWER,
                tdiep.AUTHORITY,
                message.sender,
                answer,
                reference=self._reference(message, behaviour),
                tax_id=answer.findtext("DLTBao/MST"),
            )
        )

    def do_GET(self):
        state = self.state
        state.requests.append(("GET", self.path))
        if not self._authorized():
            return self._send(401, {"error": "token expired"})
        url = urllib.parse.urlparse(self.path)
        if url.path != "/tdiep":
            return self._send(404, {"error": "not found"})
        reference = (urllib.parse.parse_qs(url.query).get("ref") or [""])[0]
        with state.lock:
            answers = list(state.answers.get(reference, []))
        return send_body(self, 200, tdiep.list_bytes(answers))


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
        self.handler = type("BoundHandler", (Handler,), {"state": self.state})
        super().__init__(self.handler, port)

    def hold(self, transaction_uuid, mtdiep, hdon_xml):
        """Make the T-VAN hold a coded invoice for ``mtdiep`` as if ``hdon_xml`` (a signed
        HDon) had been sent and coded (the 999 and the 202)."""
        state = self.state
        hdon = etree.fromstring(hdon_xml)
        sender = mtdiep[:-32]
        seller = hdon.findtext("DLHDon/NDHDon/NBan/MST")
        coded = coded_hdon(state, hdon, transaction_uuid)
        state.answers[mtdiep] = [
            tdiep.to_bytes(tdiep.build_receipt(TVAN_CODE, sender, mtdiep)),
            tdiep.to_bytes(
                tdiep.build_coded_invoice(tdiep.AUTHORITY, sender, mtdiep, seller, coded)
            ),
        ]


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
    # What a client must be told to trust this T-VAN's answers (its code, and the CA and
    # MST of its "tax authority", made in this process), for a client in another process.
    with open(os.path.join(args.store, "authority.json"), "w", encoding="utf-8") as trust:
        json.dump(
            {"tvan_code": TVAN_CODE, "authority_mst": AUTHORITY_MST, "ca_pem": ca_pem()}, trust
        )
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
