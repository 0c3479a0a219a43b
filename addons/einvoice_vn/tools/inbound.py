"""Supplier e-invoices in: the one module the Odoo side imports. No odoo import.

- :func:`unpack` an uploaded file (XML, or a ZIP with the XML and its PDF/HTML rendering),
  :func:`read` each XML (hardened :func:`parse_xml`, :func:`find_invoice` in a bare ``HDon``
  or a T-VAN ``TDiep`` 200/202/203/206) into an :class:`InboundInvoice` whose ``key`` finds
  duplicates; bad files raise :class:`InboundError` naming the element or value;
- :func:`verify` it: one :class:`Check` per code of :data:`CHECK_CODES` (seller signature
  with wrapping refused, certificate, tax authority signature and MCCQT, buyer and seller
  MST, amounts, amount in words), each with a stable ``key`` and ``params`` for a translated
  message (English templates in :data:`MESSAGES`);
- :func:`lookup_status` of the seller from the configured status service.

The work is done in :mod:`.inbound_read`, :mod:`.inbound_checks`, :mod:`.seller_status` and
:mod:`.inbound_trust`, :mod:`.amount_words`; this module gathers their public names.
"""

from .amount_words import normalize_words, words_to_amount
from .inbound_checks import (
    AUTHORITY_CODE,
    CASH_REGISTER_CODE,
    CHECK_CODES,
    MESSAGES,
    SIGNATURE_METHODS,
    Check,
    check_amounts,
    check_authority,
    check_buyer_tax_id,
    check_certificate,
    check_seller_signature,
    check_seller_tax_id,
    check_words,
    parse_signing_time,
    signing_time_of,
    verify,
)
from .inbound_read import (
    INVOICE_MESSAGE_TYPES,
    MAX_DEPTH,
    MAX_FILE_BYTES,
    MAX_ZIP_MEMBERS,
    MAX_ZIP_RATIO,
    MAX_ZIP_TOTAL,
    InboundError,
    InboundInvoice,
    InboundLine,
    child,
    children,
    compact_tax_id,
    element_path,
    find_invoice,
    find_invoices,
    local_name,
    parse_xml,
    read,
    read_all,
    read_hdon,
    text,
    unpack,
    xml_text,
)
from .inbound_trust import (
    certificate_ids,
    chain_certificates,
    chain_to,
    embedded_certificate,
    issuer_of,
    load_certificates,
)
from .seller_status import (
    ACTIVE_STATUSES,
    FINAL,
    RETRYABLE,
    STATUS_LABELS,
    STATUS_TIMEOUT,
    StatusLookupError,
    is_active,
    lookup_status,
)

__all__ = [
    "ACTIVE_STATUSES",
    "AUTHORITY_CODE",
    "CASH_REGISTER_CODE",
    "CHECK_CODES",
    "FINAL",
    "INVOICE_MESSAGE_TYPES",
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "MAX_ZIP_MEMBERS",
    "MAX_ZIP_RATIO",
    "MAX_ZIP_TOTAL",
    "MESSAGES",
    "RETRYABLE",
    "SIGNATURE_METHODS",
    "STATUS_LABELS",
    "STATUS_TIMEOUT",
    "Check",
    "InboundError",
    "InboundInvoice",
    "InboundLine",
    "StatusLookupError",
    "certificate_ids",
    "chain_certificates",
    "chain_to",
    "check_amounts",
    "check_authority",
    "check_buyer_tax_id",
    "check_certificate",
    "check_seller_signature",
    "check_seller_tax_id",
    "check_words",
    "child",
    "children",
    "compact_tax_id",
    "element_path",
    "embedded_certificate",
    "find_invoice",
    "find_invoices",
    "is_active",
    "issuer_of",
    "load_certificates",
    "local_name",
    "lookup_status",
    "normalize_words",
    "parse_signing_time",
    "parse_xml",
    "read",
    "read_all",
    "read_hdon",
    "signing_time_of",
    "text",
    "unpack",
    "verify",
    "words_to_amount",
    "xml_text",
]
