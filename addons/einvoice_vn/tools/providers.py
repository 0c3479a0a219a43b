"""Clients of e-invoice providers, with requests and explicit timeouts. No odoo import.

Every client answers ``issue(document)`` with an :class:`Issued` result, or raises
:class:`ProviderError` whose ``kind`` sorts the failure:

- ``retryable``: timeout, connection error, HTTP 5xx, 429: try again later with the SAME
  transaction UUID (the client looks the invoice up first, so a retry never issues twice);
- ``auth``: credentials refused or token expired; the client logs in again once by itself,
  so this only escapes when the credentials are wrong;
- ``rejected``: the provider or the tax authority refused the invoice; fix and resend;
- ``final``: anything else that a retry will not cure (bad configuration, bad answer).

``document`` is a dict: ``transaction_uuid``, ``seller_tax_id``, ``xml`` (signed bytes),
``json`` (the provider's own JSON for JSON APIs) and ``symbol``/``template``/``number``.
"""

from dataclasses import dataclass, field

import requests

from . import tdiep

TIMEOUT = 60  # seconds; Viettel recommends 60 to 90 for invoice creation
RETRYABLE = "retryable"
AUTH = "auth"
REJECTED = "rejected"
FINAL = "final"


class ProviderError(Exception):
    """``authority``: the refusal is the tax authority's (or the T-VAN's for it: a 999
    with TTTNhan 1), not a transport or set-up failure on the way (an HTTP error page, a
    login refused): only such a refusal means the authority did not take a message."""

    def __init__(self, kind, message, reasons=None, authority=False):
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.reasons = reasons or []
        self.authority = authority


@dataclass
class Issued:
    """What the provider returns for an issued invoice."""

    authority_code: str = ""
    number: str = ""
    reservation_code: str = ""
    signed_xml: bytes = b""
    raw: dict = field(default_factory=dict)
    # T-VAN: the MTDiep sent and the answer message (202/204).
    message_id: str = ""
    answer_xml: bytes = b""


def coded_invoice(
    message,
    authority_tax_ids=None,
    trusted_issuers=None,
    expected_key=None,
    authority_names=None,
    reference=None,
):
    """The :class:`tdiep.CodedInvoice` of a 202 ``message``, once the tax authority's
    signature over it is proven (see :func:`notice_answer`) and it codes the invoice sent
    (``expected_key``) in answer to our message ``reference``; ProviderError FINAL
    otherwise."""
    return _proven(
        tdiep.read_coded_invoice,
        message,
        authority_tax_ids,
        trusted_issuers,
        expected_key,
        authority_names,
        reference,
    )


def check_result(
    message,
    seller_tax_id,
    authority_tax_ids=None,
    trusted_issuers=None,
    authority_names=None,
    reference=None,
    expected_key=None,
):
    """The :class:`tdiep.CheckResult` of a 204 ``message`` (01/TB-KTDL), once the tax
    authority's signature over it is proven (see :func:`notice_answer`) and it is about the
    invoice sent (``expected_key``) in answer to our message ``reference``; ProviderError
    FINAL otherwise (an unproven refusal is not taken either: it needs a look)."""
    return _proven(
        tdiep.read_check_result,
        message,
        seller_tax_id,
        authority_tax_ids,
        trusted_issuers,
        authority_names,
        reference,
        expected_key,
    )


def notice_answer(
    message,
    seller_tax_id,
    authority_tax_ids=None,
    trusted_issuers=None,
    authority_names=None,
    *,
    reference,
    notice,
):
    """The :class:`tdiep.NoticeAnswer` of a 301 ``message`` (a :class:`tdiep.Message`), once
    the tax authority's signature over it is proven: verified and made by a certificate
    identified as the authority's (``authority_tax_ids`` or ``authority_names``) and issued
    by one of ``trusted_issuers``; and once it is proven to answer our notice: MTDTChieu
    ``reference`` (the notice's MTDiep), the seller's MST, the invoices of ``notice`` (the
    signed TBao sent). An answer that cannot be proven so, because who the authority is
    was not given, is refused like a wrong signature: ProviderError FINAL."""
    return _proven(
        tdiep.read_notice_answer,
        message,
        seller_tax_id,
        authority_tax_ids,
        trusted_issuers,
        authority_names,
        reference=reference,
        notice=notice,
    )


def _proven(read, *args, **kwargs):
    """``read(*args, **kwargs)`` (a tdiep reader of an authority's answer), its result only
    when the authority's signature over it passed: ProviderError FINAL otherwise."""
    try:
        answer = read(*args, **kwargs)
    except tdiep.AnswerRefused as exc:
        raise ProviderError(FINAL, f"the authority's answer is refused: {exc}") from exc
    except tdiep.TdiepError as exc:
        raise ProviderError(FINAL, f"the answer cannot be read: {exc}") from exc
    if answer.check.result != "pass":
        raise ProviderError(
            FINAL,
            f"the authority's answer is refused: it cannot be verified: {answer.check.message}",
        )
    return answer


def request_json(session, method, url, timeout=TIMEOUT, **kwargs):
    """One HTTP call; network failures and 5xx are retryable, 401/403 are auth errors."""
    try:
        response = session.request(method, url, timeout=timeout, **kwargs)
    except (requests.Timeout, requests.ConnectionError) as exc:
        raise ProviderError(RETRYABLE, f"{method} {url}: {exc.__class__.__name__}: {exc}") from exc
    except requests.RequestException as exc:
        raise ProviderError(FINAL, f"{method} {url}: {exc}") from exc
    if response.status_code in (401, 403):
        raise ProviderError(AUTH, f"{method} {url}: HTTP {response.status_code}")
    if response.status_code >= 500 or response.status_code == 429:
        raise ProviderError(RETRYABLE, f"{method} {url}: HTTP {response.status_code}")
    try:
        data = response.json()
    except ValueError as exc:
        raise ProviderError(
            FINAL if response.ok else REJECTED,
            f"{method} {url}: HTTP {response.status_code}, not JSON: {response.text[:200]!r}",
        ) from exc
    if not isinstance(data, dict):
        raise ProviderError(FINAL, f"{method} {url}: unexpected answer {data!r}")
    return response.status_code, data


class TokenClient:
    """A provider API behind a login token; a call whose token has expired logs in again
    once by itself."""

    def __init__(self, username, password, timeout=TIMEOUT, session=None):
        self.username = username
        self.password = password
        self.timeout = timeout
        self.session = session or requests.Session()
        self.token = None

    def _login_url(self):
        raise NotImplementedError

    def _with_token(self):
        """Request keyword arguments that carry the token."""
        raise NotImplementedError

    def login(self):
        status, data = request_json(
            self.session,
            "POST",
            self._login_url(),
            self.timeout,
            json={"username": self.username, "password": self.password},
        )
        if not data.get("access_token"):
            raise ProviderError(AUTH, f"login refused (HTTP {status}): {data.get('error') or ''}")
        self.token = data["access_token"]
        return self.token

    def _request(self, method, url, **kwargs):
        for attempt in (1, 2):
            if not self.token:
                self.login()
            try:
                return request_json(
                    self.session, method, url, self.timeout, **self._with_token(), **kwargs
                )
            except ProviderError as exc:
                if exc.kind != AUTH or attempt == 2:
                    raise
                self.token = None
        raise AssertionError("unreachable")


class TvanClient(TokenClient):
    """A generic T-VAN speaking the tax authority's ``TDiep`` messages (see :mod:`.tdiep`).

    Transport (XML bodies, ``Content-Type: application/xml``; bearer token from
    ``POST {base}/auth`` with JSON ``{"username", "password"}`` -> ``{"access_token"}``):

    - ``POST {base}/tdiep`` with one TDiep (200, 203 or 300) -> HTTP 200 with the technical
      receipt, a TDiep 999 (TTTNhan 0: received; 1: refused, with DSLDo/LDo{MLoi, MTa});
    - ``GET {base}/tdiep?ref=<MTDiep>`` -> HTTP 200 with ``DSTDiep``: every message the
      T-VAN holds that refers to that MTDiep (MTDTChieu): its 999 and, once the authority
      has answered, the 202 (coded invoice), 204 (data check result) or 301 (answer to a
      04/SS notice); an empty DSTDiep when it knows no such message.

    Idempotency: the MTDiep of a document is derived from its transaction UUID, and the
    client always asks for the answers to that MTDiep before posting it, so a retry after
    a timeout or a crash never sends a second message. A 202 or 301 is accepted only when
    the authority's signature verifies and its signer is proven to be the tax authority
    (``authority_tax_ids``, ``trusted_issuers``: the intake's rules); without both, nothing
    is sent and no answer is accepted (ProviderError FINAL). Every answer must refer to the
    MTDiep it answers (MTDTChieu; a 999 also in TBao/MTDiep), be for the seller's MST and,
    for a 202, 204 or 301, be about the invoices sent; one that is not is refused (FINAL).
    ``receiver`` (MNNhan) is the T-VAN's code: required, there is no default.
    """

    def __init__(
        self,
        base_url,
        username,
        password,
        timeout=TIMEOUT,
        session=None,
        sender="",
        receiver="",
        authority_tax_ids=None,
        trusted_issuers=None,
    ):
        super().__init__(username, password, timeout, session)
        self.base_url = base_url.rstrip("/")
        self.sender = sender
        self.receiver = receiver
        self.authority_tax_ids = authority_tax_ids
        self.trusted_issuers = trusted_issuers

    def _login_url(self):
        return f"{self.base_url}/auth"

    def _require_authority(self):
        """Refuse to work without knowing who the tax authority is (its answers could not
        be verified) or to whom the messages go (MNNhan, the T-VAN's code)."""
        if not self.receiver:
            raise ProviderError(
                FINAL, "the T-VAN's code (MNNhan) is not configured: nothing is sent"
            )
        missing = [
            name
            for name, value in (
                ("the tax authority's MSTs", self.authority_tax_ids),
                ("the trusted certification authorities", self.trusted_issuers),
            )
            if not value
        ]
        if missing:
            raise ProviderError(
                FINAL,
                f"{' and '.join(missing)} not configured: the tax authority's signature on "
                "its answers (202, 301) cannot be verified, nothing is sent",
            )

    def _with_token(self):
        return {"headers": {"Authorization": f"Bearer {self.token}"}}

    def _xml_call(self, method, path, **kwargs):
        """One call answering XML; the token is renewed once when it has expired."""
        url = f"{self.base_url}{path}"
        for attempt in (1, 2):
            if not self.token:
                self.login()
            headers = {**self._with_token()["headers"], "Content-Type": "application/xml"}
            try:
                response = self.session.request(
                    method, url, timeout=self.timeout, headers=headers, **kwargs
                )
            except (requests.Timeout, requests.ConnectionError) as exc:
                raise ProviderError(
                    RETRYABLE, f"{method} {url}: {exc.__class__.__name__}: {exc}"
                ) from exc
            except requests.RequestException as exc:
                raise ProviderError(FINAL, f"{method} {url}: {exc}") from exc
            if response.status_code in (401, 403) and attempt == 1:
                self.token = None
                continue
            if response.status_code in (401, 403):
                raise ProviderError(AUTH, f"{method} {url}: HTTP {response.status_code}")
            if response.status_code >= 500 or response.status_code == 429:
                raise ProviderError(RETRYABLE, f"{method} {url}: HTTP {response.status_code}")
            if response.status_code != 200:
                raise ProviderError(
                    FINAL, f"{method} {url}: HTTP {response.status_code}: {response.text[:200]!r}"
                )
            return response.content
        raise AssertionError("unreachable")

    def _message_id(self, seed):
        try:
            return tdiep.message_id(self.sender, seed)
        except tdiep.TdiepError as exc:
            raise ProviderError(FINAL, str(exc)) from exc

    def post(self, message):
        """Post one TDiep (element); return its receipt (a :class:`tdiep.Receipt`), which
        must acknowledge that message (its MTDiep)."""
        answer = self._xml_call("POST", "/tdiep", data=tdiep.to_bytes(message))
        try:
            receipt = tdiep.read_receipt(
                tdiep.parse(answer), reference=message.findtext("TTChung/MTDiep")
            )
        except tdiep.AnswerRefused as exc:
            raise ProviderError(FINAL, f"the T-VAN's receipt is refused: {exc}") from exc
        except tdiep.TdiepError as exc:
            raise ProviderError(FINAL, f"the T-VAN's receipt cannot be read: {exc}") from exc
        return receipt

    def answers(self, mtdiep):
        """Every message the T-VAN holds that refers to ``mtdiep`` (list of Message)."""
        answer = self._xml_call("GET", "/tdiep", params={"ref": mtdiep})
        try:
            return tdiep.parse_list(answer)
        except tdiep.TdiepError as exc:
            raise ProviderError(FINAL, f"the T-VAN's answers cannot be read: {exc}") from exc

    @staticmethod
    def _refused(receipt, what):
        reasons = [str(reason) for reason in receipt.reasons] or ["TTTNhan 1"]
        return ProviderError(
            REJECTED,
            f"{what} refused by the T-VAN (999): {'; '.join(reasons)}",
            reasons,
            authority=True,
        )

    @staticmethod
    def _by_type(messages):
        found = {}
        for message in messages:
            found.setdefault(message.type, []).append(message)
        return found

    def _envelope(self, message_type, mtdiep, tax_id, payload):
        try:
            return tdiep.build(
                message_type, self.sender, self.receiver, payload, mtdiep=mtdiep, tax_id=tax_id
            )
        except tdiep.TdiepError as exc:
            raise ProviderError(FINAL, f"the TDiep {message_type} cannot be made: {exc}") from exc

    # -- invoices ------------------------------------------------------------------------------

    def invoice_outcome(self, mtdiep, with_code=True, expected_key=None):
        """What became of the invoice message ``mtdiep``: None when the T-VAN knows no such
        message (it was never received), else an :class:`Issued`; a refusal, a 202 that
        does not pass the authority check (or codes another invoice than ``expected_key``,
        see :func:`tdiep.invoice_key`) or a missing answer raise ProviderError."""
        messages = self._by_type(self.answers(mtdiep))
        if not messages:
            return None
        for message in messages.get(tdiep.CODED_INVOICE, []):
            coded = coded_invoice(
                message, self.authority_tax_ids, self.trusted_issuers, expected_key, None, mtdiep
            )
            return Issued(
                authority_code=coded.authority_code,
                number=coded.number,
                signed_xml=coded.xml,
                message_id=mtdiep,
                answer_xml=message.to_bytes(),
            )
        for message in messages.get(tdiep.CHECK_RESULT, []):
            result = check_result(
                message,
                expected_key[0] if expected_key else "",
                self.authority_tax_ids,
                self.trusted_issuers,
                reference=mtdiep,
                expected_key=expected_key,
            )
            if not result.valid:
                reasons = [str(reason) for reason in result.reasons] or [f"LTBao {result.kind}"]
                raise ProviderError(
                    REJECTED,
                    f"not eligible for an authority code (01/TB-KTDL {result.number}): "
                    + "; ".join(reasons),
                    reasons,
                )
            if not with_code:
                return Issued(message_id=mtdiep, answer_xml=message.to_bytes())
        self._check_receipts(messages, mtdiep, f"message {mtdiep}")
        if not with_code:
            return Issued(message_id=mtdiep)
        raise ProviderError(
            RETRYABLE,
            f"message {mtdiep} was received; the tax authority has not answered yet",
        )

    def issue(self, document):
        """Send an invoice (200 with code, 203 without, by the symbol's first letter) once,
        and read its answer; see :meth:`invoice_outcome`."""
        self._require_authority()
        with_code = (document.get("symbol") or "C")[:1].upper() != "K"
        mtdiep = self._message_id(document["transaction_uuid"])
        try:
            hdon = tdiep.parse_payload(document["xml"])
            key = tdiep.invoice_key(document["xml"])
        except tdiep.TdiepError as exc:
            raise ProviderError(FINAL, f"the signed invoice cannot be read: {exc}") from exc
        found = self.invoice_outcome(mtdiep, with_code, key)
        if found is not None:
            return found
        message_type = tdiep.INVOICE_WITH_CODE if with_code else tdiep.INVOICE_WITHOUT_CODE
        receipt = self.post(self._envelope(message_type, mtdiep, document["seller_tax_id"], hdon))
        if not receipt.ok:
            raise self._refused(receipt, f"invoice message {mtdiep}")
        return self.invoice_outcome(mtdiep, with_code, key) or Issued(message_id=mtdiep)

    # -- 04/SS notices -------------------------------------------------------------------------

    def _check_receipts(self, messages, mtdiep, what):
        """The 999s held for ``mtdiep``: each must acknowledge it; a refusal raises."""
        for message in messages.get(tdiep.RECEIPT, []):
            try:
                receipt = tdiep.read_receipt(message, reference=mtdiep)
            except tdiep.AnswerRefused as exc:
                raise ProviderError(FINAL, f"the T-VAN's receipt is refused: {exc}") from exc
            except tdiep.TdiepError as exc:
                raise ProviderError(FINAL, f"the T-VAN's answer cannot be read: {exc}") from exc
            if not receipt.ok:
                raise self._refused(receipt, what)

    def notice_outcome(self, mtdiep, seller_tax_id, notice_xml):
        """None when the T-VAN knows no message ``mtdiep``; else the 301's
        :class:`tdiep.NoticeAnswer`, or ``False`` while the authority has not answered.
        ``notice_xml`` is the signed TBao sent: the 301 must answer its invoices. A 999
        refusal or a 301 failing the authority check or not answering this notice raise
        ProviderError."""
        messages = self._by_type(self.answers(mtdiep))
        if not messages:
            return None
        for message in messages.get(tdiep.NOTICE_ANSWER, []):
            return notice_answer(
                message,
                seller_tax_id,
                self.authority_tax_ids,
                self.trusted_issuers,
                reference=mtdiep,
                notice=notice_xml,
            )
        self._check_receipts(messages, mtdiep, f"notice message {mtdiep}")
        return False

    def send_notice(self, notice):
        """Send a signed 04/SS-HĐĐT notice as message 300 once. ``notice``: ``message_id``
        (its MTDiep) or ``seed`` (what its MTDiep derives from), ``seller_tax_id`` and ``xml`` (the signed TBao). Return
        (MTDiep, outcome as :meth:`notice_outcome`)."""
        self._require_authority()
        mtdiep = notice.get("message_id") or self._message_id(notice["seed"])
        found = self.notice_outcome(mtdiep, notice["seller_tax_id"], notice["xml"])
        if found is not None:
            return mtdiep, found
        try:
            payload = tdiep.parse_payload(notice["xml"])
        except tdiep.TdiepError as exc:
            raise ProviderError(FINAL, f"the signed notice cannot be read: {exc}") from exc
        receipt = self.post(self._envelope(tdiep.NOTICE, mtdiep, notice["seller_tax_id"], payload))
        if not receipt.ok:
            raise self._refused(receipt, f"notice message {mtdiep}")
        outcome = self.notice_outcome(mtdiep, notice["seller_tax_id"], notice["xml"])
        return mtdiep, outcome or False


class ViettelClient(TokenClient):
    """Viettel SInvoice's JSON API, as Odoo's l10n_vn_edi_viettel module calls it.

    auth: POST {auth_url} {"username", "password"} -> {"access_token", "expires_in"}
    create: POST {base}InvoiceAPI/InvoiceWS/createInvoice/{tax id} (JSON invoice, token cookie)
    lookup: POST {base}InvoiceAPI/InvoiceWS/searchInvoiceByTransactionUuid
            (form: supplierTaxCode, transactionUuid)
    Errors come as {"code": ..., "data"/"error": ...}.
    """

    def __init__(self, base_url, auth_url, username, password, timeout=TIMEOUT, session=None):
        super().__init__(username, password, timeout, session)
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.auth_url = auth_url

    def _login_url(self):
        return self.auth_url

    def _with_token(self):
        return {"cookies": {"access_token": self.token}}

    def _call(self, path, **kwargs):
        _status, data = self._request("POST", self.base_url + path, **kwargs)
        if data.get("code") or data.get("error"):
            detail = data.get("data") or data.get("error") or data.get("code")
            raise ProviderError(REJECTED, f"SInvoice: {detail}", [str(detail)])
        return data

    @staticmethod
    def _issued(result):
        return Issued(
            authority_code=result.get("codeOfTax") or "",
            number=str(result.get("invoiceNo") or ""),
            reservation_code=result.get("reservationCode") or "",
            raw=result,
        )

    def lookup(self, seller_tax_id, transaction_uuid):
        data = self._call(
            "InvoiceAPI/InvoiceWS/searchInvoiceByTransactionUuid",
            data={"supplierTaxCode": seller_tax_id, "transactionUuid": transaction_uuid},
        )
        results = data.get("result") or []
        return self._issued(results[0]) if results else None

    def issue(self, document):
        found = self.lookup(document["seller_tax_id"], document["transaction_uuid"])
        if found:
            return found
        payload = dict(document["json"])
        payload.setdefault("generalInvoiceInfo", {})["transactionUuid"] = document[
            "transaction_uuid"
        ]
        data = self._call(
            f"InvoiceAPI/InvoiceWS/createInvoice/{document['seller_tax_id']}", json=payload
        )
        if not data.get("result"):
            raise ProviderError(FINAL, f"SInvoice answered without result: {data!r}")
        return self._issued(data["result"])
