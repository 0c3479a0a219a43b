"""T-VAN messages: the ``TDiep`` envelope of QĐ 1450/QĐ-TCT and the answers we read.

A message (Part I, IV.5) is ``TDiep`` = ``TTChung`` (PBan 2.0.0, MNGui, MNNhan, MLTDiep,
MTDiep, MTDTChieu, MST, SLuong; table in ``fields.TDIEP_TABLES``) + ``DLieu`` (the payload).
MTDiep is MNGui followed by 32 uppercase hexadecimal characters of a version-4 UUID; we
derive that UUID from a seed (the document's transaction UUID) so that a retry sends the
same MTDiep and the T-VAN can tell a repeated message from a new one.

Message types (Phụ lục I) we send: 200 invoice for an authority code, 203 invoice without
code, 300 the 04/SS-HĐĐT notice. We read: 999 the technical receipt (``TBao``: MTDiep,
MNGui, NNhan, TTTNhan 0 ok / 1 error, ``DSLDo/LDo{MLoi, MTa}``), 202 the coded invoice
(``HDon`` with MCCQT and the authority's signature in ``DSCKS/CQT``, verified as the
supplier intake verifies it), 204 the data check result 01/TB-KTDL (``TBao/DLTBao``: LTBao,
``LCMa/DSLDo/LDo{MLoi, MTLoi, HDXLy}`` or ``LHDKMa/DSHDon/HDon/DSLDo/LDo``), 301 the answer
01/TB-SSĐT to a 04/SS notice (``TBao/DLTBao/DSHDon/HDon``: TTTNCCQT 1 accepted / 2 not,
``DSLDKTNhan/LDo{MLoi, MTa}``; signed by the authority over DLTBao and STBao).

An answer is taken only when it is tied to what we sent: its ``TTChung/MTDTChieu`` (and the
999's ``TBao/MTDiep``) is our message's MTDiep, its MST the taxpayer's, and the invoices it
speaks of (202 HDon, 204 ``LCMa``/``LHDKMa``, 301 ``DSHDon/HDon``) the ones sent; otherwise
:class:`AnswerRefused` (a 204 and a 301 are also verified as signed by the authority).

The builders of 999, 202, 204 and 301 are here too (the test T-VAN server answers with
them). Incoming XML is parsed with the intake's hardened parser. No odoo import.
"""

import datetime
import hashlib
import uuid
from dataclasses import dataclass, field

from lxml import etree

from . import fields as tables
from . import signer
from .inbound_checks import check_authority, check_authority_signature
from .inbound_read import (
    InboundError,
    child,
    children,
    compact_tax_id,
    parse_xml,
    read_hdon,
    text,
)
from .inbound_trust import load_certificates

PBAN = tables.V200
AUTHORITY = "TCT"
INVOICE_WITH_CODE = "200"
CODED_INVOICE = "202"
INVOICE_WITHOUT_CODE = "203"
CHECK_RESULT = "204"
NOTICE = "300"
NOTICE_ANSWER = "301"
RECEIPT = "999"
MESSAGE_TYPES = {
    INVOICE_WITH_CODE: "invoice sent for an authority code",
    CODED_INVOICE: "invoice with the authority code",
    INVOICE_WITHOUT_CODE: "invoice without authority code",
    CHECK_RESULT: "01/TB-KTDL data check result",
    NOTICE: "04/SS-HĐĐT notice of invoices with errors",
    NOTICE_ANSWER: "01/TB-SSĐT answer to a 04/SS-HĐĐT notice",
    RECEIPT: "technical receipt",
}
# Phụ lục XI: the kinds of 01/TB-KTDL; 2 is the one that says the data is valid.
CHECK_NOT_ELIGIBLE = "1"
CHECK_VALID = "2"
LIST_ROOT = "DSTDiep"
DATETIME_FORMAT = "%Y-%m-%dT%H:%M:%S"


class TdiepError(ValueError):
    """A message that cannot be built or read; ``errors`` lists why."""

    def __init__(self, errors):
        errors = [errors] if isinstance(errors, str) else list(errors)
        super().__init__("; ".join(errors))
        self.errors = errors


class AnswerRefused(TdiepError):
    """An answer that must not be taken: it answers another message (MTDTChieu), another
    taxpayer (MST) or other invoices than the ones sent."""


class AuthorityRefused(AnswerRefused):
    """A 202, 204 or 301 whose authority signature does not verify or is not the
    authority's, or that is not tied to what we sent."""


def _same_invoice(first, second):
    """(KHMSHDon, KHHDon, SHDon[, ...]) compared as the intake compares invoices: symbol in
    upper case, SHDon without leading zeros."""

    def norm(values):
        values = [str(v or "").strip() for v in values]
        values[1] = values[1].upper()
        values[2] = (values[2].lstrip("0") or "0") if values[2].isdigit() else values[2]
        return tuple(values)

    return norm(first) == norm(second)


def check_reference(message, reference, what):
    """Refuse (:class:`AnswerRefused`) ``message`` unless its MTDTChieu is ``reference``,
    the MTDiep of the message we sent."""
    if message.reference != reference:
        raise AnswerRefused(
            f"{what} {message.id} answers message {message.reference or '(no MTDTChieu)'}, "
            f"not ours ({reference})"
        )


def _check_taxpayer(message, data, taxpayer_tax_id, what):
    """Refuse an answer whose TTChung/MST or DLTBao/MST is not the taxpayer's."""
    ours = compact_tax_id(taxpayer_tax_id or "")
    for label, value in (("TTChung/MST", message.tax_id), ("DLTBao/MST", text(data, "MST"))):
        if not ours or compact_tax_id(value or "") != ours:
            raise AnswerRefused(
                f"{what} {message.id} is for the taxpayer {value or '-'} ({label}), "
                f"not {taxpayer_tax_id or '-'}"
            )


def sender_code(tax_id):
    """MNGui/MNNhan of a party known by its MST: the MST without the dash (nor a VN
    prefix)."""
    return compact_tax_id(tax_id)


def message_id(sender, seed=None):
    """MTDiep: ``sender`` + 32 uppercase hex characters of a version-4 UUID.

    With a ``seed`` the UUID is derived from it (same seed, same MTDiep); a seed that is a
    UUID keeps its 122 random bits, so the T-VAN sees our transaction UUID in the MTDiep."""
    if not sender:
        raise TdiepError("MNGui: the sender code is empty")
    if seed is None:
        value = uuid.uuid4()
    else:
        try:
            raw = uuid.UUID(str(seed)).bytes
        except ValueError:
            raw = hashlib.sha256(str(seed).encode()).digest()[:16]
        value = uuid.UUID(bytes=raw, version=4)
    return f"{sender}{value.hex.upper()}"


def transaction_of(mtdiep):
    """The UUID carried in the last 32 characters of an MTDiep (see :func:`message_id`)."""
    return str(uuid.UUID(mtdiep[-32:]))


def _sub(parent, name, value):
    if value is None or value is False or value == "":
        return None
    node = etree.SubElement(parent, name)
    node.text = str(value)
    return node


def build(
    message_type,
    sender,
    receiver,
    payload,
    mtdiep=None,
    reference=None,
    tax_id=None,
    count=None,
):
    """A ``TDiep`` element: TTChung per the table, DLieu holding ``payload`` (one element
    or a list, copied). MST and SLuong are required except for the receipt 999. Raise
    TdiepError naming each problem."""
    payload = [payload] if etree.iselement(payload) else list(payload or ())
    errors = []
    if message_type not in MESSAGE_TYPES:
        errors.append(f"MLTDiep: {message_type!r} is not a message type we know")
    if message_type != RECEIPT:
        if not tax_id:
            errors.append(f"MST: mandatory in a message of type {message_type}")
        if count is None:
            count = len(payload)
    if errors:
        raise TdiepError(errors)
    root = etree.Element("TDiep")
    general = etree.SubElement(root, "TTChung")
    _sub(general, "PBan", PBAN)
    _sub(general, "MNGui", sender)
    _sub(general, "MNNhan", receiver)
    _sub(general, "MLTDiep", message_type)
    _sub(general, "MTDiep", mtdiep or message_id(sender))
    _sub(general, "MTDTChieu", reference)
    _sub(general, "MST", tax_id)
    _sub(general, "SLuong", count)
    data = etree.SubElement(root, "DLieu")
    for element in payload:
        data.append(etree.fromstring(etree.tostring(element)))
    mtdiep = general.findtext("MTDiep")
    if sender and not (
        mtdiep.startswith(sender) and len(mtdiep) == len(sender) + 32 and _is_hex(mtdiep[-32:])
    ):
        errors.append(f"MTDiep: {mtdiep!r} is not MNGui followed by 32 uppercase hex characters")
    errors += tables.validate_tdiep(root)
    if errors:
        raise TdiepError(errors)
    return root


def _is_hex(value):
    return all(ch in "0123456789ABCDEF" for ch in value)


def to_bytes(root):
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def list_bytes(messages):
    """The answer of the look-up endpoint: ``DSTDiep`` holding TDiep messages (bytes or
    elements)."""
    root = etree.Element(LIST_ROOT)
    for message in messages:
        root.append(etree.fromstring(message) if isinstance(message, bytes) else _copy(message))
    return to_bytes(root)


def _copy(element):
    return etree.fromstring(etree.tostring(element))


# -- reading ---------------------------------------------------------------------------------


@dataclass
class Message:
    """One TDiep read: TTChung's values, the DLieu element and the message element."""

    type: str
    sender: str
    receiver: str
    id: str
    reference: str
    tax_id: str
    count: str
    data: object = field(repr=False)
    root: object = field(repr=False)

    def to_bytes(self):
        return to_bytes(self.root)


def _read_message(root):
    if root.tag != "TDiep":
        raise TdiepError(f"the root element is {root.tag!r}, not 'TDiep'")
    errors = tables.validate_tdiep(root)
    if errors:
        raise TdiepError(errors)
    general = child(root, "TTChung")
    return Message(
        type=text(general, "MLTDiep"),
        sender=text(general, "MNGui"),
        receiver=text(general, "MNNhan"),
        id=text(general, "MTDiep"),
        reference=text(general, "MTDTChieu"),
        tax_id=text(general, "MST"),
        count=text(general, "SLuong"),
        data=child(root, "DLieu"),
        root=root,
    )


def _parse(data):
    try:
        return parse_xml(data)
    except InboundError as exc:
        raise TdiepError(str(exc)) from exc


def parse(data):
    """One TDiep message from bytes (hardened parser); raise TdiepError."""
    return _read_message(_parse(data))


def parse_payload(data):
    """An element to carry in DLieu (a signed HDon or TBao) from its bytes."""
    return _parse(data)


def parse_list(data):
    """The messages of a ``DSTDiep`` list (or of a single TDiep)."""
    root = _parse(data)
    if root.tag == "TDiep":
        return [_read_message(root)]
    if root.tag != LIST_ROOT:
        raise TdiepError(f"the root element is {root.tag!r}, not {LIST_ROOT!r}")
    return [_read_message(_copy(node)) for node in children(root, "TDiep")]


@dataclass
class Reason:
    """One reason of a refusal: code (MLoi), text (MTa or MTLoi) and what to do (HDXLy)."""

    code: str
    text: str
    hint: str = ""

    def __str__(self):
        head = f"[{self.code}] {self.text}" if self.code else self.text
        return f"{head} ({self.hint})" if self.hint else head


def _reasons(container, text_tag="MTa"):
    return [
        Reason(text(node, "MLoi"), text(node, text_tag) or text(node, "MTa"), text(node, "HDXLy"))
        for node in children(container, "LDo")
    ]


@dataclass
class Receipt:
    """A 999: ``ok`` (TTTNhan 0), the MTDiep it acknowledges, when, and the errors."""

    ok: bool
    reference: str
    received: str
    reasons: list


def read_receipt(message, reference=None):
    """The :class:`Receipt` of a 999. With ``reference`` (the MTDiep we sent) the receipt
    must acknowledge that message: its MTDTChieu and its TBao/MTDiep (those present, one at
    least) are ``reference``, else :class:`AnswerRefused`."""
    notice = child(message.data, "TBao")
    if message.type != RECEIPT or notice is None:
        raise TdiepError(f"message {message.id} is not a technical receipt (999) with TBao")
    if reference is not None:
        acknowledged = {value for value in (message.reference, text(notice, "MTDiep")) if value}
        if acknowledged != {reference}:
            raise AnswerRefused(
                f"999 {message.id} acknowledges {', '.join(sorted(acknowledged)) or 'no message'}"
                f", not ours ({reference})"
            )
    status = text(notice, "TTTNhan")
    if status not in ("0", "1"):
        raise TdiepError(f"999 TBao/TTTNhan {status!r} is neither 0 nor 1")
    return Receipt(
        ok=status == "0",
        reference=text(notice, "MTDiep") or message.reference,
        received=text(notice, "NNhan"),
        reasons=_reasons(child(notice, "DSLDo")),
    )


@dataclass
class CheckResult:
    """A 204 (01/TB-KTDL): LTBao (Phụ lục XI), the notice number, the reasons and the check
    of the authority's signature (see :class:`CodedInvoice`)."""

    kind: str
    number: str
    reasons: list
    check: object = None

    @property
    def valid(self):
        return self.kind == CHECK_VALID and not self.reasons


def _verify_tbao(message, notice, taxpayer_tax_id, trust, what, signed_parts):
    """The authority's signature in ``TBao/DSCKS/CQT`` of a 204 or 301: over DLTBao (and
    the other ``signed_parts`` of TBao, e.g. STBao) and its SigningTime object; signer
    identified by ``trust`` (authority_tax_ids, trusted_issuers, authority_names). Return
    the check; raise AuthorityRefused when it fails."""
    authority_tax_ids, trusted_issuers, authority_names = trust
    scope = _copy(notice)
    signatures = [
        signature
        for holder in children(child(scope, "DSCKS"), "CQT")
        for signature in children(holder, "Signature")
    ]
    if len(signatures) != 1:
        raise AuthorityRefused(
            f"{what} {message.id}: TBao/DSCKS/CQT holds {len(signatures)} signatures, one expected"
        )
    signature = signatures[0]
    expected = {f"TBao/{name}": child(scope, name) for name in ("DLTBao", *signed_parts)}
    for label, node in expected.items():
        if node is None:
            raise AuthorityRefused(f"{what} {message.id}: {label} is missing")
    objects = [
        obj
        for obj in children(signature, "Object")
        if any(node.tag.endswith("SigningTime") for node in obj.iter() if isinstance(node.tag, str))
    ]
    if objects:
        expected["Signature/Object (SigningTime)"] = objects[0]
    issuers = load_certificates(trusted_issuers) if trusted_issuers is not None else None
    check = check_authority_signature(
        scope,
        signature,
        expected,
        taxpayer_tax_id,
        authority_tax_ids,
        issuers,
        authority_names,
        what=what,
    )
    if check.result not in ("pass", "warning"):
        raise AuthorityRefused(f"{what} {message.id}: {check.message}")
    return check


def read_check_result(
    message,
    taxpayer_tax_id,
    authority_tax_ids=None,
    trusted_issuers=None,
    authority_names=None,
    reference=None,
    expected_key=None,
):
    """The 204 after verifying the authority's signature over DLTBao (QĐ 1450, 01/TB-KTDL:
    ``TBao/DSCKS/CQT`` signs DLTBao and its Object) and that it is about what we sent: its
    MTDTChieu is ``reference`` (when given), its MST the taxpayer's, and each invoice it
    names (``LCMa``: KHMSHDon, KHHDon, SHDon; ``LHDKMa/DSHDon/HDon``) is ``expected_key``
    (:func:`invoice_key` of the invoice sent); a refusal (LTBao 1) must name it. Raise
    AuthorityRefused (AnswerRefused) otherwise."""
    notice = child(message.data, "TBao")
    data = child(notice, "DLTBao")
    if message.type != CHECK_RESULT or data is None:
        raise TdiepError(f"message {message.id} is not a 01/TB-KTDL (204) with TBao/DLTBao")
    what = "01/TB-KTDL (204)"
    if reference is not None:
        check_reference(message, reference, what)
    _check_taxpayer(message, data, taxpayer_tax_id, what)
    check = _verify_tbao(
        message,
        notice,
        taxpayer_tax_id,
        (authority_tax_ids, trusted_issuers, authority_names),
        what,
        (),
    )
    kind = text(data, "LTBao")
    named = []
    code_block = child(data, "LCMa")
    if code_block is not None:
        named.append(code_block)
    named += children(child(data, "LHDKMa", "DSHDon"), "HDon")
    if kind == CHECK_NOT_ELIGIBLE and code_block is None:
        raise AuthorityRefused(f"{what} {message.id}: LTBao 1 without LCMa names no invoice")
    for node in named:
        found = tuple(text(node, name) for name in ("KHMSHDon", "KHHDon", "SHDon"))
        if expected_key is None or not _same_invoice(found, tuple(expected_key)[1:]):
            raise AuthorityRefused(
                f"{what} {message.id} is about invoice {' '.join(found)}, not the invoice sent "
                f"({' '.join(tuple(expected_key or ('-',))[1:]) or '-'})"
            )
    reasons = _reasons(child(data, "LCMa", "DSLDo"), "MTLoi")
    for invoice in children(child(data, "LHDKMa", "DSHDon"), "HDon"):
        reasons += _reasons(child(invoice, "DSLDo"), "MTLoi")
    return CheckResult(kind=kind, number=text(data, "So"), reasons=reasons, check=check)


@dataclass
class CodedInvoice:
    """A 202 whose authority signature passed: the HDon as bytes, MCCQT, its SHDon and the
    check (``check.result`` is 'pass', or 'warning' when who the authority is was not
    configured: the message says what was not checked)."""

    xml: bytes
    authority_code: str
    number: str
    check: object


def invoice_key(xml):
    """(seller MST, KHMSHDon, KHHDon, SHDon) of a signed HDon, as the intake compares
    invoices."""
    try:
        return read_hdon(parse_payload(xml)).key
    except InboundError as exc:
        raise TdiepError(str(exc)) from exc


def read_coded_invoice(
    message,
    authority_tax_ids=None,
    trusted_issuers=None,
    expected_key=None,
    authority_names=None,
    reference=None,
):
    """The HDon of a 202 after the intake's authority check (signature over DLHDon, MCCQT
    and its SigningTime; signer identified by MST among ``authority_tax_ids`` or by its CN
    among ``authority_names``, and issued by one of ``trusted_issuers``, PEM/DER bytes). With ``expected_key`` (:func:`invoice_key`
    of the invoice sent) the coded invoice must be that one, with ``reference`` its
    MTDTChieu the MTDiep sent. Raise AuthorityRefused when it fails."""
    invoices = children(message.data, "HDon")
    if message.type != CODED_INVOICE or len(invoices) != 1:
        raise TdiepError(f"message {message.id} is not a 202 holding one HDon")
    if reference is not None:
        check_reference(message, reference, "202")
    hdon = invoices[0]
    try:
        invoice = read_hdon(
            hdon, {"message_type": CODED_INVOICE, "sender": message.sender, "mtdiep": message.id}
        )
    except InboundError as exc:
        raise TdiepError(f"202 {message.id}: {exc}") from exc
    invoice.root = message.root
    if expected_key is not None and invoice.key != tuple(expected_key):
        raise AuthorityRefused(
            f"202 {message.id} codes invoice {' '.join(invoice.key)}, "
            f"not the invoice sent ({' '.join(expected_key)})"
        )
    issuers = load_certificates(trusted_issuers) if trusted_issuers is not None else None
    check = check_authority(invoice, authority_tax_ids, issuers, authority_names)
    if check.result not in ("pass", "warning"):
        raise AuthorityRefused(f"202 {message.id}: {check.message}")
    return CodedInvoice(
        xml=to_bytes(hdon),
        authority_code=invoice.authority_code,
        number=invoice.number,
        check=check,
    )


@dataclass
class NoticeAnswer:
    """A 301 (01/TB-SSĐT) whose authority signature passed: per invoice accepted
    (TTTNCCQT 1) or not (2) with its reasons, the reasons of the whole notice, its number
    and date, and the check (see :class:`CodedInvoice`)."""

    accepted: bool
    invoices: list
    reasons: list
    number: str
    date: str
    xml: bytes
    check: object

    def all_reasons(self):
        found = list(self.reasons)
        for invoice in self.invoices:
            found += invoice["reasons"]
        return found


def notice_invoices(notice):
    """(KHMSHDon, KHHDon, SHDon, TCTBao) of each invoice of a 04/SS-HĐĐT notice (its TBao,
    element or bytes), as notified."""
    if not etree.iselement(notice):
        notice = parse_payload(notice)
    return [
        tuple(text(node, name) for name in ("KHMSHDon", "KHHDon", "SHDon", "TCTBao"))
        for node in children(child(notice, "DLTBao", "DSHDon"), "HDon")
    ]


def read_notice_answer(
    message,
    taxpayer_tax_id,
    authority_tax_ids=None,
    trusted_issuers=None,
    authority_names=None,
    *,
    reference,
    notice,
):
    """The 301 after verifying the authority's signature in ``TBao/DSCKS/CQT`` over DLTBao,
    STBao and its SigningTime object (signer identified by MST among ``authority_tax_ids``
    or by its CN among ``authority_names``) and that it answers our notice: its MTDTChieu
    is ``reference`` (the notice's MTDiep), its MSTs the taxpayer's, and its
    ``DSHDon/HDon`` lines (KHMSHDon, KHHDon, SHDon, TCTBao) exactly the invoices of
    ``notice`` (the 04/SS TBao sent, element or bytes). Raise AuthorityRefused when it
    fails."""
    answer = child(message.data, "TBao")
    data = child(answer, "DLTBao")
    if message.type != NOTICE_ANSWER or data is None:
        raise TdiepError(f"message {message.id} is not a 301 with TBao/DLTBao")
    number = text(answer, "STBao", "So")
    what = f"301 (01/TB-SSĐT {number})"
    check_reference(message, reference, what)
    _check_taxpayer(message, data, taxpayer_tax_id, what)
    check = _verify_tbao(
        message,
        answer,
        taxpayer_tax_id,
        (authority_tax_ids, trusted_issuers, authority_names),
        f"01/TB-SSĐT {number}",
        ("STBao",),
    )
    notified = notice_invoices(notice)
    invoices = []
    for node in children(child(data, "DSHDon"), "HDon"):
        line = tuple(text(node, name) for name in ("KHMSHDon", "KHHDon", "SHDon", "TCTBao"))
        matches = [given for given in notified if _same_invoice(line, given)]
        if not matches:
            raise AuthorityRefused(
                f"{what} {message.id} answers invoice {' '.join(line)} (KHMSHDon KHHDon SHDon "
                "TCTBao), which our notice does not notify"
            )
        notified.remove(matches[0])
        status = text(node, "TTTNCCQT")
        if status not in ("1", "2"):
            raise TdiepError(f"301 DSHDon/HDon/TTTNCCQT {status!r} is neither 1 nor 2")
        invoices.append(
            {
                "authority_code": text(node, "MCQTCap") or text(node, "MCCQT"),
                "template": text(node, "KHMSHDon"),
                "symbol": text(node, "KHHDon"),
                "number": text(node, "SHDon"),
                "nature": text(node, "TCTBao"),
                "accepted": status == "1",
                "reasons": _reasons(child(node, "DSLDKTNhan")),
            }
        )
    if notified:
        raise AuthorityRefused(
            f"{what} {message.id} does not answer the invoice(s) "
            f"{', '.join(' '.join(line) for line in notified)} of our notice"
        )
    reasons = _reasons(child(data, "DSLDKTNhan"), "MTLoi")
    return NoticeAnswer(
        accepted=bool(invoices) and all(i["accepted"] for i in invoices) and not reasons,
        invoices=invoices,
        reasons=reasons,
        number=number,
        date=text(answer, "STBao", "NTBao"),
        xml=to_bytes(answer),
        check=check,
    )


# -- the authority's side (the test T-VAN answers with these) ------------------------------


def _now(moment=None):
    return (moment or datetime.datetime.now()).strftime(DATETIME_FORMAT)


def _reason_nodes(parent, reasons, text_tag="MTa", with_hint=False):
    for given in reasons:
        reason = given if isinstance(given, Reason) else Reason(*given)
        node = etree.SubElement(parent, "LDo")
        _sub(node, "MLoi", reason.code)
        _sub(node, text_tag, reason.text)
        if with_hint:
            _sub(node, "HDXLy", reason.hint or reason.text)


def build_receipt(sender, receiver, reference, reasons=(), moment=None, sender_of_original=""):
    """A 999 acknowledging ``reference``: TTTNhan 0 without ``reasons``, 1 with them
    (``Reason`` or (MLoi, MTa) pairs)."""
    notice = etree.Element("TBao")
    _sub(notice, "MTDiep", reference)
    _sub(notice, "MNGui", sender_of_original)
    _sub(notice, "NNhan", _now(moment))
    _sub(notice, "TTTNhan", 1 if reasons else 0)
    if reasons:
        _reason_nodes(etree.SubElement(notice, "DSLDo"), reasons)
    return build(RECEIPT, sender, receiver, notice, reference=reference)


def build_check_result(
    sender, receiver, reference, tax_id, invoice, reasons=(), number="1", certificate=None
):
    """A 204 (01/TB-KTDL): LTBao 1 with ``reasons`` for ``invoice`` (KHMSHDon, KHHDon,
    SHDon, NLap), LTBao 2 (valid) without; signed in ``TBao/DSCKS/CQT`` over DLTBao by
    ``certificate`` (a :class:`.signer.Certificate`, the authority's) when given."""
    notice = etree.Element("TBao")
    data = etree.SubElement(notice, "DLTBao", Id="DLTBao-204")
    for name, value in (
        ("PBan", PBAN),
        ("MSo", "01/TB-KTDL"),
        ("Ten", "Thông báo về việc kết quả kiểm tra dữ liệu hóa đơn điện tử"),
        ("So", number),
        ("DDanh", "Hà Nội"),
        ("NTBao", datetime.date.today().isoformat()),
        ("MST", tax_id),
        ("TNNT", invoice.get("TNNT") or tax_id),
        ("LTBao", CHECK_NOT_ELIGIBLE if reasons else CHECK_VALID),
        ("CCu", "Thông điệp " + INVOICE_WITH_CODE),
        ("MGDDTu", reference),
    ):
        _sub(data, name, value)
    if reasons:
        block = etree.SubElement(data, "LCMa")
        for name in ("KHMSHDon", "KHHDon", "SHDon", "NLap"):
            _sub(block, name, invoice.get(name))
        _reason_nodes(etree.SubElement(block, "DSLDo"), reasons, "MTLoi", with_hint=True)
    if certificate is not None:
        signer.sign(notice, certificate, signature_id="CQT", holder="CQT")
    return build(CHECK_RESULT, sender, receiver, notice, reference=reference, tax_id=tax_id)


def build_coded_invoice(sender, receiver, reference, tax_id, hdon):
    """A 202 around ``hdon`` (an element already holding MCCQT and DSCKS/CQT)."""
    return build(CODED_INVOICE, sender, receiver, hdon, reference=reference, tax_id=tax_id)


def notice_answer_tbao(
    notice, refused=None, number="1", moment=None, reasons_of=None, transaction=None
):
    """The unsigned TBao of a 301 answering the 04/SS ``notice`` (its TBao element): every
    invoice accepted (TTTNCCQT 1), or not (2) with ``refused`` reasons; with ``reasons_of``
    (a function of the notice's ``HDon`` element) each invoice is accepted or not with its
    own reasons. ``transaction`` is the MGDDTu (random when not given). STBao has the Id
    the authority's signature references."""
    notice_data = child(notice, "DLTBao")
    answer = etree.Element("TBao")
    data = etree.SubElement(answer, "DLTBao", Id="DLTBao-301")
    for name, value in (
        ("PBan", PBAN),
        ("MSo", "01/TB-SSĐT"),
        (
            "Ten",
            "Thông báo về việc tiếp nhận và kết quả xử lý về việc hóa đơn điện tử đã lập "
            "có sai sót",
        ),
        ("DDanh", "Hà Nội"),
        ("TCQTCTren", "Tổng cục Thuế"),
        ("TCQT", text(notice_data, "TCQT")),
        ("TNNT", text(notice_data, "TNNT")),
        ("MST", text(notice_data, "MST")),
        ("MGDDTu", transaction or f"{AUTHORITY}{uuid.uuid4().hex.upper()}"),
        ("TGNhan", (moment or datetime.datetime.now()).date().isoformat()),
        ("STTThe", 1),
        ("HThuc", "Chữ ký số"),
        ("CDanh", "Cục trưởng"),
    ):
        _sub(data, name, value)
    invoices = etree.SubElement(data, "DSHDon")
    for source in children(child(notice_data, "DSHDon"), "HDon"):
        node = etree.SubElement(invoices, "HDon")
        for name in ("STT", "MCQTCap", "MCCQT", "KHMSHDon", "KHHDon", "SHDon"):
            _sub(node, name, text(source, name))
        _sub(node, "NLap", text(source, "Ngay"))
        _sub(node, "LADHDDT", text(source, "LADHDDT"))
        _sub(node, "TCTBao", text(source, "TCTBao"))
        reasons = reasons_of(source) if reasons_of else refused
        _sub(node, "TTTNCCQT", 2 if reasons else 1)
        if reasons:
            _reason_nodes(etree.SubElement(node, "DSLDKTNhan"), reasons)
    stbao = etree.SubElement(answer, "STBao", Id="STBao-301")
    _sub(stbao, "So", number)
    _sub(stbao, "NTBao", (moment or datetime.datetime.now()).date().isoformat())
    return answer
