"""Form 04/SS-HĐĐT: the seller's notice to the tax authority of e-invoices with errors.

Built per the field table of QĐ 1450/QĐ-TCT (Part II, III.1, "Định dạng dữ liệu thông báo
hóa đơn điện tử có sai sót"), transcribed in ``fields.NOTICE_TABLES``: root ``TBao``,
``DLTBao`` (with ``Id``) holding PBan (2.0.0 in that decision), MSo (Phụ lục VIII), Ten,
Loai (1 the taxpayer's own notice, 2 in reply to the authority's notice, then So and
NTBCCQT are required), MCQT and TCQT (the managing tax office), TNNT, MST, DDanh, NTBao and
``DSHDon/HDon`` per invoice: STT, MCQTCap (MCCQT in format 2.1.0), KHMSHDon, KHHDon, SHDon,
Ngay, LADHDDT (Phụ lục VI: 1 = an invoice under Decree 123/2020), TCTBao (Phụ lục IX:
1 cancel, 2 adjust, 3 replace, 4 explain), LDo. The taxpayer signs ``DLTBao`` in
``TBao/DSCKS/NNT`` (see ``signer.sign``).
"""

import datetime

from lxml import etree

from . import fields as tables

NATURES = {"cancel": 1, "adjust": 2, "replace": 3, "explain": 4}
FORM = "04/SS-HĐĐT"
TITLE = "Thông báo hóa đơn điện tử có sai sót"
DECREE_123 = 1
# LDo when the user gave no reason: the notice is a legal document in Vietnamese.
DEFAULT_REASONS = {
    "cancel": "Hủy hóa đơn",
    "adjust": "Điều chỉnh hóa đơn",
    "replace": "Thay thế hóa đơn",
    "explain": "Giải trình hóa đơn",
}


class NoticeError(ValueError):
    """The values cannot make a valid notice; ``errors`` lists why."""

    def __init__(self, errors):
        super().__init__("; ".join(errors))
        self.errors = errors


def notice_version(invoice_version):
    """PBan of the notice: 2.0.0 for invoices of formats 2.0.x, 2.1.0 with format 2.1.0."""
    return tables.V210 if invoice_version == tables.V210 else tables.V200


def _sub(parent, name, value):
    if value in (None, "", False):
        return None
    node = etree.SubElement(parent, name)
    if isinstance(value, (datetime.date, datetime.datetime)):
        value = value.strftime("%Y-%m-%d")
    node.text = str(value)
    return node


def build_notice(notice):
    """``notice``: id, version (the invoices' format), seller (Ten, MST), tax_office
    (MCQT, TCQT), date, place, kind (1 or 2), request (So, NTBCCQT when kind is 2),
    invoices (list of dicts: authority_code, template, symbol, number, date, nature in
    NATURES, reason). Raise NoticeError naming each problem."""
    kind = notice.get("kind", 1)
    if kind not in (1, 2):
        raise NoticeError([f"Loai must be 1 or 2, not {kind!r}"])
    version = notice_version(notice.get("version"))
    root = etree.Element("TBao")
    data = etree.SubElement(root, "DLTBao", Id=notice["id"])
    _sub(data, "PBan", version)
    _sub(data, "MSo", FORM)
    _sub(data, "Ten", TITLE)
    _sub(data, "Loai", kind)
    if kind == 2:
        request = notice.get("request") or {}
        if not request.get("So") or not request.get("NTBCCQT"):
            raise NoticeError(["a notice on the authority's request (Loai 2) needs So and NTBCCQT"])
        _sub(data, "So", request["So"])
        _sub(data, "NTBCCQT", request["NTBCCQT"])
    office = notice.get("tax_office") or {}
    _sub(data, "MCQT", office.get("MCQT"))
    _sub(data, "TCQT", office.get("TCQT"))
    _sub(data, "TNNT", notice["seller"]["Ten"])
    _sub(data, "MST", notice["seller"]["MST"])
    _sub(data, "DDanh", notice.get("place"))
    _sub(data, "NTBao", notice["date"])
    invoices = etree.SubElement(data, "DSHDon")
    code_tag = "MCCQT" if version == tables.V210 else "MCQTCap"
    for number, invoice in enumerate(notice["invoices"], start=1):
        if invoice["nature"] not in NATURES:
            raise NoticeError([f"TCTBao: unknown nature {invoice['nature']!r}"])
        node = etree.SubElement(invoices, "HDon")
        _sub(node, "STT", number)
        _sub(node, code_tag, invoice.get("authority_code"))
        _sub(node, "KHMSHDon", invoice["template"])
        _sub(node, "KHHDon", invoice["symbol"])
        _sub(node, "SHDon", invoice["number"])
        _sub(node, "Ngay", invoice["date"])
        _sub(node, "LADHDDT", invoice.get("decree", DECREE_123))
        _sub(node, "TCTBao", NATURES[invoice["nature"]])
        reason = invoice.get("reason") or DEFAULT_REASONS[invoice["nature"]]
        _sub(node, "LDo", reason[:255])
    errors = tables.validate_notice(root, version)
    if errors:
        raise NoticeError(errors)
    return root
