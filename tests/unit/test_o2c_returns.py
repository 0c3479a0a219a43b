import datetime

import pytest
from o2c_pipeline import returns, stages
from o2c_pipeline.returns import Requested
from o2c_pipeline.stages import Invoice, OrderFacts, Picking

DELIVERED = Picking("done", to_customer=True)
PAID = Invoice("out_invoice", "posted", "paid")


def paid_order(**kw):
    return OrderFacts(
        state="sale", pickings=[DELIVERED], invoice_status="invoiced", invoices=[PAID], **kw
    )


# Quantities -----------------------------------------------------------------


def test_returnable_never_negative():
    assert returns.returnable(5, 2) == 3
    assert returns.returnable(2, 5) == 0


def test_over_return_reported_with_its_numbers():
    [problem] = returns.over_returns(
        [Requested("L1", 4, delivered=5, returned_elsewhere=2), Requested("L2", 1, delivered=1)]
    )
    assert problem.key == "L1"
    assert (problem.requested, problem.returnable, problem.delivered) == (4, 3, 5)
    assert problem.returned_elsewhere == 2


def test_split_lines_of_one_sale_line_add_up():
    lines = [Requested("L1", 2, delivered=3), Requested("L1", 2, delivered=3)]
    [problem] = returns.over_returns(lines)
    assert problem.requested == 4


def test_exact_quantity_passes():
    assert returns.over_returns([Requested("L1", 3, delivered=3, returned_elsewhere=0)]) == []


def test_allocate_oldest_delivery_first():
    assert returns.allocate(5, [("m1", 3), ("m2", 4)]) == [("m1", 3), ("m2", 2)]
    assert returns.allocate(2, [("m1", 0), ("m2", 4)]) == [("m2", 2)]


def test_allocate_refuses_more_than_delivered():
    with pytest.raises(ValueError):
        returns.allocate(8, [("m1", 3), ("m2", 4)])


@pytest.mark.parametrize(
    ("returned", "invoiced", "delivered", "expected"),
    [
        (2, 5, 3, 2),  # invoiced 5, 2 came back: refund 2
        (2, 0, 3, 0),  # never invoiced: nothing to refund
        (2, 4, 3, 1),  # one of the returned units was not invoiced yet
    ],
)
def test_refund_quantity(returned, invoiced, delivered, expected):
    assert returns.refund_quantity(returned, invoiced, delivered) == expected


# States ---------------------------------------------------------------------


def test_transitions():
    assert returns.next_state("draft", "approve") == "approved"
    assert returns.next_state("approved", "receive") == "received"
    assert returns.next_state("received", "done") == "done"
    assert returns.next_state("draft", "refuse") == "refused"
    with pytest.raises(returns.TransitionError):
        returns.next_state("draft", "done")
    with pytest.raises(returns.TransitionError):
        returns.next_state("done", "cancel")


def test_open_states():
    assert [
        s
        for s in ("draft", "approved", "received", "done", "refused", "cancel")
        if returns.is_return_open(s)
    ] == ["draft", "approved", "received"]
    assert returns.is_complaint_open("open")
    assert not returns.is_complaint_open("resolved")


# Complaints and ratings -----------------------------------------------------


def test_resolve_hours():
    opened = datetime.datetime(2026, 11, 27, 8, 0)
    assert returns.resolve_hours(opened, opened + datetime.timedelta(hours=26, minutes=30)) == 26.5
    assert returns.resolve_hours(opened, None) == 0.0
    assert returns.resolve_hours(opened, opened - datetime.timedelta(hours=1)) == 0.0


@pytest.mark.parametrize(("value", "expected"), [(1, 1), (5, 5), ("4", 4), (" 3 ", 3), (2.0, 2)])
def test_rating_accepted(value, expected):
    assert returns.parse_rating(value) == expected


@pytest.mark.parametrize("value", [0, 6, -1, "x", "", None, True, 4.5, "4.5", [4]])
def test_rating_refused(value):
    with pytest.raises(ValueError):
        returns.parse_rating(value)


# Stage 6 facts --------------------------------------------------------------


def test_open_return_request_keeps_closed_order_in_after_sales():
    assert stages.derive_stage(paid_order(locked=True)) == stages.CLOSED
    assert stages.derive_stage(paid_order(locked=True, open_returns=True)) == stages.AFTER_SALES


def test_open_complaint_keeps_order_in_after_sales():
    assert stages.derive_stage(paid_order(after_sales_window_over=True, has_complaint=True)) == (
        stages.AFTER_SALES
    )


def test_handled_request_leaves_after_sales_when_the_order_closes():
    assert stages.derive_stage(paid_order(had_after_sales=True)) == stages.AFTER_SALES
    assert stages.derive_stage(paid_order(had_after_sales=True, locked=True)) == stages.CLOSED
    assert stages.AFTER_SALES in stages.reached_stages(
        paid_order(had_after_sales=True, locked=True), stages.CLOSED
    )


def test_unpaid_order_with_open_return_is_in_after_sales():
    facts = OrderFacts(state="sale", pickings=[DELIVERED], open_returns=True)
    assert stages.derive_stage(facts) == stages.AFTER_SALES
