import pytest
from o2c_pipeline import checks


def test_customer_data_complete_vn_needs_ward_not_district():
    outcome = checks.check_customer_data(
        "Lan", "+84 912 345 678", "25 Lê Lợi", "VN-SG", "Phường Sài Gòn", "VN"
    )
    assert outcome.passed


def test_customer_data_lists_missing_fields():
    outcome = checks.check_customer_data("Lan", "", " ", None, "", "VN")
    assert not outcome.passed
    assert outcome.values["fields"] == ["phone", "street", "province", "ward"]


def test_ward_only_required_in_vietnam():
    assert checks.check_customer_data("Ann", "1", "Main St", True, "", "US").passed


@pytest.mark.parametrize(
    ("vat", "valid"),
    [
        ("0100109106", True),
        ("0100109106-001", True),
        ("0100109106001", True),
        ("VN0100109106", True),
        ("0100109107", False),  # check digit
        ("0100109106-000", False),  # branch 000
        ("0100000006", False),  # N3..N9 all zero
        ("010010910", False),
        ("001099012345", True),  # 12-digit citizen id
        ("abc", False),
        ("", False),
    ],
)
def test_vn_tax_id(vat, valid):
    assert checks.is_valid_vn_tax_id(vat) is valid


def test_tax_id_rule():
    assert checks.check_tax_id(False, "", "VN", None).passed
    assert checks.check_tax_id(True, "", "VN", None).code == "missing"
    assert checks.check_tax_id(True, "0100109107", "VN", False).code == "invalid"
    assert checks.check_tax_id(True, "0100109106", "VN", True).passed


def test_payment_method():
    assert checks.check_payment_method("cod", {"cod", "card"}).passed
    outcome = checks.check_payment_method("credit", {"cod", "card"})
    assert (outcome.code, outcome.values["allowed"]) == ("not_allowed", ["card", "cod"])
    assert checks.check_payment_method(None, {"cod"}).code == "missing"
    assert checks.check_payment_method("credit", set()).passed


def test_credit_exposure():
    outcome = checks.check_credit(100000, 120000, 85000, 300000)
    assert outcome.code == "over_limit"
    assert outcome.values == {"exposure": 305000, "limit": 300000, "excess": 5000}
    assert checks.check_credit(100000, 120000, 80000, 300000).passed
    assert checks.check_credit(10**9, 0, 1, 0).passed, "no limit"
    assert checks.check_credit(0, 0, 1, 0, trust="bad").code == "bad_trust"


def test_stock():
    outcome = checks.check_stock(
        [{"product": "A", "needed": 5, "free": 5}, {"product": "B", "needed": 3, "free": 1}]
    )
    assert outcome.values["lines"] == [{"product": "B", "needed": 3, "free": 1}]
    assert checks.check_stock([]).passed


def test_duplicate_ignores_line_order_and_merges_lines():
    mine = checks.line_signature([(1, 2.0), (2, 1.0)])
    twin = checks.line_signature([(2, 1.0), (1, 1.0), (1, 1.0)])
    other = checks.line_signature([(1, 3.0), (2, 1.0)])
    outcome = checks.check_duplicate(mine, {"S001": twin, "S002": other})
    assert outcome.values == {"orders": ["S001"]}
    assert checks.check_duplicate(mine, {"S002": other}).passed
    assert checks.check_duplicate((), {"S003": ()}).passed


def test_margin():
    lines = [{"product": "A", "subtotal": 85000, "cost": 52000}]
    assert checks.check_margin(lines, 0).passed
    outcome = checks.check_margin(lines, 45)
    assert outcome.values == {"margin": 38.82, "minimum": 45}
    below = [{"product": "A", "subtotal": 50000, "cost": 52000}]
    assert checks.check_margin(below, 0).values == {"products": ["A"]}
    assert checks.check_margin([{"product": "S", "subtotal": 0, "cost": 0}], 10).passed
