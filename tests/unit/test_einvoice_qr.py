"""QR data of QĐ 1450/QĐ-TCT (Part I, IV.7 and Phụ lục XIII)."""

import datetime

import pytest
from einvoice_tools import builder, qr

# The decision's own example (Phụ lục XIII), object by object.
EXAMPLE_PAYMENT = (
    "000201"
    "010212"
    "021426578954265489"
    "041415682654895154"
    "26280010A00000077501100107001729"
    "52045499"
    "5303704"
    "5406120000"
    "5802VN"
    "5905DNXYZ"
    "6005HANOI"
    "62400115S757CK5HTIE918E0307SHOPXYZ0706XYZ001"
)
EXAMPLE_LOOKUP = "99740010A00000077501130107001729001020110306C21TYY0402680508202111210606120000"


def test_lookup_block_equals_the_decisions_example():
    block = qr.lookup_block(
        "0107001729-001", "1", "C21TYY", "68", datetime.date(2021, 11, 21), "120000"
    )
    assert block == EXAMPLE_LOOKUP


def test_crc_of_the_decisions_example_is_383C():
    # Phụ lục XIII explains the CRC object as "ID: 63 Độ dài: 04 Giá trị: 383C".
    assert qr.with_crc(EXAMPLE_PAYMENT + EXAMPLE_LOOKUP)[-8:] == "6304383C"


def test_invoice_qr_is_version_lookup_and_crc():
    text = qr.invoice_qr("0100109106", "1", "C26TAA", "42", datetime.date(2026, 11, 26), "1249360")
    # 00 02 "01"; 99 72 (10+4 GUID, 10+4 MST, 1+4, 6+4, 2+4, 8+4, 7+4 = 72); 63 04 CRC.
    assert text == (
        "00020199720010A00000077501100100109106020110306C26TAA040242050820261126060712493606304DD0E"
    )


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("0100109106", "", "C26TAA", "1", datetime.date(2026, 1, 1), "1"), "KHMSHDon"),
        (("0100109106", "1", "C26TA", "1", datetime.date(2026, 1, 1), "1"), "KHHDon"),
        (("0100109106", "1", "C26TAA", "123456789", datetime.date(2026, 1, 1), "1"), "SHDon"),
        (("", "1", "C26TAA", "1", datetime.date(2026, 1, 1), "1"), "MST"),
        (("0100109106", "1", "C26TAA", "1", None, "1"), "NLap"),
        (("0100109106", "1", "C26TAA", "1", datetime.date(2026, 1, 1), "9" * 21), "TgTTTBSo"),
    ],
)
def test_bad_lookup_values_are_named(args, field):
    with pytest.raises(ValueError, match=field):
        qr.invoice_qr(*args)


def test_unnumbered_invoice_has_no_qr():
    invoice = {"general": {"SHDon": None}, "seller": {"MST": "0100109106"}}
    assert builder.qr_data(invoice) == ""
