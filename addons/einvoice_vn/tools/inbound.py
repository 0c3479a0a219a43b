"""Supplier e-invoices in: read an ``HDon`` from outside and check it. No odoo import.

The file comes from a stranger (upload, mail, API), so it is parsed with a hardened parser
that refuses any DTD or entity declaration before lxml sees it, with size and depth caps.
Elements are found by local name as direct children, in any order and with or without a
namespace; never by a descendant search, which a copy of ``DLHDon`` hidden elsewhere in the
document would satisfy (XML signature wrapping).

:func:`read` gives an :class:`InboundInvoice`; :func:`verify` gives one :class:`Check` per
code of :data:`CHECK_CODES`, each with a stable ``key`` and ``params`` so that the Odoo
model can render a translated message (the English template is in :data:`MESSAGES`).
"""

import base64
import datetime
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import requests
import xmlsec
from cryptography import x509
from lxml import etree

from . import mst
from .amount_words import amount_in_words
from .builder import rate_value

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 64
MAX_ZIP_MEMBERS = 50
MAX_ZIP_TOTAL = 20 * 1024 * 1024
MAX_ZIP_RATIO = 100
INVOICE_MESSAGE_TYPES = ("200", "202", "203", "206")
SIGNING_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S"
# Dates and times in the XML are GMT+7 (QĐ 1271/2025, part I, IV.2).
VN_TZ = datetime.timezone(datetime.timedelta(hours=7))
DSIG = "http://www.w3.org/2000/09/xmldsig#"
SIGNATURE_METHODS = {
    "http://www.w3.org/2000/09/xmldsig#rsa-sha1": "RSA-SHA1",
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256": "RSA-SHA256",
}
# 34 characters issued by the authority; the cash-register form (QĐ 1271/2025):
# M, invoice type 1-6, year of issue, 5 characters given by the authority, 11 digits.
AUTHORITY_CODE = re.compile(r"[0-9A-Z]{34}")
CASH_REGISTER_CODE = re.compile(r"M([1-6])-(\d{2})-([0-9A-Z]{5})-(\d{11})")
XML_ID = "{http://www.w3.org/XML/1998/namespace}id"

CHECK_CODES = (
    "seller_signature",
    "certificate",
    "authority",
    "buyer_tax_id",
    "seller_tax_id",
    "amounts",
    "words",
)
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

# English text of each check message; ``Check.key`` names one, ``Check.params`` fills it.
MESSAGES = {
    "seller_signature.ok": "The seller's signature (%(algorithm)s) verifies over DLHDon "
    "#%(data_id)s and its SigningTime object.",
    "seller_signature.missing": "The invoice has no seller signature in DSCKS/NBan.",
    "seller_signature.several": "DSCKS/NBan holds %(count)s signatures; one is expected.",
    "signature.duplicate_id": "The Id value %(id)s is used by %(count)s elements: references "
    "to it are ambiguous (signature wrapping).",
    "signature.bad_uri": "The signature reference URI %(uri)s is not a same-document "
    "reference #<Id>.",
    "signature.unresolved": "The signature reference %(uri)s points to no element.",
    "signature.foreign_reference": "The signature reference %(uri)s points to %(path)s, not to "
    "%(expected)s: it signs an element we do not read (signature wrapping).",
    "signature.missing_reference": "The signature does not reference %(expected)s.",
    "signature.repeated_reference": "The signature references %(expected)s %(count)s times.",
    "signature.algorithm": "The signature method %(algorithm)s is not accepted (RSA-SHA1 or "
    "RSA-SHA256).",
    "signature.invalid": "The signature does not verify: %(error)s (the signed content was "
    "changed after signing, or the signature is forged).",
    "signature.no_certificate": "The signature carries no usable X509Certificate: %(error)s",
    "certificate.ok": "Certificate %(subject)s was valid at SigningTime %(signing_time)s "
    "(%(not_before)s to %(not_after)s) and its %(id_kind)s %(cert_id)s is the seller's "
    "MST %(seller_id)s.",
    "certificate.missing": "No seller signature, so no certificate to check.",
    "certificate.corrupted": "The seller's certificate cannot be read: %(error)s",
    "certificate.no_signing_time": "The seller's signature has no SigningTime in its "
    "signed Object.",
    "certificate.bad_signing_time": "SigningTime %(value)s is not a date and time "
    "YYYY-MM-DDThh:mm:ss.",
    "certificate.not_valid_at_signing": "Certificate %(subject)s was not valid at "
    "SigningTime %(signing_time)s: it is valid from %(not_before)s to %(not_after)s.",
    "certificate.signed_in_future": "SigningTime %(signing_time)s is later than now (%(now)s).",
    "certificate.no_uid": "The certificate subject %(subject)s carries no UID=MST:, CMND: or "
    "CCCD: identifier.",
    "certificate.uid_mismatch": "The certificate belongs to %(id_kind)s %(cert_id)s, the "
    "seller on the invoice is MST %(seller_id)s.",
    "authority.ok": "The tax authority's signature verifies over DLHDon, MCCQT %(code)s and "
    "its SigningTime object.",
    "authority.cash_register": "Cash-register invoice: MCCQT %(code)s has the form "
    "M<type>-<year>-<5 characters>-<11 digits>; such codes carry no authority signature.",
    "authority.cash_register_mismatch": "Cash-register MCCQT %(code)s says invoice type "
    "%(code_type)s of year 20%(code_year)s, the invoice is KHMSHDon %(template)s of %(year)s.",
    "authority.without_code": "Invoice without authority code (KHHDon %(symbol)s, message "
    "type %(message_type)s): there is no MCCQT or authority signature to check.",
    "authority.code_missing": "KHHDon %(symbol)s is an invoice with authority code, but the "
    "file has no MCCQT (message type %(message_type)s).",
    "authority.bad_code": "MCCQT %(code)s is neither a 34-character authority code nor a "
    "cash-register code M1-25-XXXXX-00000000001.",
    "authority.no_signature": "MCCQT %(code)s is present but DSCKS/CQT holds no tax "
    "authority signature.",
    "authority.no_code_id": "MCCQT %(code)s has no Id attribute, so the authority "
    "signature cannot cover it.",
    "authority.invalid": "The tax authority's signature is refused: %(error)s",
    "authority.unexpected_code": "KHHDon %(symbol)s is an invoice without authority code, "
    "yet the file carries MCCQT %(code)s.",
    "buyer_tax_id.ok": "The buyer MST %(buyer)s is ours.",
    "buyer_tax_id.branch": "The buyer MST %(buyer)s is another unit (head office or branch) "
    "of our MST %(ours)s.",
    "buyer_tax_id.missing": "The invoice names no buyer MST (NMua/MST): it is not addressed to us.",
    "buyer_tax_id.mismatch": "The buyer MST %(buyer)s is not ours (%(ours)s).",
    "seller_tax_id.ok": "The seller MST %(seller)s is valid.",
    "seller_tax_id.citizen_id": "The seller MST %(seller)s is a 12-digit citizen id "
    "(household business): it has no check digit.",
    "seller_tax_id.invalid": "The seller MST %(seller)s is not a valid tax id (check digit or "
    "form).",
    "amounts.ok": "Lines, per-rate totals, tax and total add up.",
    "amounts.rounding": "Amounts differ by rounding only: %(details)s.",
    "amounts.mismatch": "Amounts do not add up: %(details)s.",
    "amounts.missing": "The invoice has no %(element)s: the amounts cannot be checked.",
    "words.ok": "The amount in words matches %(total)s.",
    "words.variant": "The amount in words %(words)r is a wording variant of %(total)s "
    "(expected %(expected)r).",
    "words.mismatch": "The amount in words %(words)r says %(said)s, the total is %(total)s.",
    "words.unreadable": "The amount in words %(words)r cannot be read as a number; the total "
    "is %(total)s.",
}


class InboundError(ValueError):
    """A file that cannot be read as an e-invoice; the message names the element or value."""


# -- parsing ---------------------------------------------------------------------------------

_FORBIDDEN_DECLARATIONS = (b"<!DOCTYPE", b"<!ENTITY", b"<!ELEMENT", b"<!ATTLIST")


def _parser():
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,
    )


def _declared_encoding_text(data):
    """The document as text for the declaration scan, whatever its byte encoding."""
    for bom, encoding in (
        (b"\xef\xbb\xbf", "utf-8"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
    ):
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, "replace").encode("utf-8", "replace")
    if data[:2] in (b"<\x00", b"\x00<"):
        encoding = "utf-16-le" if data[:1] == b"<" else "utf-16-be"
        return data.decode(encoding, "replace").encode("utf-8", "replace")
    return data


def parse_xml(data):
    """Parse untrusted XML bytes; return the root element or raise InboundError.

    A DOCTYPE or any DTD declaration is refused before parsing (no file, network or entity
    expansion can happen), and again after parsing in case an encoding hid it.
    """
    if not isinstance(data, bytes):
        raise InboundError("the file content must be bytes")
    if len(data) > MAX_FILE_BYTES:
        raise InboundError(
            f"the file has {len(data)} bytes, more than the {MAX_FILE_BYTES} accepted"
        )
    scanned = _declared_encoding_text(data).upper()
    for declaration in _FORBIDDEN_DECLARATIONS:
        if declaration in scanned:
            raise InboundError(
                f"the XML contains a {declaration.decode()[2:]} declaration; "
                "DTDs and entities are refused"
            )
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise InboundError(f"the file is not well-formed XML: {exc}") from exc
    if root is None:
        raise InboundError("the file holds no XML element")
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise InboundError("the XML contains a DOCTYPE declaration; DTDs are refused")
    _check_depth(root)
    return root


def _check_depth(root):
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise InboundError(f"the XML nests deeper than {MAX_DEPTH} levels")
        if isinstance(node, etree._Entity):
            raise InboundError(f"the XML contains an entity reference {node.text}")
        stack.extend((child, depth + 1) for child in node)


def unpack(filename, data):
    """The XML documents of an uploaded file: [(name, bytes)].

    A ZIP (recognised by its magic bytes) gives its ``.xml`` members; renderings (PDF,
    HTML) and nested archives are ignored. Plain XML is returned as is.
    """
    if not isinstance(data, bytes) or not data:
        raise InboundError(f"{filename}: the file is empty")
    if len(data) > MAX_FILE_BYTES:
        raise InboundError(
            f"{filename}: the file has {len(data)} bytes, more than the {MAX_FILE_BYTES} accepted"
        )
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        return _unpack_zip(filename, data)
    head = _declared_encoding_text(data[:512]).lstrip()
    if head.startswith(b"<"):
        return [(filename, data)]
    raise InboundError(f"{filename}: neither an XML file nor a ZIP archive")


def _unpack_zip(filename, data):
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise InboundError(f"{filename}: damaged ZIP archive: {exc}") from exc
    if len(members) > MAX_ZIP_MEMBERS:
        raise InboundError(
            f"{filename}: the ZIP holds {len(members)} files, more than the "
            f"{MAX_ZIP_MEMBERS} accepted"
        )
    declared = sum(member.file_size for member in members)
    if declared > MAX_ZIP_TOTAL:
        raise InboundError(
            f"{filename}: the ZIP unpacks to {declared} bytes, more than the "
            f"{MAX_ZIP_TOTAL} accepted"
        )
    documents = []
    total = 0
    for member in members:
        if member.is_dir() or not member.filename.lower().endswith(".xml"):
            continue
        if member.file_size > MAX_FILE_BYTES or (
            member.compress_size and member.file_size / member.compress_size > MAX_ZIP_RATIO
        ):
            raise InboundError(
                f"{filename}: member {member.filename} unpacks to {member.file_size} bytes "
                f"from {member.compress_size} (limit {MAX_FILE_BYTES} bytes, ratio "
                f"{MAX_ZIP_RATIO}); refused as a ZIP bomb"
            )
        try:
            with archive.open(member) as stream:
                # Read one byte past the limit: the declared size may lie.
                content = stream.read(MAX_FILE_BYTES + 1)
        except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError) as exc:
            raise InboundError(f"{filename}: cannot read member {member.filename}: {exc}") from exc
        total += len(content)
        if len(content) > MAX_FILE_BYTES or total > MAX_ZIP_TOTAL:
            raise InboundError(
                f"{filename}: member {member.filename} unpacks to more than its declared "
                "size or the ZIP limit; refused as a ZIP bomb"
            )
        documents.append((member.filename, content))
    if not documents:
        raise InboundError(f"{filename}: the ZIP holds no XML invoice")
    return documents


# -- finding elements ------------------------------------------------------------------------


def local_name(node):
    return etree.QName(node).localname if isinstance(node.tag, str) else ""


def children(node, name):
    """Direct children of ``node`` with local name ``name``, namespace ignored."""
    if node is None:
        return []
    return [child for child in node if local_name(child) == name]


def child(node, *path):
    """The first direct child along ``path`` of local names, or None."""
    for name in path:
        found = children(node, name)
        if not found:
            return None
        node = found[0]
    return node


def text(node, *path):
    found = child(node, *path)
    if found is None or found.text is None:
        return ""
    return found.text.strip()


def element_path(node):
    """``TDiep/DLieu/HDon/DLHDon`` style path of an element, for messages."""
    names = []
    while node is not None:
        names.append(local_name(node))
        node = node.getparent()
    return "/".join(reversed(names))


def find_invoices(root):
    """Every HDon of the document with the message details: [(hdon, info)]."""
    name = local_name(root)
    if name == "HDon":
        return [(root, {"message_type": "", "sender": "", "mtdiep": "", "count": 1})]
    if name != "TDiep":
        raise InboundError(f"the root element {name} is neither HDon nor TDiep")
    general = child(root, "TTChung")
    message_type = text(general, "MLTDiep")
    if message_type not in INVOICE_MESSAGE_TYPES:
        raise InboundError(
            f"TDiep/TTChung/MLTDiep {message_type or '(missing)'} is not an invoice message "
            f"(accepted: {', '.join(INVOICE_MESSAGE_TYPES)})"
        )
    invoices = children(child(root, "DLieu"), "HDon")
    if not invoices:
        raise InboundError("TDiep/DLieu holds no HDon")
    info = {
        "message_type": message_type,
        "sender": text(general, "MNGui"),
        "mtdiep": text(general, "MTDiep"),
        "count": len(invoices),
    }
    return [(hdon, dict(info)) for hdon in invoices]


def find_invoice(root):
    """The (first) HDon of the document and the message details (``count`` says how many)."""
    return find_invoices(root)[0]


# -- reading ---------------------------------------------------------------------------------


@dataclass
class InboundLine:
    sequence: int
    kind: int
    code: str
    name: str
    uom: str
    quantity: Decimal
    unit_price: Decimal
    discount_amount: Decimal
    amount: Decimal
    tax_rate: str
    discount_rate: Decimal = None


@dataclass
class InboundInvoice:
    version: str
    template: str
    symbol: str
    number: str
    date: datetime.date
    currency: str
    exchange_rate: Decimal
    seller_tax_id: str
    seller_name: str
    seller_address: str
    buyer_tax_id: str
    buyer_name: str
    authority_code: str
    message_type: str
    lines: list
    rate_totals: dict
    total_untaxed: Decimal
    total_tax: Decimal
    total: Decimal
    total_words: str
    root: object = field(repr=False)
    hdon: object = field(repr=False)
    total_discount: Decimal = None
    invoice_name: str = ""
    payment_method: str = ""
    buyer_address: str = ""
    sender: str = ""
    mtdiep: str = ""

    @property
    def key(self):
        """What makes an invoice unique: (seller MST, KHMSHDon, KHHDon, SHDon).

        The MST is compacted (no dash or space) and SHDon stripped of leading zeros, since
        providers write "0000042" or "42" for the same number.
        """
        number = (self.number.lstrip("0") or "0") if self.number.isdigit() else self.number
        return (compact_tax_id(self.seller_tax_id), self.template, self.symbol.upper(), number)

    @property
    def data(self):
        """The DLHDon element the values were read from."""
        return child(self.hdon, "DLHDon")


def compact_tax_id(value):
    value = re.sub(r"[\s\-.]", "", value or "").upper()
    return value[2:] if value.startswith("VN") else value


def _required(node, path, base):
    value = text(node, *path)
    if not value:
        raise InboundError(f"{base}/{'/'.join(path)} is missing or empty")
    return value


def _decimal(node, path, base, default=None):
    value = text(node, *path)
    if not value:
        return default
    try:
        number = Decimal(value)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise InboundError(f"{base}/{'/'.join(path)} {value!r} is not a number")
    return number


def read(data):
    """Read the (first) invoice of an XML document; raise InboundError when it cannot."""
    root = parse_xml(data)
    hdon, info = find_invoice(root)
    return read_hdon(hdon, info)


def read_all(data):
    """Every invoice of an XML document (a TDiep may carry several)."""
    root = parse_xml(data)
    return [read_hdon(hdon, info) for hdon, info in find_invoices(root)]


def read_hdon(hdon, info=None):
    info = info or {}
    base = element_path(hdon)
    blocks = children(hdon, "DLHDon")
    if len(blocks) != 1:
        raise InboundError(f"{base} must have exactly one DLHDon child, found {len(blocks)}")
    data = blocks[0]
    base = f"{base}/DLHDon"
    general = child(data, "TTChung")
    if general is None:
        raise InboundError(f"{base}/TTChung is missing")
    content = child(data, "NDHDon")
    if content is None:
        raise InboundError(f"{base}/NDHDon is missing")
    date_text = _required(general, ("NLap",), f"{base}/TTChung")
    try:
        date = datetime.date.fromisoformat(date_text[:10])
    except ValueError as exc:
        raise InboundError(f"{base}/TTChung/NLap {date_text!r} is not a date YYYY-MM-DD") from exc
    lines = []
    items = children(child(content, "DSHHDVu"), "HHDVu")
    for index, item in enumerate(items, start=1):
        line_base = f"{base}/NDHDon/DSHHDVu/HHDVu[{index}]"
        kind_text = text(item, "TChat") or "1"
        if not kind_text.isdigit():
            raise InboundError(f"{line_base}/TChat {kind_text!r} is not 1, 2, 3 or 4")
        sequence = text(item, "STT")
        lines.append(
            InboundLine(
                sequence=int(sequence) if sequence.isdigit() else index,
                kind=int(kind_text),
                code=text(item, "MHHDVu"),
                name=text(item, "THHDVu"),
                uom=text(item, "DVTinh"),
                quantity=_decimal(item, ("SLuong",), line_base),
                unit_price=_decimal(item, ("DGia",), line_base),
                discount_amount=_decimal(item, ("STCKhau",), line_base, Decimal(0)),
                amount=_decimal(item, ("ThTien",), line_base),
                tax_rate=text(item, "TSuat"),
                discount_rate=_decimal(item, ("TLCKhau",), line_base),
            )
        )
    payment = child(content, "TToan")
    pay_base = f"{base}/NDHDon/TToan"
    if payment is None:
        raise InboundError(f"{pay_base} is missing")
    rate_totals = {}
    for index, node in enumerate(children(child(payment, "THTTLTSuat"), "LTSuat"), start=1):
        rate_base = f"{pay_base}/THTTLTSuat/LTSuat[{index}]"
        rate = _required(node, ("TSuat",), rate_base)
        taxable = _decimal(node, ("ThTien",), rate_base, Decimal(0))
        tax = _decimal(node, ("TThue",), rate_base, Decimal(0))
        old_taxable, old_tax = rate_totals.get(rate, (Decimal(0), Decimal(0)))
        rate_totals[rate] = (old_taxable + taxable, old_tax + tax)
    seller = child(content, "NBan")
    buyer = child(content, "NMua")
    total = _decimal(payment, ("TgTTTBSo",), pay_base)
    if total is None:
        raise InboundError(f"{pay_base}/TgTTTBSo is missing or empty")
    return InboundInvoice(
        version=_required(general, ("PBan",), f"{base}/TTChung"),
        template=_required(general, ("KHMSHDon",), f"{base}/TTChung"),
        symbol=_required(general, ("KHHDon",), f"{base}/TTChung"),
        number=_required(general, ("SHDon",), f"{base}/TTChung"),
        date=date,
        currency=(text(general, "DVTTe") or "VND").upper(),
        exchange_rate=_decimal(general, ("TGia",), f"{base}/TTChung", Decimal(1)),
        seller_tax_id=_required(seller, ("MST",), f"{base}/NDHDon/NBan"),
        seller_name=_required(seller, ("Ten",), f"{base}/NDHDon/NBan"),
        seller_address=text(seller, "DChi"),
        buyer_tax_id=text(buyer, "MST"),
        buyer_name=text(buyer, "Ten") or text(buyer, "HVTNMHang"),
        buyer_address=text(buyer, "DChi"),
        authority_code=text(hdon, "MCCQT"),
        message_type=info.get("message_type", ""),
        sender=info.get("sender", ""),
        mtdiep=info.get("mtdiep", ""),
        lines=lines,
        rate_totals=rate_totals,
        total_untaxed=_decimal(payment, ("TgTCThue",), pay_base),
        total_tax=_decimal(payment, ("TgTThue",), pay_base),
        total_discount=_decimal(payment, ("TTCKTMai",), pay_base),
        total=total,
        total_words=text(payment, "TgTTTBChu"),
        invoice_name=text(general, "THDon"),
        payment_method=text(general, "HTTToan"),
        root=hdon.getroottree().getroot(),
        hdon=hdon,
    )


# -- checks ----------------------------------------------------------------------------------


@dataclass
class Check:
    code: str
    result: str  # 'pass' | 'warning' | 'fail' | 'not_checked'
    message: str
    key: str
    params: dict = field(default_factory=dict)


def _check(check_code, result, key, /, **params):
    return Check(check_code, result, MESSAGES[key] % params, key, params)


class _Refused(Exception):
    """A signature refused by our own rules: carries the message key and params."""

    def __init__(self, key, **params):
        super().__init__(MESSAGES[key] % params)
        self.key = key
        self.params = params


def _ids(root):
    """Every element by Id (and xml:id, which libxml2 resolves by itself)."""
    found = {}
    for node in root.iter():
        if not isinstance(node.tag, str):
            continue
        for attribute in ("Id", XML_ID):
            value = node.get(attribute)
            if value:
                found.setdefault(value, []).append(node)
    return found


def _signature_object(signature):
    """The Object of this Signature that holds SignatureProperties/.../SigningTime."""
    for obj in children(signature, "Object"):
        for props in children(obj, "SignatureProperties"):
            for prop in children(props, "SignatureProperty"):
                if child(prop, "SigningTime") is not None:
                    return obj
    return None


def signing_time_of(signature):
    """The SigningTime text of the signature's own Object, or ''."""
    obj = _signature_object(signature)
    if obj is None:
        return ""
    for props in children(obj, "SignatureProperties"):
        for prop in children(props, "SignatureProperty"):
            value = text(prop, "SigningTime")
            if value:
                return value
    return ""


def _verify_signature(root, signature, expected):
    """Verify ``signature`` after checking what it references.

    ``expected`` maps a label ("this HDon's DLHDon") to the one element each reference
    must resolve to. Every reference must be a ``#Id`` pointing at exactly one of them,
    each of them referenced once; Id values must be unique in the whole document.
    Return the algorithm name; raise _Refused.
    """
    ids = _ids(root)
    for value, nodes in ids.items():
        if len(nodes) > 1:
            raise _Refused("signature.duplicate_id", id=value, count=len(nodes))
    signed_info = child(signature, "SignedInfo")
    method = child(signed_info, "SignatureMethod")
    algorithm_uri = method.get("Algorithm", "") if method is not None else ""
    if algorithm_uri not in SIGNATURE_METHODS:
        raise _Refused("signature.algorithm", algorithm=algorithm_uri or "(none)")
    _check_references(signed_info, ids, expected)
    _xmlsec_verify(signature, ids)
    return SIGNATURE_METHODS[algorithm_uri]


def _check_references(signed_info, ids, expected):
    seen = dict.fromkeys(expected, 0)
    for reference in children(signed_info, "Reference"):
        uri = reference.get("URI")
        if uri is None or not re.fullmatch(r"#[A-Za-z_][\w.\-]*", uri):
            raise _Refused("signature.bad_uri", uri=repr(uri))
        nodes = ids.get(uri[1:])
        if not nodes:
            raise _Refused("signature.unresolved", uri=uri)
        label = next((name for name, node in expected.items() if node is nodes[0]), None)
        if label is None:
            raise _Refused(
                "signature.foreign_reference",
                uri=uri,
                path=element_path(nodes[0]),
                expected=" or ".join(expected),
            )
        seen[label] += 1
    for label, count in seen.items():
        if count == 0:
            raise _Refused("signature.missing_reference", expected=label)
        if count > 1:
            raise _Refused("signature.repeated_reference", expected=label, count=count)


# Only the transforms real invoices use: no XPath, XSLT or XPointer.
_CANONICAL = (
    xmlsec.Transform.C14N,
    xmlsec.Transform.C14N_COMMENTS,
    xmlsec.Transform.C14N11,
    xmlsec.Transform.C14N11_COMMENTS,
    xmlsec.Transform.EXCL_C14N,
    xmlsec.Transform.EXCL_C14N_COMMENTS,
)
_DIGESTS = (xmlsec.Transform.SHA1, xmlsec.Transform.SHA256)
REFERENCE_TRANSFORMS = (xmlsec.Transform.ENVELOPED, *_CANONICAL, *_DIGESTS)
SIGNATURE_TRANSFORMS = (
    *_CANONICAL,
    *_DIGESTS,
    xmlsec.Transform.RSA_SHA1,
    xmlsec.Transform.RSA_SHA256,
)


def _xmlsec_verify(signature, ids):
    node = signature.find(f".//{{{DSIG}}}X509Certificate")
    try:
        if node is None or not (node.text or "").strip():
            raise ValueError("no X509Certificate element")
        der = base64.b64decode("".join(node.text.split()), validate=True)
        key = xmlsec.Key.from_memory(der, xmlsec.KeyFormat.CERT_DER, None)
    except (ValueError, xmlsec.Error) as exc:
        raise _Refused("signature.no_certificate", error=str(exc) or type(exc).__name__) from exc
    ctx = xmlsec.SignatureContext()
    ctx.key = key
    for transform in REFERENCE_TRANSFORMS:
        ctx.enable_reference_transform(transform)
    for transform in SIGNATURE_TRANSFORMS:
        ctx.enable_signature_transform(transform)
    for value, nodes in ids.items():
        if nodes[0].get("Id") == value:
            ctx.register_id(nodes[0], "Id")
    try:
        ctx.verify(signature)
    except xmlsec.Error as exc:
        raise _Refused("signature.invalid", error=str(exc) or type(exc).__name__) from exc


def _signatures(hdon, holder):
    return children(child(hdon, "DSCKS", holder), "Signature")


def check_seller_signature(invoice):
    signatures = _signatures(invoice.hdon, "NBan")
    if not signatures:
        return _check("seller_signature", "fail", "seller_signature.missing")
    if len(signatures) > 1:
        return _check("seller_signature", "fail", "seller_signature.several", count=len(signatures))
    signature = signatures[0]
    data = invoice.data
    obj = _signature_object(signature)
    expected = {"this HDon's DLHDon": data}
    expected["the SigningTime object of this signature"] = obj
    try:
        algorithm = _verify_signature(invoice.root, signature, expected)
    except _Refused as refused:
        return _check("seller_signature", "fail", refused.key, **refused.params)
    return _check(
        "seller_signature",
        "pass",
        "seller_signature.ok",
        algorithm=algorithm,
        data_id=data.get("Id"),
    )


_UID = re.compile(r"\b(MST|CMND|CCCD)\s*:\s*([0-9]{9,13}(?:-[0-9]{3})?)", re.IGNORECASE)


def parse_signing_time(value):
    """SigningTime (GMT+7 when it names no zone) as an aware datetime; ValueError if bad."""
    moment = datetime.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=VN_TZ)
    return moment


def check_certificate(invoice, now):
    signatures = _signatures(invoice.hdon, "NBan")
    if not signatures:
        return _check("certificate", "fail", "certificate.missing")
    signature = signatures[0]
    node = signature.find(f".//{{{DSIG}}}X509Certificate")
    try:
        if node is None or not (node.text or "").strip():
            raise ValueError("the signature carries no X509Certificate")
        der = base64.b64decode("".join(node.text.split()), validate=True)
        cert = x509.load_der_x509_certificate(der)
        subject = cert.subject.rfc4514_string()
        # cryptography < 42 has only the naive UTC attributes.
        not_before = cert.not_valid_before.replace(tzinfo=datetime.timezone.utc)
        not_after = cert.not_valid_after.replace(tzinfo=datetime.timezone.utc)
    except ValueError as exc:
        return _check("certificate", "fail", "certificate.corrupted", error=str(exc))
    value = signing_time_of(signature)
    if not value:
        return _check("certificate", "fail", "certificate.no_signing_time")
    try:
        signing_time = parse_signing_time(value)
    except ValueError:
        return _check("certificate", "fail", "certificate.bad_signing_time", value=value)
    dates = {
        "subject": subject,
        "signing_time": value,
        "not_before": not_before.strftime("%Y-%m-%d %H:%M:%S UTC"),
        "not_after": not_after.strftime("%Y-%m-%d %H:%M:%S UTC"),
    }
    if not not_before <= signing_time <= not_after:
        return _check("certificate", "fail", "certificate.not_valid_at_signing", **dates)
    if signing_time > now + datetime.timedelta(minutes=10):
        return _check(
            "certificate",
            "fail",
            "certificate.signed_in_future",
            signing_time=value,
            now=now.strftime("%Y-%m-%d %H:%M:%S UTC"),
        )
    uids = [
        (kind.upper(), ident)
        for attribute in cert.subject
        for kind, ident in _UID.findall(str(attribute.value))
    ]
    if not uids:
        return _check("certificate", "fail", "certificate.no_uid", subject=subject)
    seller = compact_tax_id(invoice.seller_tax_id)
    for kind, ident in uids:
        if compact_tax_id(ident) == seller:
            return _check(
                "certificate",
                "pass",
                "certificate.ok",
                id_kind=kind,
                cert_id=ident,
                seller_id=invoice.seller_tax_id,
                **dates,
            )
    kind, ident = uids[0]
    return _check(
        "certificate",
        "fail",
        "certificate.uid_mismatch",
        id_kind=kind,
        cert_id=ident,
        seller_id=invoice.seller_tax_id,
    )


def check_authority(invoice):
    code = invoice.authority_code
    symbol = invoice.symbol
    message_type = invoice.message_type or "none, bare HDon"
    with_code = symbol[:1].upper() == "C"
    signatures = _signatures(invoice.hdon, "CQT")
    cash = CASH_REGISTER_CODE.fullmatch(code) if code else None
    if cash:
        code_type, code_year = cash.group(1), cash.group(2)
        if code_type != invoice.template or code_year != f"{invoice.date.year % 100:02d}":
            return _check(
                "authority",
                "warning",
                "authority.cash_register_mismatch",
                code=code,
                code_type=code_type,
                code_year=code_year,
                template=invoice.template,
                year=invoice.date.year,
            )
        if not signatures:
            return _check("authority", "pass", "authority.cash_register", code=code)
    if not code:
        if invoice.message_type == "202" or with_code or signatures:
            return _check(
                "authority",
                "fail",
                "authority.code_missing",
                symbol=symbol,
                message_type=message_type,
            )
        return _check(
            "authority",
            "not_checked",
            "authority.without_code",
            symbol=symbol,
            message_type=message_type,
        )
    if not cash and not AUTHORITY_CODE.fullmatch(code):
        return _check("authority", "fail", "authority.bad_code", code=code)
    if not signatures:
        return _check("authority", "fail", "authority.no_signature", code=code)
    code_node = child(invoice.hdon, "MCCQT")
    if not code_node.get("Id"):
        return _check("authority", "fail", "authority.no_code_id", code=code)
    if len(signatures) > 1:
        return _check(
            "authority",
            "fail",
            "authority.invalid",
            error=f"DSCKS/CQT holds {len(signatures)} signatures",
        )
    signature = signatures[0]
    expected = {
        "this HDon's DLHDon": invoice.data,
        "this HDon's MCCQT": code_node,
        "the SigningTime object of this signature": _signature_object(signature),
    }
    try:
        _verify_signature(invoice.root, signature, expected)
    except _Refused as refused:
        return _check("authority", "fail", "authority.invalid", error=str(refused))
    if not with_code and not cash:
        return _check("authority", "warning", "authority.unexpected_code", symbol=symbol, code=code)
    return _check("authority", "pass", "authority.ok", code=code)


def check_buyer_tax_id(invoice, buyer_tax_ids):
    ours = [compact_tax_id(value) for value in buyer_tax_ids if value]
    listed = ", ".join(value for value in buyer_tax_ids if value) or "(none configured)"
    buyer = compact_tax_id(invoice.buyer_tax_id)
    if not buyer:
        return _check("buyer_tax_id", "fail", "buyer_tax_id.missing")
    if buyer in ours:
        return _check("buyer_tax_id", "pass", "buyer_tax_id.ok", buyer=invoice.buyer_tax_id)
    if any(len(buyer) in (10, 13) and own[:10] == buyer[:10] for own in ours):
        return _check(
            "buyer_tax_id",
            "warning",
            "buyer_tax_id.branch",
            buyer=invoice.buyer_tax_id,
            ours=listed,
        )
    return _check(
        "buyer_tax_id", "fail", "buyer_tax_id.mismatch", buyer=invoice.buyer_tax_id, ours=listed
    )


def check_seller_tax_id(invoice):
    seller = invoice.seller_tax_id
    if not mst.is_valid(seller):
        return _check("seller_tax_id", "fail", "seller_tax_id.invalid", seller=seller)
    if re.fullmatch(r"\d{12}", compact_tax_id(seller)):
        return _check("seller_tax_id", "pass", "seller_tax_id.citizen_id", seller=seller)
    return _check("seller_tax_id", "pass", "seller_tax_id.ok", seller=seller)


def _unit(currency):
    return Decimal(1) if currency == "VND" else Decimal("0.01")


def _fmt(value):
    return format(value.normalize(), "f") if isinstance(value, Decimal) else str(value)


def check_amounts(invoice):
    """Line amounts, per-rate totals, tax and total; rounding within one unit per line."""
    unit = _unit(invoice.currency)
    rounding, errors = [], []

    def compare(label, written, computed, tolerance):
        difference = abs(written - computed)
        if not difference:
            return
        detail = f"{label} is {_fmt(written)}, computed {_fmt(computed)}"
        (rounding if difference <= tolerance else errors).append(detail)

    per_rate = {}
    for line in invoice.lines:
        if line.kind not in (1, 3):
            continue
        amount = line.amount
        if amount is None:
            errors.append(f"line {line.sequence} has no ThTien")
            continue
        if line.kind == 1 and line.quantity is not None and line.unit_price is not None:
            computed = line.quantity * line.unit_price - (line.discount_amount or 0)
            compare(f"line {line.sequence} ThTien", amount, computed, unit)
        count, total = per_rate.get(line.tax_rate, (0, Decimal(0)))
        signed = -abs(amount) if line.kind == 3 else amount
        per_rate[line.tax_rate] = (count + 1, total + signed)
    if not invoice.rate_totals and per_rate:
        # Sales invoices (no VAT) may omit THTTLTSuat; the totals are then checked alone.
        written_rates = {rate: (total, Decimal(0)) for rate, (_count, total) in per_rate.items()}
    else:
        written_rates = invoice.rate_totals
    lines_count = max(len([li for li in invoice.lines if li.kind in (1, 3)]), 1)
    for rate in sorted(set(per_rate) | set(written_rates)):
        count, computed = per_rate.get(rate, (0, Decimal(0)))
        taxable, tax = written_rates.get(rate, (Decimal(0), Decimal(0)))
        compare(f"taxable amount at {rate or '(no rate)'}", taxable, computed, unit * max(count, 1))
        compare(
            f"tax at {rate or '(no rate)'}",
            tax,
            (taxable * rate_value(rate)).quantize(unit),
            unit * max(count, 1),
        )
    taxable_sum = sum((taxable for taxable, _tax in written_rates.values()), Decimal(0))
    tax_sum = sum((tax for _taxable, tax in written_rates.values()), Decimal(0))
    untaxed = invoice.total_untaxed if invoice.total_untaxed is not None else taxable_sum
    if invoice.total_untaxed is None and invoice.rate_totals:
        return _check("amounts", "fail", "amounts.missing", element="TToan/TgTCThue")
    compare("TgTCThue", untaxed, taxable_sum, unit * lines_count)
    total_tax = invoice.total_tax if invoice.total_tax is not None else Decimal(0)
    compare("TgTThue", total_tax, tax_sum, unit * lines_count)
    compare("TgTTTBSo", invoice.total, untaxed + total_tax, unit)
    if errors:
        return _check("amounts", "fail", "amounts.mismatch", details="; ".join(errors + rounding))
    if rounding:
        return _check("amounts", "warning", "amounts.rounding", details="; ".join(rounding))
    return _check("amounts", "pass", "amounts.ok")


# -- amounts in words ------------------------------------------------------------------------

_DIGIT_WORDS = {
    "không": 0,
    "một": 1,
    "mốt": 1,
    "hai": 2,
    "ba": 3,
    "bốn": 4,
    "tư": 4,
    "năm": 5,
    "lăm": 5,
    "nhăm": 5,
    "sáu": 6,
    "bảy": 7,
    "bẩy": 7,
    "tám": 8,
    "chín": 9,
}
_SCALES = (("tỷ", 10**9), ("triệu", 10**6), ("nghìn", 10**3))
_SYNONYMS = {"tỉ": "tỷ", "ngàn": "nghìn", "linh": "lẻ", "mươi": "mươi"}
_CURRENCY_TAILS = (
    "việt nam đồng",
    "đồng việt nam",
    "đồng chẵn",
    "đồng",
    "vnđ",
    "vnd",
    "chẵn",
)


def normalize_words(words):
    """Lowercase NFC text without punctuation, doubled spaces or currency suffix."""
    value = unicodedata.normalize("NFC", words or "").lower()
    value = re.sub(r"[,.;:!()/\\\"'\-]+", " ", value)
    value = " ".join(value.split())
    changed = True
    while changed:
        changed = False
        for tail in _CURRENCY_TAILS:
            if value == tail or value.endswith(" " + tail):
                value = value[: -len(tail)].strip()
                changed = True
    return value


def _group_value(tokens):
    """Value of words below one thousand, or None when they are not a number."""
    if not tokens:
        return 0
    value = 0
    if "trăm" in tokens:
        index = tokens.index("trăm")
        head = tokens[:index]
        if len(head) != 1 or head[0] not in _DIGIT_WORDS:
            return None
        value = _DIGIT_WORDS[head[0]] * 100
        tokens = tokens[index + 1 :]
    if tokens and tokens[0] == "lẻ":
        tokens = tokens[1:]
    if not tokens:
        return value
    if tokens[0] == "mười":
        value += 10
        tokens = tokens[1:]
    elif len(tokens) >= 2 and tokens[1] == "mươi" and tokens[0] in _DIGIT_WORDS:
        value += _DIGIT_WORDS[tokens[0]] * 10
        tokens = tokens[2:]
    if len(tokens) > 1 or (tokens and tokens[0] not in _DIGIT_WORDS):
        return None
    if tokens:
        value += _DIGIT_WORDS[tokens[0]]
    return value


def _words_value(tokens):
    """Value of number words with scales, left to right: a scale multiplies the group
    before it and every smaller value since the last larger scale ("một nghìn tỷ" is
    1000 x 10^9, then "hai trăm tỷ" adds 200 x 10^9)."""
    factors = dict(_SCALES)
    stack, group = [], []
    for token in [*tokens, None]:
        if token is not None and token not in factors:
            group.append(token)
            continue
        value = _group_value(group)
        if value is None:
            return None
        group = []
        if token is None:
            stack.append(value)
            break
        factor = factors[token]
        while stack and stack[-1] < factor:
            value += stack.pop()
        stack.append((value or 1) * factor)
    return sum(stack)


def words_to_amount(words):
    """The amount a Vietnamese amount-in-words says (``Decimal``), or None.

    Tolerates the variants seen on invoices: nghìn/ngàn, lẻ/linh, tỷ/tỉ, mốt, tư, lăm,
    inner groups with or without "không trăm", and a currency suffix. Minor units are read
    after "và" or "phẩy" ("... đô la Mỹ và hai mươi xu").
    """
    value = normalize_words(words)
    if not value:
        return None
    negative = value.startswith("âm ")
    if negative:
        value = value[3:]
    minor = Decimal(0)
    for separator in (" và ", " phẩy "):
        if separator in value:
            value, cents = value.split(separator, 1)
            cent_tokens = [
                t for t in cents.split() if t in _DIGIT_WORDS or t in ("mươi", "mười", "lẻ", "trăm")
            ]
            cents_value = _group_value([_SYNONYMS.get(t, t) for t in cent_tokens])
            if cents_value is None:
                return None
            minor = Decimal(cents_value) / 100
            break
    tokens = [_SYNONYMS.get(token, token) for token in value.split()]
    # Drop a currency name left before "và" (đô la Mỹ, euro...): only number words stay.
    known = set(_DIGIT_WORDS) | {"mười", "mươi", "trăm", "lẻ", "tỷ", "triệu", "nghìn"}
    while tokens and tokens[-1] not in known:
        tokens.pop()
    if not tokens or any(token not in known for token in tokens):
        return None
    major = _words_value(tokens)
    if major is None:
        return None
    amount = Decimal(major) + minor
    return -amount if negative else amount


def check_words(invoice):
    total = invoice.total
    words = invoice.total_words
    shown = _fmt(total)
    expected = amount_in_words(total, invoice.currency)
    if not words:
        return _check("words", "fail", "words.unreadable", words="", total=shown)
    if " ".join(words.split()) == expected:
        return _check("words", "pass", "words.ok", total=shown)
    said = words_to_amount(words)
    if said is None:
        return _check("words", "fail", "words.unreadable", words=words, total=shown)
    if said != total.quantize(_unit(invoice.currency)):
        return _check("words", "fail", "words.mismatch", words=words, said=_fmt(said), total=shown)
    return _check("words", "warning", "words.variant", words=words, total=shown, expected=expected)


def verify(invoice, buyer_tax_ids, now=None):
    """One Check per code of CHECK_CODES, in that order. No network."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    if now.tzinfo is None:
        now = now.replace(tzinfo=datetime.timezone.utc)
    checks = {
        "seller_signature": lambda: check_seller_signature(invoice),
        "certificate": lambda: check_certificate(invoice, now),
        "authority": lambda: check_authority(invoice),
        "buyer_tax_id": lambda: check_buyer_tax_id(invoice, buyer_tax_ids),
        "seller_tax_id": lambda: check_seller_tax_id(invoice),
        "amounts": lambda: check_amounts(invoice),
        "words": lambda: check_words(invoice),
    }
    return [checks[code]() for code in CHECK_CODES]


# -- seller status -----------------------------------------------------------------------------

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
