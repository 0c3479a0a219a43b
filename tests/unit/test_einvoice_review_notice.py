"""04/SS-HĐĐT notice without a reason from the user: LDo stays Vietnamese."""

import datetime

from einvoice_tools import notice

VALUES = {
    "id": "TBao-7",
    "version": "2.0.1",
    "seller": {"Ten": "Sao Mai", "MST": "0100109106"},
    "tax_office": {"MCQT": "10100", "TCQT": "Cục Thuế TP Hà Nội"},
    "place": "Hà Nội",
    "date": datetime.date(2026, 11, 27),
}


def _ldo(nature, reason):
    invoice = {
        "authority_code": "A" * 34,
        "template": "1",
        "symbol": "C26TAA",
        "number": "42",
        "date": datetime.date(2026, 11, 26),
        "nature": nature,
        "reason": reason,
    }
    root = notice.build_notice({**VALUES, "invoices": [invoice]})
    return root.findtext("DLTBao/DSHDon/HDon/LDo")


def test_cancellation_without_reason_says_so_in_vietnamese():
    assert _ldo("cancel", None) == "Hủy hóa đơn"
    assert _ldo("cancel", "") == "Hủy hóa đơn"


def test_every_nature_has_a_vietnamese_default_reason():
    assert _ldo("adjust", None) == "Điều chỉnh hóa đơn"
    assert _ldo("replace", None) == "Thay thế hóa đơn"
    assert _ldo("explain", None) == "Giải trình hóa đơn"


def test_a_given_reason_is_kept():
    assert _ldo("cancel", "Sai tên người mua") == "Sai tên người mua"
