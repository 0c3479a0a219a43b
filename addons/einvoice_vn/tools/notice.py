"""Form 04/SS-HĐĐT: the seller's notice to the tax authority of e-invoices with errors.

Checked facts (shared/EINVOICE_VN.md): root TBao/DLTBao, MSo "04/SS-HĐĐT", Loai (1 the
seller's own notice, 2 on the authority's request, then with So and NTBCCQT), and per invoice
TCTBao (1 cancel, 2 adjust, 3 replace, 4 explain). The other element names below follow the
published form as we read it and are NOT verified against the official field table yet.
"""

import datetime

from lxml import etree

NATURES = {"cancel": 1, "adjust": 2, "replace": 3, "explain": 4}


def _sub(parent, name, value):
    if value in (None, "", False):
        return None
    node = etree.SubElement(parent, name)
    if isinstance(value, (datetime.date, datetime.datetime)):
        value = value.strftime("%Y-%m-%d")
    node.text = str(value)
    return node


def build_notice(notice):
    """``notice``: id, version, seller (Ten, MST), date, place, kind (1 or 2), request
    (So, NTBCCQT when kind is 2), invoices (list of dicts: authority_code, template,
    symbol, number, date, nature in NATURES, reason)."""
    if notice.get("kind", 1) not in (1, 2):
        raise ValueError(f"Loai must be 1 or 2, not {notice.get('kind')!r}")
    root = etree.Element("TBao")
    data = etree.SubElement(root, "DLTBao", Id=notice["id"])
    _sub(data, "PBan", notice.get("version", "2.0.1"))
    _sub(data, "MSo", "04/SS-HĐĐT")
    _sub(data, "Ten", "Thông báo hóa đơn điện tử có sai sót")
    _sub(data, "Loai", notice.get("kind", 1))
    if notice.get("kind") == 2:
        request = notice.get("request") or {}
        if not request.get("So") or not request.get("NTBCCQT"):
            raise ValueError("a notice on the authority's request (Loai 2) needs So and NTBCCQT")
        _sub(data, "So", request["So"])
        _sub(data, "NTBCCQT", request["NTBCCQT"])
    _sub(data, "TNNT", notice["seller"]["Ten"])
    _sub(data, "MST", notice["seller"]["MST"])
    _sub(data, "DDanh", notice.get("place"))
    _sub(data, "NTBao", notice["date"])
    invoices = etree.SubElement(data, "DSHDon")
    for number, invoice in enumerate(notice["invoices"], start=1):
        node = etree.SubElement(invoices, "HDon")
        _sub(node, "STT", number)
        _sub(node, "MCQTCap", invoice.get("authority_code"))
        _sub(node, "KHMSHDon", invoice["template"])
        _sub(node, "KHHDon", invoice["symbol"])
        _sub(node, "SHDon", invoice["number"])
        _sub(node, "Ngay", invoice["date"])
        _sub(node, "TCTBao", NATURES[invoice["nature"]])
        _sub(node, "LDo", invoice.get("reason"))
    return root
