"""The invoice field tables (tools/fields.py) against the tax authority's own tables.

Every value pinned here is quoted from QĐ 1450/QĐ-TCT as stored in
shared/reference/QD1450-2021-field-tables.txt; the comment before each gives the table and
the line. Columns there: name | tag | max length | type | constraint.
"""

import copy
import datetime

import pytest
from einvoice_tools import builder, fields
from lxml import etree


def row(table, name):
    return next(f for f in fields.TABLES[table] if f.name == name)


def names(table):
    return [f.name for f in fields.TABLES[table]]


def invoice(template="1", currency="VND", lines=None):
    general = {
        "THDon": "Hóa đơn giá trị gia tăng" if template == "1" else "Hóa đơn bán hàng",
        "KHMSHDon": template,
        "KHHDon": "C26TAA",
        "SHDon": "42",
        "NLap": datetime.date(2026, 11, 27),
        "DVTTe": currency,
    }
    if currency != "VND":
        general["TGia"] = 25350
    return {
        "version": "2.0.1",
        "id": "DLHDon-fields-1",
        "general": general,
        "seller": {
            "Ten": "Công ty TNHH Phân phối Sao Mai",
            "MST": "0100109106",
            "DChi": "12 Tràng Tiền, Phường Hoàn Kiếm, Hà Nội",
        },
        "buyer": {"HVTNMHang": "Nguyễn Thị Lan"},
        "lines": lines
        or [{"name": "Nước mắm Phú Quốc 500ml", "quantity": 2, "price": 85000, "tax": "10%"}],
    }


# --- HDon\DLHDon\TTChung, VAT invoice (lines 592-607) and sales invoice (691-707) ----------


def test_invoice_number_is_a_number_of_eight_digits():
    # 596: | Số hóa đơn | SHDon | 8 | Số | Bắt buộc (Nếu có) |
    field = row("TTChung", "SHDon")
    assert (field.kind, field.size) == ("n", (8, 0))
    root = builder.build(invoice())
    root.find("DLHDon/TTChung/SHDon").text = "12A"
    assert fields.validate(root, "2.0.1") == [
        "HDon/DLHDon/TTChung/SHDon: '12A' is not a number ('.' as decimal separator)"
    ]


def test_general_rows_missing_from_the_transcription():
    # 597: | Mã hồ sơ | MHSo | 20 | Chuỗi ký tự | Bắt buộc (Đối với trường hợp là hoá đơn đề
    #      nghị cấp mã của cơ quan thuế theo từng lần phát sinh ) |
    # 599: | Số bảng kê (...) | SBKe | 50 | Chuỗi ký tự | Bắt buộc (Nếu có) |
    # 600: | Ngày bảng kê (...) | NBKe |  | Ngày | Bắt buộc (Nếu có) |
    assert (row("TTChung", "MHSo").kind, row("TTChung", "MHSo").size) == ("s", 20)
    assert (row("TTChung", "SBKe").kind, row("TTChung", "SBKe").size) == ("s", 50)
    assert row("TTChung", "NBKe").kind == "d"
    # Order of 691-707 (the sales invoice's, which has HDDCKPTQuan; the VAT invoice's
    # 592-607 is the same without it).
    order = ["PBan", "THDon", "KHMSHDon", "KHHDon", "SHDon", "MHSo", "NLap", "HDDCKPTQuan"]
    order += ["SBKe", "NBKe", "DVTTe", "TGia", "HTTToan", "MSTTCGP", "MSTDVNUNLHDon"]
    order += ["TDVNUNLHDon", "DCDVNUNLHDon"]
    assert [n for n in names("TTChung") if n in order] == order
    root = builder.build(invoice())
    general_node = root.find("DLHDon/TTChung")
    etree.SubElement(general_node, "SBKe").text = "BK-01"
    etree.SubElement(general_node, "NBKe").text = "2026-11-27"
    assert fields.validate(root, "2.0.1") == []


def test_exchange_rate_is_mandatory_unless_the_currency_is_vnd():
    # 602: | Tỷ giá | TGia | 7,2 | Số | Bắt buộc (Trừ trường hợp Đơn vị tiền tệ là VND) |
    assert row("TTChung", "TGia").size == (7, 2)
    root = builder.build(invoice(currency="USD"))
    general = root.find("DLHDon/TTChung")
    general.remove(general.find("TGia"))
    assert fields.validate(root, "2.0.1") == [
        "HDon/DLHDon/TTChung/TGia: mandatory in PBan 2.0.1 but missing"
    ]
    assert fields.validate(builder.build(invoice()), "2.0.1") == []


def test_non_tariff_zone_flag_belongs_to_the_sales_invoice_only():
    # 698 (sales invoice): | Hoá đơn dành cho khu phi thuế quan (...) | HDDCKPTQuan | 1 | Số
    # | Bắt buộc |; the VAT invoice's TTChung (592-607) has no such row.
    vat = builder.build(invoice())
    etree.SubElement(vat.find("DLHDon/TTChung"), "HDDCKPTQuan").text = "0"
    assert fields.validate(vat, "2.0.1") == [
        "HDon/DLHDon/TTChung/HDDCKPTQuan: not an element of TTChung for KHMSHDon 1"
    ]
    sales = builder.build(invoice("2", lines=[{"name": "Gạo", "quantity": 1, "price": 5}]))
    etree.SubElement(sales.find("DLHDon/TTChung"), "HDDCKPTQuan").text = "0"
    assert fields.validate(sales, "2.0.1") == []


# --- HDon\DLHDon\NDHDon\DSHHDVu\HHDVu (lines 642-653) ---------------------------------------


def test_discount_rate_has_six_digits_four_of_them_decimals():
    # 649: | Tỷ lệ % chiết khấu (...) | TLCKhau | 6,4 | Số | Không Bắt buộc |
    assert row("HHDVu", "TLCKhau").size == (6, 4)
    root = builder.build(invoice())
    item = root.find("DLHDon/NDHDon/DSHHDVu/HHDVu")
    item.insert(6, etree.Element("TLCKhau"))
    item.find("TLCKhau").text = "100"
    assert fields.validate(root, "2.0.1") == [
        "HDon/DLHDon/NDHDon/DSHHDVu/HHDVu/TLCKhau: '100' has more than 2 integer digits"
    ]


def test_a_full_discount_is_written_by_its_amount():
    # 649 (TLCKhau 6,4, not mandatory) and 650: | Số tiền chiết khấu (...) | STCKhau | 21,6 |
    line = {"name": "Quà tặng", "quantity": 1, "price": 50000, "tax": "10%"}
    line.update(discount_rate=100, discount_amount=50000)
    item = builder.build(invoice(lines=[line])).find("DLHDon/NDHDon/DSHHDVu/HHDVu")
    assert item.find("TLCKhau") is None
    assert (item.findtext("STCKhau"), item.findtext("ThTien")) == ("50000", "0")


def test_line_amount_is_mandatory_except_on_a_note():
    # 651: | Thành tiền (...) | ThTien | 21,6 | Số | Bắt buộc (Trừ trường hợp TChat có giá trị
    #      là "4-Ghi chú/diễn giải") |
    lines = [
        {"name": "Nước mắm", "quantity": 1, "price": 85000, "tax": "10%"},
        {"nature": "promotion", "name": "Ly thủy tinh khuyến mại", "quantity": 1, "uom": "Cái"},
        {"nature": "note", "name": "Giao hàng tại kho"},
    ]
    root = builder.build(invoice(lines=lines))
    items = root.findall("DLHDon/NDHDon/DSHHDVu/HHDVu")
    assert [(i.findtext("TChat"), i.findtext("ThTien")) for i in items] == [
        ("1", "85000"),
        ("2", "0"),
        ("4", None),
    ]
    assert fields.validate(root, "2.0.1") == []
    promotion = items[1]
    promotion.remove(promotion.find("ThTien"))
    assert fields.validate(root, "2.0.1") == [
        "HDon/DLHDon/NDHDon/DSHHDVu/HHDVu/ThTien: mandatory in PBan 2.0.1 but missing"
    ]


# --- HDon\DLHDon\NDHDon\TToan (lines 654-671; sales invoice 753-763) ------------------------


@pytest.mark.parametrize("tag", ["TgTCThue", "TgTThue"])
def test_vat_totals_are_mandatory_on_a_vat_invoice(tag):
    # 661: | Tổng tiền chưa thuế (...) | TgTCThue | 21,6 | Số | Bắt buộc |
    # 662: | Tổng tiền thuế (...) | TgTThue | 21,6 | Số | Bắt buộc |
    root = builder.build(invoice())
    payment = root.find("DLHDon/NDHDon/TToan")
    payment.remove(payment.find(tag))
    assert fields.validate(root, "2.0.1") == [
        f"HDon/DLHDon/NDHDon/TToan/{tag}: mandatory in PBan 2.0.1 but missing"
    ]


def test_sales_invoice_has_no_vat_rows():
    # 742-751 (HHDVu of the sales invoice: no TSuat) and 754-762 (TToan: DSLPhi, TTCKTMai,
    # TgTTTBSo, TgTTTBChu; no THTTLTSuat, TgTCThue, TgTThue).
    root = builder.build(invoice("2", lines=[{"name": "Gạo", "quantity": 2, "price": 15000}]))
    assert root.find(".//TSuat") is None
    payment = root.find("DLHDon/NDHDon/TToan")
    assert [c.tag for c in payment] == ["TgTTTBSo", "TgTTTBChu"]
    assert payment.findtext("TgTTTBSo") == "30000"
    vat = copy.deepcopy(root)
    etree.SubElement(vat.find("DLHDon/NDHDon/DSHHDVu/HHDVu"), "TSuat").text = "10%"
    assert fields.validate(vat, "2.0.1") == [
        "HDon/DLHDon/NDHDon/DSHHDVu/HHDVu/TSuat: not an element of HHDVu for KHMSHDon 2"
    ]


def test_sales_invoice_refuses_vat_on_its_lines():
    lines = [{"name": "Gạo", "quantity": 2, "price": 15000, "tax": "10%"}]
    with pytest.raises(builder.BuildError, match=r"TSuat: KHMSHDon 2 has no VAT rate.*10%"):
        builder.build(invoice("2", lines=lines))


def test_fees_list_has_its_own_table():
    # 663: Thẻ HDon\DLHDon\NDHDon\TToan\DSLPhi ...; 664: ...\DSLPhi\LPhi (repeated)
    # 665: | Tên loại phí | TLPhi | 100 | Chuỗi ký tự | Bắt buộc (Nếu có) |
    # 666: | Tiền phí | TPhi | 21,6 | Số | Bắt buộc (Nếu có) |
    assert names("DSLPhi") == ["LPhi"] and row("DSLPhi", "LPhi").kind == "r"
    assert [(f.name, f.kind, f.size) for f in fields.TABLES["LPhi"]] == [
        ("TLPhi", "s", 100),
        ("TPhi", "n", (21, 6)),
    ]
    root = builder.build(invoice())
    payment = root.find("DLHDon/NDHDon/TToan")
    fees = etree.Element("DSLPhi")
    payment.insert(3, fees)
    fee = etree.SubElement(fees, "LPhi")
    etree.SubElement(fee, "TLPhi").text = "Phí bảo vệ môi trường"
    etree.SubElement(fee, "TPhi").text = "1,5"
    assert fields.validate(root, "2.0.1") == [
        "HDon/DLHDon/NDHDon/TToan/DSLPhi/LPhi/TPhi: '1,5' is not a number ('.' as decimal "
        "separator)"
    ]


# --- TTKhac\TTin (Part II, II.1, lines 560-563) --------------------------------------------


def test_other_information_needs_its_data():
    # 563: | Dữ liệu | DLieu | Chuỗi ký tự | Bắt buộc |
    root = builder.build(invoice())
    other = etree.SubElement(root.find("DLHDon"), "TTKhac")
    info = etree.SubElement(other, "TTin")
    etree.SubElement(info, "TTruong").text = "Mã hàng hoá"
    etree.SubElement(info, "KDLieu").text = "string"
    assert fields.validate(root, "2.0.1") == [
        "HDon/DLHDon/TTKhac/TTin/DLieu: mandatory in PBan 2.0.1 but missing"
    ]
