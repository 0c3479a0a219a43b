import pytest
from o2c_pipeline import stages
from o2c_pipeline.stages import Invoice, OrderFacts, Picking


def facts(**kw):
    kw.setdefault("state", "sale")
    return OrderFacts(**kw)


DELIVERY_READY = Picking("assigned", to_customer=True)
DELIVERY_PICKED = Picking("assigned", to_customer=True, picked=True)
DELIVERY_DONE = Picking("done", to_customer=True)
PAID = Invoice("out_invoice", "posted", "paid")


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        (facts(state="draft"), stages.ACCEPTED),
        (facts(state="cancel", pickings=[DELIVERY_DONE]), stages.ACCEPTED),
        (facts(pickings=[DELIVERY_READY]), stages.VERIFIED),
        (facts(pickings=[DELIVERY_PICKED]), stages.PACKED),
        (facts(pickings=[DELIVERY_DONE]), stages.SHIPPED),
        (facts(pickings=[DELIVERY_DONE, Picking("assigned", to_customer=True)]), stages.PACKED),
        (facts(pickings=[DELIVERY_DONE, Picking("cancel", to_customer=True)]), stages.SHIPPED),
        (
            facts(pickings=[DELIVERY_DONE], invoice_status="invoiced", invoices=[PAID]),
            stages.PAID,
        ),
        (
            facts(
                pickings=[DELIVERY_DONE],
                invoice_status="invoiced",
                invoices=[PAID, Invoice("out_invoice", "posted", "partial")],
            ),
            stages.SHIPPED,
        ),
        (
            facts(
                pickings=[DELIVERY_DONE],
                invoice_status="to invoice",
                invoices=[PAID],
            ),
            stages.SHIPPED,
        ),
        (
            facts(
                pickings=[DELIVERY_DONE],
                invoice_status="invoiced",
                invoices=[PAID],
                locked=True,
            ),
            stages.CLOSED,
        ),
        (
            facts(
                pickings=[DELIVERY_DONE, Picking("assigned", from_customer=True)],
                invoice_status="invoiced",
                invoices=[PAID],
                locked=True,
            ),
            stages.AFTER_SALES,
        ),
        (
            facts(
                pickings=[DELIVERY_DONE, Picking("done", from_customer=True)],
                invoice_status="invoiced",
                invoices=[PAID],
                after_sales_window_over=True,
            ),
            stages.CLOSED,
        ),
        (facts(pickings=[DELIVERY_DONE], has_complaint=True), stages.AFTER_SALES),
        # Services only: nothing to ship, packed and shipped at confirmation.
        (facts(pickings=[]), stages.SHIPPED),
        # Paid in advance but not shipped stays before shipping.
        (facts(pickings=[DELIVERY_READY], invoice_status="invoiced", invoices=[PAID]), 2),
    ],
)
def test_derive_stage(order, expected):
    assert stages.derive_stage(order) == expected


def test_multi_step_route():
    pick = Picking("assigned")
    order = facts(pickings=[pick])
    assert stages.derive_stage(order) == stages.VERIFIED
    order = facts(pickings=[Picking("done")])
    assert stages.derive_stage(order) == stages.PACKED, "pick done, delivery not created yet"
    order = facts(pickings=[Picking("done"), DELIVERY_READY])
    assert stages.derive_stage(order) == stages.PACKED
    order = facts(pickings=[Picking("done"), DELIVERY_DONE])
    assert stages.derive_stage(order) == stages.SHIPPED


def test_reached_stages_skip_paid_when_returned_unpaid():
    order = facts(pickings=[DELIVERY_DONE, Picking("assigned", from_customer=True)])
    stage = stages.derive_stage(order)
    assert stage == stages.AFTER_SALES
    assert stages.reached_stages(order, stage) == [1, 2, 3, 4, 6]


def test_reached_stages_skip_after_sales_when_closed_directly():
    order = facts(pickings=[DELIVERY_DONE], invoice_status="invoiced", invoices=[PAID], locked=True)
    assert stages.reached_stages(order, stages.derive_stage(order)) == [1, 2, 3, 4, 5, 7]
