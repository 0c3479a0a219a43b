"""Supplier e-invoices in: parse untrusted XML, unpack ZIPs, read an ``HDon``. No odoo import.

The file comes from a stranger (upload, mail, API), so it is parsed with a hardened parser
that refuses any DTD or entity declaration before lxml sees it, with size and depth caps.
Elements are found by local name as direct children, in any order and with or without a
namespace; never by a descendant search, which a copy of ``DLHDon`` hidden elsewhere in the
document would satisfy (XML signature wrapping). Use it through :mod:`.inbound`.
"""

import datetime
import io
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from lxml import etree

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 64
MAX_ZIP_MEMBERS = 50
MAX_ZIP_TOTAL = 20 * 1024 * 1024
MAX_ZIP_RATIO = 100
INVOICE_MESSAGE_TYPES = ("200", "202", "203", "206")


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
    """The document as text for the declaration scan, whatever its byte encoding (UTF-8,
    UTF-16 and UTF-32, with or without byte order mark, as libxml2 detects them)."""
    for bom, encoding in (
        (b"\xef\xbb\xbf", "utf-8"),
        (b"\xff\xfe\x00\x00", "utf-32-le"),
        (b"\x00\x00\xfe\xff", "utf-32-be"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
    ):
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, "replace").encode("utf-8", "replace")
    for start, encoding in (
        (b"<\x00\x00\x00", "utf-32-le"),
        (b"\x00\x00\x00<", "utf-32-be"),
        (b"<\x00", "utf-16-le"),
        (b"\x00<", "utf-16-be"),
    ):
        if data.startswith(start):
            return data.decode(encoding, "replace").encode("utf-8", "replace")
    return data


xml_text = _declared_encoding_text


def parse_xml(data, max_bytes=MAX_FILE_BYTES):
    """Parse untrusted XML bytes; return the root element or raise InboundError.

    A DOCTYPE or any DTD declaration is refused before parsing (no file, network or entity
    expansion can happen), and again after parsing in case an encoding hid it.
    """
    if not isinstance(data, bytes):
        raise InboundError("the file content must be bytes")
    if len(data) > max_bytes:
        raise InboundError(f"the file has {len(data)} bytes, more than the {max_bytes} accepted")
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
    """One DSHHDVu/HHDVu: STT, TChat (1 goods, 2 promotion, 3 trade discount, 4 note),
    MHHDVu, THHDVu, DVTinh, SLuong, DGia, STCKhau, ThTien, TSuat as written ("10%", "KCT",
    "KHAC:5.26"...), TLCKhau. Amounts are Decimals, None when the element is absent."""

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
    """What :func:`read` found in one HDon. ``rate_totals`` maps each LTSuat/TSuat to
    (ThTien, TThue); ``root`` is the document's root (TDiep or the HDon itself), ``hdon``
    the invoice element; ``message_type``, ``sender`` and ``mtdiep`` come from TDiep/TTChung
    ('' for a bare HDon)."""

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
    total_fees: Decimal = Decimal(0)
    invoice_name: str = ""
    payment_method: str = ""
    buyer_address: str = ""
    sender: str = ""
    mtdiep: str = ""
    seller_bank_account: str = ""
    seller_bank_name: str = ""
    buyer_code: str = ""
    # TTChung/TTHDLQuan of a replacement (TCHDon 1) or adjustment (2) invoice, by element
    # name (TCHDon, LHDCLQuan, KHMSHDCLQuan, KHHDCLQuan, SHDCLQuan, NLHDCLQuan, GChu).
    related: dict = field(default_factory=dict)

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


# Amounts, quantities and prices of an invoice stay below 10^15 (the XSD's 21 digits with 6
# decimals); beyond, float arithmetic in the bill loses units and Python floats overflow.
MAX_NUMBER = Decimal(10) ** 15


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
    if abs(number) >= MAX_NUMBER:
        raise InboundError(
            f"{base}/{'/'.join(path)} {value!r} is out of range (at most 15 digits before "
            "the decimal point)"
        )
    return number


def _exchange_rate(node, base):
    """TGia: VND per unit of the invoice's currency, a positive number (1 when absent)."""
    rate = _decimal(node, ("TGia",), base, Decimal(1))
    if rate < Decimal("0.000001"):
        raise InboundError(
            f"{base}/TGia {text(node, 'TGia')!r} is not a positive exchange rate (at least "
            "0.000001)"
        )
    return rate


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
        if kind_text not in ("1", "2", "3", "4"):
            raise InboundError(f"{line_base}/TChat {kind_text!r} is not 1, 2, 3 or 4")
        sequence = text(item, "STT")
        quantity = _decimal(item, ("SLuong",), line_base)
        unit_price = _decimal(item, ("DGia",), line_base)
        if (
            quantity is not None
            and unit_price is not None
            and abs(quantity * unit_price) >= MAX_NUMBER
        ):
            raise InboundError(
                f"{line_base}: SLuong {text(item, 'SLuong')!r} × DGia {text(item, 'DGia')!r}"
                " is out of range (at most 15 digits before the decimal point)"
            )
        lines.append(
            InboundLine(
                sequence=int(sequence) if sequence.isdigit() and len(sequence) < 10 else index,
                kind=int(kind_text),
                code=text(item, "MHHDVu"),
                name=text(item, "THHDVu"),
                uom=text(item, "DVTinh"),
                quantity=quantity,
                unit_price=unit_price,
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
    related = child(general, "TTHDLQuan")
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
        exchange_rate=_exchange_rate(general, f"{base}/TTChung"),
        seller_tax_id=_required(seller, ("MST",), f"{base}/NDHDon/NBan"),
        seller_name=_required(seller, ("Ten",), f"{base}/NDHDon/NBan"),
        seller_address=text(seller, "DChi"),
        buyer_tax_id=text(buyer, "MST"),
        buyer_name=text(buyer, "Ten") or text(buyer, "HVTNMHang"),
        buyer_address=text(buyer, "DChi"),
        buyer_code=text(buyer, "MKHang"),
        seller_bank_account=text(seller, "STKNHang"),
        seller_bank_name=text(seller, "TNHang"),
        related={
            local_name(node): (node.text or "").strip()
            for node in (related if related is not None else ())
            if isinstance(node.tag, str)
        },
        authority_code=text(hdon, "MCCQT"),
        message_type=info.get("message_type", ""),
        sender=info.get("sender", ""),
        mtdiep=info.get("mtdiep", ""),
        lines=lines,
        rate_totals=rate_totals,
        total_untaxed=_decimal(payment, ("TgTCThue",), pay_base),
        total_tax=_decimal(payment, ("TgTThue",), pay_base),
        total_discount=_decimal(payment, ("TTCKTMai",), pay_base),
        total_fees=sum(
            (
                _decimal(fee, ("TPhi",), f"{pay_base}/DSLPhi/LPhi", Decimal(0))
                for fee in children(child(payment, "DSLPhi"), "LPhi")
            ),
            Decimal(0),
        ),
        total=total,
        total_words=text(payment, "TgTTTBChu"),
        invoice_name=text(general, "THDon"),
        payment_method=text(general, "HTTToan"),
        root=hdon.getroottree().getroot(),
        hdon=hdon,
    )
