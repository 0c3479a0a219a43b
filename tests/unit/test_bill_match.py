"""Three-way match rules of purchase_bill_match, without Odoo."""

import pytest
from bill_match_tools import matching as m


def line(**kw):
    values = {
        "has_po": True,
        "bill_qty": 10.0,
        "bill_price_unit": 100.0,
        "po_price_unit": 100.0,
        "received_qty": 10.0,
        "ordered_qty": 10.0,
    }
    values.update(kw)
    return m.LineInput(**values)


NONE = m.Tolerance(0, 0, 0, 0)


# -- tolerance resolution ---------------------------------------------------


def test_unset_everywhere_resolves_to_zero():
    assert m.resolve_tolerance(m.Tolerance()) == NONE


def test_company_level_applies_when_nothing_else_set():
    company = m.Tolerance(2, 1000, 5, 1)
    assert m.resolve_tolerance(company, None, None) == company


def test_category_overrides_company():
    company = m.Tolerance(2, 1000, 5, 1)
    category = m.Tolerance(10, 0, 0, 0)
    assert m.resolve_tolerance(company, category) == category


def test_vendor_overrides_category_and_company():
    company = m.Tolerance(2, 1000, 5, 1)
    category = m.Tolerance(10, 0, 0, 0)
    vendor = m.Tolerance(1, 1, 1, 1)
    assert m.resolve_tolerance(company, category, vendor) == vendor


def test_unset_values_fall_through_per_value():
    company = m.Tolerance(2, 1000, 5, 1)
    category = m.Tolerance(qty_percent=20)
    vendor = m.Tolerance(price_percent=7)
    assert m.resolve_tolerance(company, category, vendor) == m.Tolerance(7, 1000, 20, 1)


def test_negative_tolerance_refused():
    with pytest.raises(ValueError, match="price_percent"):
        m.Tolerance(price_percent=-1)


def test_greater_of_percent_and_absolute():
    assert m.allowed_deviation(1000, 2, 5) == 20
    assert m.allowed_deviation(100, 2, 5) == 5


# -- line evaluation ---------------------------------------------------------


def test_exact_line_is_matched():
    result = m.evaluate_line(line(), NONE)
    assert result.state == m.LINE_MATCHED
    assert result.reasons == []


def test_no_po():
    result = m.evaluate_line(m.LineInput(has_po=False), NONE)
    assert (result.state, result.reasons) == (m.LINE_EXCEPTION, [m.NO_PO])


def test_uom_not_convertible():
    result = m.evaluate_line(line(uom_convertible=False), NONE)
    assert result.reasons == [m.UOM_MISMATCH]


def test_price_over_without_tolerance():
    result = m.evaluate_line(line(bill_price_unit=100.01), NONE)
    assert result.reasons == [m.PRICE_OVER_TOLERANCE]
    assert result.price_variance == pytest.approx(0.01)


def test_price_within_percent_tolerance_stores_variance():
    result = m.evaluate_line(line(bill_price_unit=104), m.Tolerance(5, 0, 0, 0))
    assert result.state == m.LINE_WITHIN_TOLERANCE
    assert result.price_variance == pytest.approx(4)


def test_price_within_absolute_tolerance():
    result = m.evaluate_line(line(bill_price_unit=108), m.Tolerance(0, 10, 0, 0))
    assert result.state == m.LINE_WITHIN_TOLERANCE


def test_price_greater_of_rule_absolute_wins_on_cheap_items():
    # 5 % of 100 is 5, the absolute 10 is greater: +8 passes.
    tol = m.Tolerance(5, 10, 0, 0)
    assert m.evaluate_line(line(bill_price_unit=108), tol).state == m.LINE_WITHIN_TOLERANCE
    assert m.evaluate_line(line(bill_price_unit=111), tol).reasons == [m.PRICE_OVER_TOLERANCE]


def test_price_greater_of_rule_percent_wins_on_dear_items():
    tol = m.Tolerance(5, 10, 0, 0)
    values = line(po_price_unit=1000, bill_price_unit=1040)
    assert m.evaluate_line(values, tol).state == m.LINE_WITHIN_TOLERANCE


def test_lower_price_is_a_favourable_variance_not_an_exception():
    result = m.evaluate_line(line(bill_price_unit=50), NONE)
    assert result.state == m.LINE_WITHIN_TOLERANCE
    assert result.price_variance == pytest.approx(-50)


def test_partial_receipt_bill_full_quantity_is_over_received():
    result = m.evaluate_line(line(received_qty=6), NONE)
    assert result.reasons == [m.QTY_OVER_RECEIVED]
    assert result.qty_variance == pytest.approx(4)


def test_quantity_tolerance_percent_and_absolute():
    values = line(received_qty=9.5)
    assert m.evaluate_line(values, m.Tolerance(0, 0, 10, 0)).state == (m.LINE_WITHIN_TOLERANCE)
    assert m.evaluate_line(values, m.Tolerance(0, 0, 0, 1)).state == (m.LINE_WITHIN_TOLERANCE)
    assert m.evaluate_line(values, m.Tolerance(0, 0, 1, 0.1)).reasons == [m.QTY_OVER_RECEIVED]


def test_billing_less_than_received_is_matched():
    assert m.evaluate_line(line(bill_qty=4), NONE).state == m.LINE_MATCHED


def test_already_billed():
    result = m.evaluate_line(line(billed_before=10), NONE)
    assert result.reasons == [m.ALREADY_BILLED]


def test_billing_the_rest_before_it_is_received_is_over_received_not_already_billed():
    # ordered 10, received 5 and billed 5: the next 5 wait for the goods (hold)
    result = m.evaluate_line(line(bill_qty=5, received_qty=5, billed_before=5), NONE)
    assert result.reasons == [m.QTY_OVER_RECEIVED]


def test_second_partial_bill_within_open_quantity_is_matched():
    result = m.evaluate_line(line(bill_qty=4, billed_before=6), NONE)
    assert result.state == m.LINE_MATCHED


def test_service_line_uses_ordered_quantity():
    values = line(received_qty=0, needs_receipt=False)
    assert m.evaluate_line(values, NONE).state == m.LINE_MATCHED


def test_several_reasons_on_one_line():
    result = m.evaluate_line(line(received_qty=6, bill_price_unit=120), NONE)
    assert result.reasons == [m.QTY_OVER_RECEIVED, m.PRICE_OVER_TOLERANCE]


# -- bill evaluation ---------------------------------------------------------


def test_bill_ready_when_no_reason():
    assert m.evaluate_bill([[], []]) == m.BILL_READY


def test_bill_on_hold_when_waiting_for_receipt():
    assert m.evaluate_bill([[m.QTY_OVER_RECEIVED], []]) == m.BILL_HOLD


def test_bill_exception_wins_over_hold():
    reasons = [[m.QTY_OVER_RECEIVED], [m.PRICE_OVER_TOLERANCE]]
    assert m.evaluate_bill(reasons) == m.BILL_EXCEPTION


def test_extra_holds_put_a_clean_bill_on_hold():
    assert m.evaluate_bill([[]], extra_reasons=["einvoice_unverified"]) == m.BILL_HOLD


def test_owner_routing():
    assert m.route_owner([m.QTY_OVER_RECEIVED]) == "receiver"
    assert m.route_owner([m.QTY_OVER_RECEIVED, m.PRICE_OVER_TOLERANCE]) == "buyer"
    assert m.route_owner([m.NO_PO]) == "buyer"


def test_covers_open_quantity():
    assert m.covers(10, 10)
    assert m.covers(10, 4)
    assert m.covers(10, 10 + 1e-9)  # rounding noise
    assert not m.covers(10, 10.5)
    assert not m.covers(0, 1)
