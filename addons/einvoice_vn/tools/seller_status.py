"""The seller's tax status from a configurable look-up service. No odoo import.

No public official API exists, so the service is a setting; tests run a local one
(``tests/status_server.py``). Use it through :mod:`.inbound`.
"""

import requests

from .inbound_read import compact_tax_id

STATUS_LABELS = {
    "00": "active",
    "01": "ceased and closed",
    "02": "moved to another tax office",
    "03": "ceased, tax id not closed yet",
    "04": "active (household business)",
    "05": "suspended",
    "06": "not operating at the registered address",
    "07": "awaiting bankruptcy",
    "09": "awaiting verification",
}
ACTIVE_STATUSES = ("00", "04")

STATUS_TIMEOUT = 10  # seconds
RETRYABLE, FINAL = "retryable", "final"


class StatusLookupError(Exception):
    """The status service gave no answer we can use; ``kind`` is RETRYABLE or FINAL."""

    def __init__(self, kind, message):
        super().__init__(message)
        self.kind = kind
        self.message = message

    @property
    def retryable(self):
        return self.kind == RETRYABLE


def is_active(code):
    """Whether a status code lets us accept the seller's invoices (00, 04)."""
    return code in ACTIVE_STATUSES


def lookup_status(url, tax_id, token=None, timeout=STATUS_TIMEOUT):
    """The seller's status code ('00'..'09') from the configured look-up service.

    No public official API exists, so the service is a setting. Protocol (JSON over HTTP):
    ``GET <url>?mst=<tax id, compacted>`` with ``Authorization: Bearer <token>`` when a
    token is set; the answer is ``200 {"mst": "...", "status": "00"}`` (other keys are
    ignored), ``404`` for a tax id the service does not know.

    Errors (StatusLookupError): timeout, connection error, HTTP 429 and 5xx are RETRYABLE;
    401/403 (token), 404 (unknown tax id), another status, a body that is not JSON or a
    status code outside STATUS_LABELS are FINAL.
    """
    tax_id = compact_tax_id(tax_id)
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        response = requests.get(url, params={"mst": tax_id}, headers=headers, timeout=timeout)
    except (requests.Timeout, requests.ConnectionError) as exc:
        raise StatusLookupError(
            RETRYABLE, f"status of MST {tax_id}: {url} unreachable ({exc.__class__.__name__})"
        ) from exc
    except requests.RequestException as exc:
        raise StatusLookupError(FINAL, f"status of MST {tax_id}: {url}: {exc}") from exc
    status = response.status_code
    if status == 429 or status >= 500:
        raise StatusLookupError(RETRYABLE, f"status of MST {tax_id}: {url} answered HTTP {status}")
    if status in (401, 403):
        raise StatusLookupError(
            FINAL, f"status of MST {tax_id}: {url} refused the token (HTTP {status})"
        )
    if status == 404:
        raise StatusLookupError(FINAL, f"status of MST {tax_id}: the service does not know it")
    if status != 200:
        raise StatusLookupError(FINAL, f"status of MST {tax_id}: {url} answered HTTP {status}")
    try:
        data = response.json()
    except ValueError as exc:
        raise StatusLookupError(
            FINAL, f"status of MST {tax_id}: the answer is not JSON: {response.text[:100]!r}"
        ) from exc
    code = str(data.get("status", "")) if isinstance(data, dict) else ""
    if code not in STATUS_LABELS:
        raise StatusLookupError(
            FINAL, f"status of MST {tax_id}: unknown status {code or '(none)'} in {data!r}"
        )
    return code
