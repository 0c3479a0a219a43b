import datetime
from pathlib import Path

import pytest
from einvoice_tools import builder, fields, notice
from einvoice_tools.amount_words import amount_in_words
from lxml import etree

GOLDEN = Path(__file__).parent / "golden"
SELLER = {
    "Ten": "Công ty TNHH Phân phối Sao Mai",
    "MST": "0100109106",
    "DChi": "12 Tràng Tiền, Phường Hoàn Kiếm, Hà Nội",
}


def retail_invoice():
    return {
        "version": "2.0.1",
        "id": "DLHDon-golden-1",
        "general": {
            "THDon": "Hóa đơn giá trị gia tăng",
            "KHMSHDon": "1",
            "KHHDon": "C26TAA",
            "SHDon": "42",
            "NLap": datetime.date(2026, 11, 26),
            "DVTTe": "VND",
            "HTTToan": "TM/CK",
        },
        "seller": {**SELLER, "SDThoai": "02438251234"},
        "buyer": {"HVTNMHang": "Nguyễn Thị Lan", "SDThoai": "0912345678"},
        "lines": [
            {
                "code": "O2C-NM500",
                "name": "Nước mắm Phú Quốc 500ml",
                "uom": "Chai",
                "quantity": 10,
                "price": 85000,
                "tax": "10%",
            },
            {
                "code": "O2C-CF250",
                "name": "Cà phê rang xay 250g",
                "uom": "Gói",
                "quantity": 3,
                "price": 120000,
                "discount_rate": 5,
                "discount_amount": 18000,
                "tax": "8%",
            },
            {
                "nature": "promotion",
                "name": "Ly thủy tinh (hàng khuyến mại không thu tiền)",
                "uom": "Cái",
                "quantity": 1,
            },
            {"nature": "discount", "name": "Chiết khấu thương mại", "amount": 50000, "tax": "10%"},
        ],
    }


def usd_invoice():
    return {
        "version": "2.1.0",
        "id": "DLHDon-golden-2",
        "general": {
            "THDon": "Hóa đơn giá trị gia tăng",
            "KHMSHDon": "1",
            "KHHDon": "C26TSM",
            "SHDon": "7",
            "NLap": datetime.date(2026, 11, 20),
            "DVTTe": "USD",
            "TGia": 25350,
            "HTTToan": "CK",
            "MSTTCGP": "0312345678",
        },
        "seller": SELLER,
        "buyer": {
            "Ten": "Công ty Cổ phần Thực phẩm Á Châu",
            "MST": "0100109106-001",
            "DChi": "8 Nguyễn Huệ, Phường Sài Gòn, TP Hồ Chí Minh",
            "MKHang": "ACHAU",
        },
        "lines": [
            {
                "name": "Fish sauce, export",
                "uom": "Carton",
                "quantity": 12.5,
                "price": 40.1,
                "tax": "0%",
            },
            {"name": "Export documentation service", "quantity": 1, "price": 30, "tax": "KCT"},
        ],
    }


def canonical(element):
    """Structure and text only: whitespace between elements and comments ignored."""
    parser = etree.XMLParser(remove_blank_text=True, remove_comments=True)
    tree = etree.fromstring(etree.tostring(element), parser)
    return etree.tostring(tree, method="c14n")


@pytest.mark.parametrize(
    ("make", "golden"),
    [
        (retail_invoice, "vat_invoice_retail_2.0.1.xml"),
        (usd_invoice, "usd_company_0_kct_2.1.0.xml"),
    ],
)
def test_builder_matches_hand_built_golden_file(make, golden):
    built = builder.build(make())
    expected = etree.parse(str(GOLDEN / golden)).getroot()
    assert canonical(built) == canonical(expected)


@pytest.mark.parametrize("golden", sorted(p.name for p in GOLDEN.glob("*.xml")))
def test_golden_files_pass_the_validator(golden):
    root = etree.parse(str(GOLDEN / golden)).getroot()
    assert fields.validate(root, root.findtext("DLHDon/TTChung/PBan")) == []


def test_zero_percent_and_kct_stay_distinct():
    totals = builder.compute(usd_invoice())
    assert [r["rate"] for r in totals["per_rate"]] == ["0%", "KCT"]


def test_tax_amounts_from_accounting_win_over_recomputation():
    invoice = retail_invoice()
    invoice["tax_amounts"] = {"8%": 27361}
    totals = builder.compute(invoice)
    assert {r["rate"]: r["tax"] for r in totals["per_rate"]} == {"8%": 27361, "10%": 80000}


def test_validator_reports_names_lengths_types_and_mandatory():
    root = builder.build(retail_invoice())
    general = root.find("DLHDon/TTChung")
    general.find("KHHDon").text = "C26TAAX"  # 7 > 6
    general.find("NLap").text = "26/11/2026"
    general.remove(general.find("THDon"))
    etree.SubElement(general, "Colour").text = "red"
    root.find("DLHDon/NDHDon/TToan/TgTThue").text = "1,000"
    root.find(".//HHDVu/TSuat").text = "11%"
    errors = fields.validate(root, "2.0.1")
    joined = "\n".join(errors)
    for expected in (
        "TTChung/KHHDon: longer than 6",
        "TTChung/NLap: '26/11/2026' is not a date",
        "TTChung/THDon: mandatory",
        "TTChung/Colour: not an element of TTChung",
        "TgTThue: '1,000' is not a number",
        "TSuat: '11%' is not a known rate",
    ):
        assert expected in joined
    assert len(errors) == 6


def test_version_specific_elements():
    invoice = usd_invoice()
    invoice["version"] = "2.0.1"
    del invoice["general"]["MSTTCGP"]
    assert fields.validate(builder.build(invoice), "2.0.1") == []
    root = builder.build(usd_invoice())
    root.find("DLHDon/TTChung").remove(root.find("DLHDon/TTChung/MSTTCGP"))
    assert fields.validate(root, "2.1.0") == [
        "HDon/DLHDon/TTChung/MSTTCGP: mandatory in PBan 2.1.0 but missing"
    ]


def test_build_refuses_invalid_values():
    invoice = retail_invoice()
    invoice["general"]["KHHDon"] = "C2026TAA"
    with pytest.raises(builder.BuildError, match="KHHDon"):
        builder.build(invoice)


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (1_250_000, "Một triệu hai trăm năm mươi nghìn đồng"),
        (0, "Không đồng"),
        (15, "Mười lăm đồng"),
        (21, "Hai mươi mốt đồng"),
        (105, "Một trăm lẻ năm đồng"),
        (1_001, "Một nghìn không trăm lẻ một đồng"),
        (1_050_000, "Một triệu không trăm năm mươi nghìn đồng"),
        (2_000_000_000, "Hai tỷ đồng"),
        (1_000_000_000_000, "Một nghìn tỷ đồng"),
        (-3000, "Âm ba nghìn đồng"),
    ],
)
def test_amount_in_words(amount, words):
    assert amount_in_words(amount) == words


def test_amount_in_words_foreign_currency():
    assert amount_in_words(1234.56, "USD") == (
        "Một nghìn hai trăm ba mươi tư đô la Mỹ và năm mươi sáu xu"
    )


NOTICE_VALUES = {
    "id": "TBao-1",
    "version": "2.0.1",
    "seller": {"Ten": "Sao Mai", "MST": "0100109106"},
    "tax_office": {"MCQT": "10100", "TCQT": "Cục Thuế TP Hà Nội"},
    "place": "Hà Nội",
    "date": datetime.date(2026, 11, 27),
    "invoices": [
        {
            "authority_code": "A" * 34,
            "template": "1",
            "symbol": "C26TAA",
            "number": "42",
            "date": datetime.date(2026, 11, 26),
            "nature": "replace",
            "reason": "Sai tên người mua",
        }
    ],
}


def test_error_notice_04ss_follows_the_table_field_by_field():
    root = notice.build_notice(NOTICE_VALUES)
    data = root.find("DLTBao")
    assert data.get("Id") == "TBao-1"
    assert [(c.tag, c.text) for c in data if c.tag != "DSHDon"] == [
        ("PBan", "2.0.0"),
        ("MSo", "04/SS-HĐĐT"),
        ("Ten", "Thông báo hóa đơn điện tử có sai sót"),
        ("Loai", "1"),
        ("MCQT", "10100"),
        ("TCQT", "Cục Thuế TP Hà Nội"),
        ("TNNT", "Sao Mai"),
        ("MST", "0100109106"),
        ("DDanh", "Hà Nội"),
        ("NTBao", "2026-11-27"),
    ]
    assert [(c.tag, c.text) for c in data.find("DSHDon/HDon")] == [
        ("STT", "1"),
        ("MCQTCap", "A" * 34),
        ("KHMSHDon", "1"),
        ("KHHDon", "C26TAA"),
        ("SHDon", "42"),
        ("Ngay", "2026-11-26"),
        ("LADHDDT", "1"),
        ("TCTBao", "3"),
        ("LDo", "Sai tên người mua"),
    ]
    assert fields.validate_notice(root, "2.0.0") == []


def test_error_notice_04ss_in_format_210_names_the_code_mccqt():
    root = notice.build_notice({**NOTICE_VALUES, "version": "2.1.0"})
    assert root.findtext("DLTBao/PBan") == "2.1.0"
    assert root.findtext("DLTBao/DSHDon/HDon/MCCQT") == "A" * 34
    assert root.find("DLTBao/DSHDon/HDon/MCQTCap") is None


def test_error_notice_04ss_refuses_missing_or_bad_values():
    with pytest.raises(ValueError, match="So and NTBCCQT"):
        notice.build_notice({**NOTICE_VALUES, "kind": 2})
    with pytest.raises(ValueError, match="DLTBao/MCQT: mandatory"):
        notice.build_notice({**NOTICE_VALUES, "tax_office": {"TCQT": "Cục Thuế"}})
    with pytest.raises(ValueError, match="DLTBao/MCQT: longer than 5"):
        notice.build_notice({**NOTICE_VALUES, "tax_office": {"MCQT": "101000", "TCQT": "x"}})
    with pytest.raises(ValueError, match="DLTBao/DDanh: mandatory"):
        notice.build_notice({**NOTICE_VALUES, "place": ""})
    on_request = notice.build_notice(
        {
            **NOTICE_VALUES,
            "kind": 2,
            "request": {"So": "123/TB-CT", "NTBCCQT": datetime.date(2026, 11, 20)},
        }
    )
    assert on_request.findtext("DLTBao/So") == "123/TB-CT"
    assert on_request.findtext("DLTBao/NTBCCQT") == "2026-11-20"
