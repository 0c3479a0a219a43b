"""Adjustment and replacement invoices without Odoo: the signs of the XML amounts (a decrease
is negative, Circular 78/2021 art. 7.1.g as the field tables refer to it), the related-invoice
block TTHDLQuan, and the Viettel JSON as Odoo's l10n_vn_edi_viettel maps corrections."""

import datetime

from einvoice_tools import builder, corrections, fields, viettel

ORIGIN = {"template": "1", "symbol": "C26TAA", "number": "42", "date": datetime.date(2026, 11, 2)}


def correction(kind, lines):
    return {
        "version": "2.0.1",
        "id": "DLHDon-correction",
        "general": {
            "THDon": "Hóa đơn giá trị gia tăng",
            "KHMSHDon": "1",
            "KHHDon": "C26TAA",
            "SHDon": "57",
            "NLap": datetime.date(2026, 11, 26),
            "DVTTe": "VND",
            "HTTToan": "TM/CK",
        },
        "related": corrections.related(kind, ORIGIN, "Sai đơn giá dòng 1"),
        "seller": {"Ten": "Công ty TNHH Phân phối Sao Mai", "MST": "0100109106", "DChi": "Hà Nội"},
        "buyer": {"Ten": "Công ty Cổ phần Thực phẩm Á Châu", "MST": "0100109106-001"},
        "lines": lines,
    }


def credit_note_line(quantity=2, price=50000):
    """A credit note's accounting line (positive) as it decreases the original invoice."""
    values = {"name": "Nước mắm Phú Quốc 500ml", "uom": "Chai", "tax": "10%"}
    return corrections.adjustment_line(
        {**values, "quantity": quantity, "price": price}, -quantity * price
    )


def invoice_line(quantity=1, price=20000):
    values = {"name": "Cà phê rang xay 250g", "uom": "Gói", "tax": "10%"}
    return corrections.adjustment_line(
        {**values, "quantity": quantity, "price": price}, quantity * price
    )


def texts(node, *tags):
    return [node.findtext(tag) for tag in tags]


def test_credit_note_lines_are_decreases_with_positive_quantities():
    line = credit_note_line()
    assert (line["decrease"], line["quantity"], line["price"]) == (True, 2, 50000)
    # A negative line of an adjustment invoice is a decrease too, whatever carries the sign.
    negative = corrections.adjustment_line({"name": "x", "quantity": -3, "price": 100}, -300)
    assert (negative["decrease"], negative["quantity"], negative["price"]) == (True, 3, 100)
    assert invoice_line()["decrease"] is False


def test_decrease_is_written_negative():
    root = builder.build(correction("adjustment", [credit_note_line()]))
    assert fields.validate(root, "2.0.1") == []
    item = root.find("DLHDon/NDHDon/DSHHDVu/HHDVu")
    assert texts(item, "TChat", "SLuong", "DGia", "ThTien", "TSuat") == [
        "1",
        "2",
        "-50000",
        "-100000",
        "10%",
    ]
    payment = root.find("DLHDon/NDHDon/TToan")
    assert texts(payment, "THTTLTSuat/LTSuat/ThTien", "THTTLTSuat/LTSuat/TThue") == [
        "-100000",
        "-10000",
    ]
    assert texts(payment, "TgTCThue", "TgTThue", "TgTTTBSo") == ["-100000", "-10000", "-110000"]
    assert payment.findtext("TgTTTBChu") == "Âm một trăm mười nghìn đồng"


def test_decrease_keeps_the_line_discount_consistent():
    line = corrections.adjustment_line(
        {"name": "x", "quantity": 2, "price": 50000, "discount_rate": 10, "tax": "10%"}, -90000
    )
    item = builder.build(correction("adjustment", [line])).find(".//HHDVu")
    # SLuong x DGia - STCKhau = ThTien: 2 x -50000 - (-10000) = -90000
    assert texts(item, "SLuong", "DGia", "STCKhau", "ThTien") == ["2", "-50000", "-10000", "-90000"]


def test_increase_and_decrease_lines_net_per_rate():
    invoice = correction("adjustment", [invoice_line(1, 20000), credit_note_line(1, 50000)])
    root = builder.build(invoice)
    assert [n.text for n in root.iterfind(".//HHDVu/ThTien")] == ["20000", "-50000"]
    assert root.findtext(".//TToan/TgTTTBSo") == "-33000"


def test_related_invoice_block_in_table_order():
    for kind, tchdon in (("adjustment", "2"), ("replacement", "1")):
        root = builder.build(correction(kind, [invoice_line()]))
        related = root.find("DLHDon/TTChung/TTHDLQuan")
        assert [(child.tag, child.text) for child in related] == [
            ("TCHDon", tchdon),
            ("LHDCLQuan", "1"),
            ("KHMSHDCLQuan", "1"),
            ("KHHDCLQuan", "C26TAA"),
            ("SHDCLQuan", "42"),
            ("NLHDCLQuan", "2026-11-02"),
            ("GChu", "Sai đơn giá dòng 1"),
        ]


def test_viettel_decrease_as_odoo_maps_a_credit_note():
    data = viettel.invoice_json(correction("adjustment", [credit_note_line()]), "1/C26TAA")
    info = data["generalInvoiceInfo"]
    assert {key: info[key] for key in info if key.startswith(("adjustment", "original"))} == {
        "adjustmentType": "5",
        "adjustmentInvoiceType": "1",
        "originalInvoiceId": "C26TAA42",
        "originalInvoiceIssueDate": viettel._millis(ORIGIN["date"]),
        "originalTemplateCode": "1/C26TAA",
    }
    assert info["additionalReferenceDesc"] == "Sai đơn giá dòng 1"
    [item] = data["itemInfo"]
    assert {
        key: item[key]
        for key in (
            "unitPrice",
            "quantity",
            "itemTotalAmountWithoutTax",
            "adjustmentTaxAmount",
            "isIncreaseItem",
        )
    } == {
        "unitPrice": -50000.0,
        "quantity": 2.0,
        "itemTotalAmountWithoutTax": 100000.0,
        "adjustmentTaxAmount": 10000.0,
        "isIncreaseItem": False,
    }
    assert data["taxBreakdowns"] == [
        {
            "taxPercentage": 10.0,
            "taxableAmount": 100000.0,
            "taxAmount": 10000.0,
            "taxableAmountPos": False,
            "taxAmountPos": False,
        }
    ]
    summary = data["summarizeInfo"]
    assert (summary["totalAmountWithTax"], summary["isTotalAmountPos"]) == (110000.0, False)
    assert (summary["totalTaxAmount"], summary["isTotalTaxAmountPos"]) == (10000.0, False)
    assert summary["totalAmountWithTaxInWords"] == "Âm một trăm mười nghìn đồng"


def test_viettel_lines_carry_their_own_direction():
    invoice = correction("adjustment", [invoice_line(1, 20000), credit_note_line(1, 50000)])
    data = viettel.invoice_json(invoice, "1/C26TAA")
    assert [(i["isIncreaseItem"], i["unitPrice"]) for i in data["itemInfo"]] == [
        (True, 20000.0),
        (False, -50000.0),
    ]
    assert data["summarizeInfo"]["totalAmountWithoutTax"] == 30000.0
    assert data["summarizeInfo"]["isTotalAmtWithoutTaxPos"] is False


def test_viettel_replacement_and_original():
    replacement = viettel.invoice_json(correction("replacement", [invoice_line()]), "1/C26TAA")
    info = replacement["generalInvoiceInfo"]
    assert (info["adjustmentType"], info["originalInvoiceId"]) == ("3", "C26TAA42")
    assert replacement["itemInfo"][0]["isIncreaseItem"] is True
    assert "adjustmentTaxAmount" not in replacement["itemInfo"][0]
    original = correction("adjustment", [invoice_line()])
    del original["related"]
    info = viettel.invoice_json(original, "1/C26TAA")["generalInvoiceInfo"]
    assert info["adjustmentType"] == "1"
    assert "originalInvoiceId" not in info


def test_viettel_information_only_adjustment():
    line = {"nature": "note", "name": "Địa chỉ người mua: 8 Nguyễn Huệ"}
    data = viettel.invoice_json(correction("adjustment", [line]), "1/C26TAA")
    assert data["generalInvoiceInfo"]["adjustmentInvoiceType"] == "2"


def test_printed_reference_of_adjustments_and_replacements():
    """Decree 123/2020 art. 19: the printed copy names the invoice it corrects."""
    adjust = corrections.related("adjustment", ORIGIN, "Sai đơn giá")
    assert corrections.printed_reference(adjust, -95000) == (
        "Điều chỉnh giảm cho hóa đơn Mẫu số 1 ký hiệu C26TAA số 42 ngày 02 tháng 11 năm 2026"
    )
    assert corrections.printed_reference(adjust, 10).startswith("Điều chỉnh tăng cho hóa đơn ")
    assert corrections.printed_reference(adjust, 0).startswith("Điều chỉnh cho hóa đơn ")
    replace = corrections.related("replacement", ORIGIN, "Sai tên người mua")
    assert corrections.printed_reference(replace, 330000) == (
        "Thay thế cho hóa đơn Mẫu số 1 ký hiệu C26TAA số 42 ngày 02 tháng 11 năm 2026"
    )
    assert corrections.printed_reference(None) == ""
