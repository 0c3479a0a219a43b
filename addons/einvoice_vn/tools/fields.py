"""Field tables of the tax authority's e-invoice XML, and a validator derived from them.

No official XSD is public: the tables of decisions 1450/QĐ-TCT (PBan 2.0.0), 1510/QĐ-TCT
(PBan 2.0.1) and the 2025 update (PBan 2.1.0) give, per element, its name, type, maximum
length and whether it is mandatory. Each table below is one parent element; the order of the
rows is the order the builder writes. Element names and mandatory flags follow
shared/EINVOICE_VN.md; lengths are those of the published tables as we transcribed them.

A row: (name, kind, size, mandatory, versions)
  kind: "s" text, "n" number (size = (digits, decimals)), "d" date YYYY-MM-DD,
        "g" group (a nested table), "r" repeated group
  mandatory: True, False, or a set of versions in which it is mandatory
  versions: None for all, or the set of versions that know the element
"""

import re
from dataclasses import dataclass

V200, V201, V210 = "2.0.0", "2.0.1", "2.1.0"
VERSIONS = (V200, V201, V210)
NUMBER = (21, 6)


@dataclass(frozen=True)
class Field:
    name: str
    kind: str
    size: object = None
    mandatory: object = False
    versions: frozenset = None

    def known_in(self, version):
        return self.versions is None or version in self.versions

    def required_in(self, version):
        if isinstance(self.mandatory, (set, frozenset)):
            return version in self.mandatory
        return bool(self.mandatory)


def F(name, kind, size=None, mandatory=False, versions=None):
    return Field(
        name,
        kind,
        size,
        frozenset(mandatory) if isinstance(mandatory, (set, tuple)) else mandatory,
        frozenset(versions) if versions else None,
    )


TABLES = {
    "HDon": [
        F("DLHDon", "g", mandatory=True),
        F("DLQRCode", "s", 512),
        F("MCCQT", "s", 34),
        F("DSCKS", "g"),
    ],
    "DLHDon": [
        F("TTChung", "g", mandatory=True),
        F("NDHDon", "g", mandatory=True),
        F("TTKhac", "g"),
    ],
    "TTChung": [
        F("PBan", "s", 6, True),
        F("THDon", "s", 100, True),
        F("KHMSHDon", "s", 1, True),
        F("KHHDon", "s", 6, True),
        F("SHDon", "s", 8, True),
        F("NLap", "d", None, True),
        F("HDDCKPTQuan", "n", (1, 0)),
        F("DVTTe", "s", 3, True),
        F("TGia", "n", (7, 2)),
        F("HTTToan", "s", 50),
        F("MSTTCGP", "s", 14, {V210}),
        F("MSTDVNUNLHDon", "s", 14),
        F("TDVNUNLHDon", "s", 400),
        F("DCDVNUNLHDon", "s", 400),
        F("HDCTTChinh", "n", (1, 0), False, {V210}),
        F("TTHDLQuan", "g"),
        F("TTKhac", "g"),
    ],
    "TTHDLQuan": [
        F("TCHDon", "n", (1, 0), True),
        F("LHDCLQuan", "n", (1, 0), True),
        F("KHMSHDCLQuan", "s", 11, True),
        F("KHHDCLQuan", "s", 8, True),
        F("SHDCLQuan", "s", 8, True),
        F("NLHDCLQuan", "d", None, True),
        F("GChu", "s", 255),
    ],
    "NDHDon": [
        F("NBan", "g", mandatory=True),
        F("NMua", "g", mandatory=True),
        F("DSHHDVu", "g", mandatory=True),
        F("TToan", "g", mandatory=True),
    ],
    "NBan": [
        F("Ten", "s", 400, True),
        F("MST", "s", 14, True),
        F("DChi", "s", 400, True),
        F("SDThoai", "s", 20),
        F("DCTDTu", "s", 50),
        F("STKNHang", "s", 30),
        F("TNHang", "s", 400),
        F("Fax", "s", 20),
        F("Website", "s", 100),
        F("TTKhac", "g"),
    ],
    "NMua": [
        F("Ten", "s", 400),
        F("MST", "s", 14),
        F("DChi", "s", 400),
        F("MKHang", "s", 50),
        F("SDThoai", "s", 20),
        F("DCTDTu", "s", 50),
        F("HVTNMHang", "s", 100),
        F("STKNHang", "s", 30),
        F("TNHang", "s", 400),
        F("CCCDan", "s", 12, False, {V210}),
        F("TTKhac", "g"),
    ],
    "DSHHDVu": [
        F("HHDVu", "r", mandatory=True),
    ],
    "HHDVu": [
        F("TChat", "n", (1, 0), True),
        F("STT", "n", (4, 0)),
        F("MHHDVu", "s", 50),
        F("THHDVu", "s", 500, True),
        F("DVTinh", "s", 50),
        F("SLuong", "n", NUMBER),
        F("DGia", "n", NUMBER),
        F("TLCKhau", "n", (7, 4)),
        F("STCKhau", "n", NUMBER),
        F("ThTien", "n", NUMBER),
        F("TSuat", "s", 11),
        F("TTKhac", "g"),
    ],
    "TToan": [
        F("THTTLTSuat", "g"),
        F("TgTCThue", "n", NUMBER),
        F("TgTThue", "n", NUMBER),
        F("DSLPhi", "g"),
        F("TTCKTMai", "n", NUMBER),
        F("TgTTTBSo", "n", NUMBER, True),
        F("TgTTTBChu", "s", 255, True),
        F("TTKhac", "g"),
    ],
    "THTTLTSuat": [
        F("LTSuat", "r"),
    ],
    "LTSuat": [
        F("TSuat", "s", 11, True),
        F("ThTien", "n", NUMBER, True),
        F("TThue", "n", NUMBER, True),
    ],
    "TTKhac": [
        F("TTin", "r"),
    ],
    "TTin": [
        F("TTruong", "s", 100, True),
        F("KDLieu", "s", 50, True),
        F("DLieu", "s", 2000),
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
# PBan is 2.0.0 in that decision. MST and SLuong are mandatory in the messages a taxpayer's
# side sends, absent from the technical receipt (999): ``tdiep.build`` requires them.
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
    path."""
    errors = []
    tables = tables or TABLES
    if version not in VERSIONS:
        return [f"unknown PBan version {version!r}"]
    if _local(root.tag) != root_name:
        return [f"root element is {_local(root.tag)!r}, not {root_name!r}"]
    _validate_group(root, root_name, root_name, version, errors, tables)
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


def _validate_group(node, table_name, path, version, errors, tables=None):
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
        seen[name] = seen.get(name, 0) + 1
        if field.kind != "r" and seen[name] > 1:
            errors.append(f"{child_path}: appears more than once")
        if name in OPAQUE:
            continue
        if field.kind in ("g", "r"):
            _validate_group(child, name, child_path, version, errors, tables)
        else:
            _check_value(field, child.text, child_path, errors)
    for field in table.values():
        if field.known_in(version) and field.required_in(version) and not seen.get(field.name):
            errors.append(f"{path}/{field.name}: mandatory in PBan {version} but missing")
