"""Field tables of the tax authority's e-invoice XML, and a validator derived from them.

No official XSD is public: the tables of decisions 1450/QĐ-TCT (PBan 2.0.0), 1510/QĐ-TCT
(PBan 2.0.1) and the 2025 update (PBan 2.1.0) give, per element, its name, type, maximum
length and whether it is mandatory. Each table below is one parent element; the order of the
rows is the order the builder writes.

Checked on 2026-11-27, element by element (name, order, max length, type, mandatory):
- TABLES (HDon, DLHDon, TTChung, TTHDLQuan, NDHDon, NBan, NMua, DSHHDVu, HHDVu, TToan,
  THTTLTSuat, LTSuat, DSLPhi, LPhi, TTKhac, TTin) against QĐ 1450/QĐ-TCT, Part II, II.2
  tables "Hóa đơn giá trị gia tăng" (KHMSHDon 1) and "Hóa đơn bán hàng" (KHMSHDon 2), and
  II.1 for TTKhac/TTin: shared/reference/QD1450-2021-field-tables.txt lines 549-776;
- TDIEP_TABLES against QĐ 1450, Part I, IV.5 (same file, lines 97-108 and 138-154);
- the changes of PBan 2.1.0 against the text of QĐ 1271/QĐ-CT
  (shared/reference/QD1271-2025-text.md), which has lost its tables: it confirms none of the
  2.1.0-only rows below (MSTTCGP mandatory, HDCTTChinh, CCCDan), which stay as transcribed
  from shared/EINVOICE_VN.md.
NOTICE_TABLES was checked separately (see its comment). Other templates (3 public assets,
4 national reserve, 5 others, 6 delivery notes) have tables of their own that are not
transcribed here.

A row: (name, kind, size, mandatory, versions, templates)
  kind: "s" text, "n" number (size = (digits, decimals): digits in all, decimals of them),
        "d" date YYYY-MM-DD, "g" group (a nested table), "r" repeated group
  mandatory: True, False, a set of versions in which it is mandatory, or a condition:
        Unless(sibling, values) "mandatory unless the sibling element has one of values",
        ForTemplates(templates) "mandatory in invoices of these KHMSHDon"
  versions: None for all, or the set of versions that know the element
  templates: None for all, or the set of KHMSHDon whose table has the element
"""

import re
from dataclasses import dataclass

V200, V201, V210 = "2.0.0", "2.0.1", "2.1.0"
VERSIONS = (V200, V201, V210)
NUMBER = (21, 6)


@dataclass(frozen=True)
class Unless:
    """Mandatory unless the sibling element ``sibling`` holds one of ``values``: a table's
    "Bắt buộc (Trừ trường hợp ...)"."""

    sibling: str
    values: frozenset


@dataclass(frozen=True)
class ForTemplates:
    """Mandatory in the invoices of these KHMSHDon only (the tables of the other templates
    do not make it mandatory)."""

    templates: frozenset


@dataclass(frozen=True)
class Field:
    name: str
    kind: str
    size: object = None
    mandatory: object = False
    versions: frozenset = None
    templates: frozenset = None

    def known_in(self, version, template=None):
        """Whether the element exists in PBan ``version`` for an invoice of KHMSHDon
        ``template`` (None: whatever the template)."""
        if self.versions is not None and version not in self.versions:
            return False
        return template is None or self.templates is None or template in self.templates

    def required_in(self, version, template=None, parent=None):
        """Whether the element must be present; ``parent`` is the element holding it,
        read by the conditions on a sibling."""
        mandatory = self.mandatory
        if isinstance(mandatory, (set, frozenset)):
            return version in mandatory
        if isinstance(mandatory, Unless):
            value = parent.findtext(f"{{*}}{mandatory.sibling}") if parent is not None else None
            return (value or "").strip() not in mandatory.values
        if isinstance(mandatory, ForTemplates):
            return template in mandatory.templates
        return bool(mandatory)


def F(name, kind, size=None, mandatory=False, versions=None, templates=None):
    return Field(
        name,
        kind,
        size,
        frozenset(mandatory) if isinstance(mandatory, (set, tuple)) else mandatory,
        frozenset(versions) if versions else None,
        frozenset(templates) if templates else None,
    )


# The VAT rows (TSuat, THTTLTSuat, TgTCThue, TgTThue) are in the tables of the VAT invoice
# (KHMSHDon 1, mandatory there) and of "other invoices" (5, lines 1142-1153, only when they
# are of the VAT kind); the sales invoice (2), public assets (3), national reserve (4) and
# delivery notes (6) have none. Of the rows here, only the sales invoice has HDDCKPTQuan.
VAT_INVOICE, SALES_INVOICE, OTHER_INVOICE = "1", "2", "5"
VAT_ONLY = {VAT_INVOICE, OTHER_INVOICE}
SALES_ONLY = {SALES_INVOICE}

# The line numbers are those of shared/reference/QD1450-2021-field-tables.txt (VAT invoice
# table; the sales invoice table repeats it from line 687 with the differences noted).
TABLES = {
    "HDon": [
        F("DLHDon", "g", mandatory=True),  # 590
        F("DLQRCode", "s", 512),  # 673-674
        # 676 says "Bắt buộc" for the coded invoice the authority returns; the seller's
        # invoice has none yet.
        F("MCCQT", "s", 34),
        F("DSCKS", "g"),  # 677
    ],
    "DLHDon": [
        F("TTChung", "g", mandatory=True),  # 591
        F("NDHDon", "g", mandatory=True),  # 617
        F("TTKhac", "g"),  # 672
    ],
    "TTChung": [
        F("PBan", "s", 6, True),  # 592
        F("THDon", "s", 100, True),  # 593
        F("KHMSHDon", "s", 1, True),  # 594
        F("KHHDon", "s", 6, True),  # 595
        F("SHDon", "n", (8, 0), True),  # 596: "Số"
        F("MHSo", "s", 20),  # 597: mandatory for an invoice coded case by case
        F("NLap", "d", None, True),  # 598
        # 698 (sales invoice only): "Bắt buộc", but its value list is garbled (0 and 1 are
        # described alike), so it is not made mandatory here.
        F("HDDCKPTQuan", "n", (1, 0), templates=SALES_ONLY),
        F("SBKe", "s", 50),  # 599
        F("NBKe", "d"),  # 600
        F("DVTTe", "s", 3, True),  # 601
        F("TGia", "n", (7, 2), Unless("DVTTe", frozenset({"VND"}))),  # 602
        F("HTTToan", "s", 50),  # 603
        F("MSTTCGP", "s", 14, {V210}),  # 604; mandatory in 2.1.0 per EINVOICE_VN.md
        F("MSTDVNUNLHDon", "s", 14),  # 605
        F("TDVNUNLHDon", "s", 400),  # 606
        F("DCDVNUNLHDon", "s", 400),  # 607
        F("HDCTTChinh", "n", (1, 0), False, {V210}),  # 2.1.0, per EINVOICE_VN.md
        F("TTHDLQuan", "g"),  # 608
        F("TTKhac", "g"),  # 616
    ],
    "TTHDLQuan": [
        F("TCHDon", "n", (1, 0), True),  # 609
        F("LHDCLQuan", "n", (1, 0), True),  # 610
        F("KHMSHDCLQuan", "s", 11, True),  # 611
        F("KHHDCLQuan", "s", 8, True),  # 612 (written "KHHDCLQuan." there; 712 without dot)
        F("SHDCLQuan", "s", 8, True),  # 613: "Chuỗi ký tự" here
        F("NLHDCLQuan", "d", None, True),  # 614
        F("GChu", "s", 255),  # 615
    ],
    "NDHDon": [
        F("NBan", "g", mandatory=True),  # 618
        F("NMua", "g", mandatory=True),  # 629
        F("DSHHDVu", "g", mandatory=True),  # 640
        F("TToan", "g", mandatory=True),  # 654
    ],
    "NBan": [
        F("Ten", "s", 400, True),  # 619
        F("MST", "s", 14, True),  # 620
        F("DChi", "s", 400, True),  # 621
        F("SDThoai", "s", 20),  # 622
        F("DCTDTu", "s", 50),  # 623
        F("STKNHang", "s", 30),  # 624
        F("TNHang", "s", 400),  # 625
        F("Fax", "s", 20),  # 626
        F("Website", "s", 100),  # 627
        F("TTKhac", "g"),  # 628
    ],
    "NMua": [
        F("Ten", "s", 400),  # 630
        F("MST", "s", 14),  # 631
        F("DChi", "s", 400),  # 632
        F("MKHang", "s", 50),  # 633
        F("SDThoai", "s", 20),  # 634
        F("DCTDTu", "s", 50),  # 635
        F("HVTNMHang", "s", 100),  # 636
        F("STKNHang", "s", 30),  # 637
        F("TNHang", "s", 400),  # 638
        F("CCCDan", "s", 12, False, {V210}),  # 2.1.0, per EINVOICE_VN.md
        F("TTKhac", "g"),  # 639
    ],
    "DSHHDVu": [
        F("HHDVu", "r", mandatory=True),  # 641
    ],
    "HHDVu": [
        F("TChat", "n", (1, 0), True),  # 642
        F("STT", "n", (4, 0)),  # 643
        F("MHHDVu", "s", 50),  # 644
        F("THHDVu", "s", 500, True),  # 645
        F("DVTinh", "s", 50),  # 646
        F("SLuong", "n", NUMBER),  # 647
        F("DGia", "n", NUMBER),  # 648
        F("TLCKhau", "n", (6, 4)),  # 649
        F("STCKhau", "n", NUMBER),  # 650
        F("ThTien", "n", NUMBER, Unless("TChat", frozenset({"4"}))),  # 651
        F("TSuat", "s", 11, templates=VAT_ONLY),  # 652; none in the sales invoice (751)
        F("TTKhac", "g"),  # 653
    ],
    "TToan": [
        F("THTTLTSuat", "g", templates=VAT_ONLY),  # 655
        F(
            "TgTCThue", "n", NUMBER, ForTemplates(frozenset({VAT_INVOICE})), templates=VAT_ONLY
        ),  # 661
        F(
            "TgTThue", "n", NUMBER, ForTemplates(frozenset({VAT_INVOICE})), templates=VAT_ONLY
        ),  # 662
        F("DSLPhi", "g"),  # 663
        F("TTCKTMai", "n", NUMBER),  # 668
        F("TgTTTBSo", "n", NUMBER, True),  # 669
        F("TgTTTBChu", "s", 255, True),  # 670
        F("TTKhac", "g"),  # 671
    ],
    "THTTLTSuat": [
        F("LTSuat", "r"),  # 656
    ],
    "LTSuat": [
        F("TSuat", "s", 11, True),  # 657
        F("ThTien", "n", NUMBER, True),  # 658
        F("TThue", "n", NUMBER, True),  # 659
    ],
    "DSLPhi": [
        F("LPhi", "r"),  # 664
    ],
    "LPhi": [
        F("TLPhi", "s", 100),  # 665
        F("TPhi", "n", NUMBER),  # 666
    ],
    "TTKhac": [
        F("TTin", "r"),  # 558-563
    ],
    # 561-563 give no lengths (558: the content of TTKhac is at most 500 characters); the
    # lengths below are ours.
    "TTin": [
        F("TTruong", "s", 100, True),  # 561
        F("KDLieu", "s", 50, True),  # 562
        F("DLieu", "s", 2000, True),  # 563
    ],
}

# Form 04/SS-HĐĐT, the taxpayer's notice of e-invoices with errors (QĐ 1450, Part II, III.1;
# its PBan is 2.0.0 there). The table spells the applied-decree element "LADHĐĐT"; the
# schema's element names are ASCII, so it is written LADHDDT. Format 2.1.0 (QĐ 1271) renames
# MCQTCap to MCCQT.
NOTICE_TABLES = {
    "TBao": [
        F("DLTBao", "g", mandatory=True),
        F("DSCKS", "g"),
    ],
    "DLTBao": [
        F("PBan", "s", 6, True),
        F("MSo", "s", 15, True),
        F("Ten", "s", 255, True),
        F("Loai", "n", (1, 0), True),
        F("So", "s", 30),
        F("NTBCCQT", "d"),
        F("MCQT", "s", 5, True),
        F("TCQT", "s", 100, True),
        F("TNNT", "s", 400, True),
        F("MST", "s", 14),
        F("MDVQHNSach", "s", 7),
        F("DDanh", "s", 50, True),
        F("NTBao", "d", None, True),
        F("DSHDon", "g", mandatory=True),
    ],
    "DSHDon": [
        F("HDon", "r", mandatory=True),
    ],
    "HDon": [
        F("STT", "n", (4, 0)),
        F("MCQTCap", "s", 34, versions={V200, V201}),
        F("MCCQT", "s", 34, versions={V210}),
        F("KHMSHDon", "s", 11),
        F("KHHDon", "s", 8),
        F("SHDon", "s", 8),
        F("Ngay", "d", None, True),
        F("LADHDDT", "n", (1, 0), True),
        F("TCTBao", "n", (1, 0), True),
        F("LDo", "s", 255),
    ],
}

# The T-VAN message envelope (QĐ 1450, Part I, IV.5): ``TDiep`` = ``TTChung`` + ``DLieu``.
# PBan is 2.0.0 in that decision (reference lines 97-108). MST and SLuong are mandatory in
# the messages a taxpayer's side sends, absent from the technical receipt (999, lines
# 138-154): ``tdiep.build`` requires them. MTDTChieu is "Bắt buộc (Trừ trường hợp ...)" in
# both tables, yet line 125 has it made for answers only: it stays optional.
# MLTDiep is a 3-digit number (Phụ lục I); MTDiep is MNGui + 32 uppercase hex characters.
TDIEP_TABLES = {
    "TDiep": [
        F("TTChung", "g", mandatory=True),
        F("DLieu", "g", mandatory=True),
    ],
    "TTChung": [
        F("PBan", "s", 6, True),
        F("MNGui", "s", 14, True),
        F("MNNhan", "s", 14, True),
        F("MLTDiep", "n", (3, 0), True),
        F("MTDiep", "s", 46, True),
        F("MTDTChieu", "s", 46),
        F("MST", "s", 14),
        F("SLuong", "n", (7, 0)),
    ],
}

TAX_RATES = {"0%", "5%", "8%", "10%", "KCT", "KKKNT"}
TAX_OTHER = re.compile(r"^KHAC:\d{1,2}\.\d{2}$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
NUMBER_TEXT = re.compile(r"^-?\d+(\.\d+)?$")
# Elements that are not part of the tables: signatures, filled in by signers, and the
# payload of a T-VAN message (validated against its own table).
OPAQUE = {"DSCKS", "DLieu"}


def is_valid_tax_rate(value):
    return value in TAX_RATES or bool(TAX_OTHER.match(value or ""))


def _local(tag):
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else None


def _check_value(field, text, path, errors):
    text = text or ""
    if field.kind == "s":
        if field.size and len(text) > field.size:
            errors.append(f"{path}: longer than {field.size} characters ({len(text)})")
    elif field.kind == "d":
        if not DATE.match(text):
            errors.append(f"{path}: {text!r} is not a date YYYY-MM-DD")
    elif field.kind == "n":
        if not NUMBER_TEXT.match(text):
            errors.append(f"{path}: {text!r} is not a number ('.' as decimal separator)")
            return
        digits, decimals = field.size
        whole, _dot, fraction = text.lstrip("-").partition(".")
        if len(whole) > digits - decimals:
            errors.append(f"{path}: {text!r} has more than {digits - decimals} integer digits")
        if len(fraction) > decimals:
            errors.append(f"{path}: {text!r} has more than {decimals} decimals")


def validate(root, version, tables=None, root_name="HDon"):
    """Return the list of problems of an ``HDon`` tree (or of another root with its own
    ``tables``) against the tables of ``version`` (empty when valid). Unknown elements,
    missing mandatory ones, too long texts, bad numbers and dates are reported with their
    path. An invoice is read with the rows of its template (``TTChung/KHMSHDon``)."""
    errors = []
    tables = tables or TABLES
    if version not in VERSIONS:
        return [f"unknown PBan version {version!r}"]
    if _local(root.tag) != root_name:
        return [f"root element is {_local(root.tag)!r}, not {root_name!r}"]
    template = None
    if tables is TABLES:
        template = (root.findtext("{*}DLHDon/{*}TTChung/{*}KHMSHDon") or "").strip() or None
    _validate_group(root, root_name, root_name, version, errors, tables, template)
    for node in root.iter("{*}TSuat", "TSuat"):
        if not is_valid_tax_rate(node.text):
            errors.append(f"TSuat: {node.text!r} is not a known rate")
    return errors


def validate_notice(root, version):
    """Problems of a 04/SS-HĐĐT notice (``TBao``) against its table."""
    return validate(root, version, NOTICE_TABLES, "TBao")


def validate_tdiep(root, version=V200):
    """Problems of a T-VAN message envelope (``TDiep/TTChung``; ``DLieu`` is not read)."""
    return validate(root, version, TDIEP_TABLES, "TDiep")


def _validate_group(node, table_name, path, version, errors, tables=None, template=None):
    tables = tables or TABLES
    table = {f.name: f for f in tables[table_name]}
    seen = {}
    for child in node:
        name = _local(child.tag)
        if name is None:  # comments, processing instructions
            continue
        field = table.get(name)
        child_path = f"{path}/{name}"
        if field is None or not field.known_in(version):
            errors.append(f"{child_path}: not an element of {table_name} in PBan {version}")
            continue
        if not field.known_in(version, template):
            errors.append(f"{child_path}: not an element of {table_name} for KHMSHDon {template}")
            continue
        seen[name] = seen.get(name, 0) + 1
        if field.kind != "r" and seen[name] > 1:
            errors.append(f"{child_path}: appears more than once")
        if name in OPAQUE:
            continue
        if field.kind in ("g", "r"):
            _validate_group(child, name, child_path, version, errors, tables, template)
        else:
            _check_value(field, child.text, child_path, errors)
    for field in table.values():
        if (
            field.known_in(version, template)
            and field.required_in(version, template, node)
            and not seen.get(field.name)
        ):
            errors.append(f"{path}/{field.name}: mandatory in PBan {version} but missing")
