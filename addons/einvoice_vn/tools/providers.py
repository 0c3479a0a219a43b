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

import base64
from dataclasses import dataclass, field

import requests

TIMEOUT = 60  # seconds; Viettel recommends 60 to 90 for invoice creation
RETRYABLE = "retryable"
AUTH = "auth"
REJECTED = "rejected"
FINAL = "final"


class ProviderError(Exception):
    def __init__(self, kind, message, reasons=None):
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.reasons = reasons or []


@dataclass
class Issued:
    """What the provider returns for an issued invoice."""

    authority_code: str = ""
    number: str = ""
    reservation_code: str = ""
    signed_xml: bytes = b""
    raw: dict = field(default_factory=dict)


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
    """A generic T-VAN: the signed XML is posted, the answer carries the authority code.

    POST {base}/invoices            {"transaction_uuid", "seller_tax_id", "xml" (base64)}
        -> 200 {"status": "accepted", "mccqt", "number", "xml" (base64, signed back)}
        -> 200/422 {"status": "rejected", "reasons": [...]}
    GET  {base}/invoices/{uuid}     -> 200 same as above, or 404 when unknown
    Authentication: a bearer token from POST {base}/auth {"username", "password"}.
    """

    def __init__(self, base_url, username, password, timeout=TIMEOUT, session=None):
        super().__init__(username, password, timeout, session)
        self.base_url = base_url.rstrip("/")

    def _login_url(self):
        return f"{self.base_url}/auth"

    def _with_token(self):
        return {"headers": {"Authorization": f"Bearer {self.token}"}}

    def _call(self, method, path, **kwargs):
        return self._request(method, f"{self.base_url}{path}", **kwargs)

    @staticmethod
    def _issued(data):
        if data.get("status") == "accepted":
            return Issued(
                authority_code=data.get("mccqt") or "",
                number=str(data.get("number") or ""),
                signed_xml=base64.b64decode(data["xml"]) if data.get("xml") else b"",
                raw=data,
            )
        if data.get("status") == "rejected":
            reasons = [str(r) for r in data.get("reasons") or []]
            raise ProviderError(REJECTED, "; ".join(reasons) or "rejected", reasons)
        if data.get("status") == "pending":
            raise ProviderError(RETRYABLE, "the tax authority has not answered yet")
        raise ProviderError(FINAL, f"unexpected answer {data!r}")

    def lookup(self, transaction_uuid):
        """The provider's record of this transaction, or None when it has none."""
        status, data = self._call("GET", f"/invoices/{transaction_uuid}")
        if status == 404:
            return None
        return self._issued(data)

    def issue(self, document):
        found = self.lookup(document["transaction_uuid"])
        if found:
            return found
        _status, data = self._call(
            "POST",
            "/invoices",
            json={
                "transaction_uuid": document["transaction_uuid"],
                "seller_tax_id": document["seller_tax_id"],
                "xml": base64.b64encode(document["xml"]).decode(),
            },
        )
        return self._issued(data)


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
