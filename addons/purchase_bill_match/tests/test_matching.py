from odoo import Command, fields
from odoo.tests import Form, tagged

from .common import BillMatchCommon


@tagged("post_install", "-at_install")
class TestBillMatching(BillMatchCommon):
    # -- outcomes ---------------------------------------------------------

    def test_received_and_billed_as_ordered_is_ready(self):
        __, bill = self._received_and_billed()
        self.assertEqual(bill.bill_match_state, "ready")
        self.assertEqual(bill.invoice_line_ids.bill_match_state, "matched")
        self.assertTrue(bill.bill_match_first_pass)
        self.assertFalse(bill.bill_match_issue_ids)

    def test_no_po(self):
        bill = self._bill([{"product": self.product, "qty": 1, "price": 100}])
        self.assertEqual(bill.bill_match_state, "exception")
        self.assertEqual(self._reasons(bill), {"no_po"})
        self.assertEqual(bill.invoice_line_ids.bill_match_state, "exception")

    def test_price_over_tolerance_without_tolerance(self):
        __, bill = self._received_and_billed(bill_price=100.5)
        self.assertEqual(bill.bill_match_state, "exception")
        self.assertEqual(self._reasons(bill), {"price_over_tolerance"})
        self.assertAlmostEqual(bill.invoice_line_ids.bill_match_price_variance, 0.5)
        self.assertEqual(bill.bill_match_owner_id, self.buyer)
        self.assertEqual(self._match_activities(bill).user_id, self.buyer)

    def test_already_billed(self):
        order, first = self._received_and_billed()
        self.assertEqual(first.bill_match_state, "ready")
        second = self._bill([{"po_line": order.order_line, "qty": 10, "price": 100}])
        self.assertEqual(second.bill_match_state, "exception")
        self.assertEqual(self._reasons(second), {"already_billed"})
        # the first bill keeps its quantity when matched again
        first.action_bill_match_evaluate()
        self.assertEqual(first.bill_match_state, "ready")

    def test_bill_posted_second_is_already_billed_whatever_its_creation_order(self):
        order = self._po([(self.product, 10, 100)])
        self._receive(order)
        created_first = self._bill(
            [{"po_line": order.order_line, "qty": 10, "price": 100}], post=False
        )
        created_second = self._bill(
            [{"po_line": order.order_line, "qty": 10, "price": 100}], post=False
        )
        created_second.action_post()
        created_first.action_post()
        self.assertEqual(created_second.bill_match_state, "ready")
        self.assertEqual(created_first.bill_match_state, "exception")
        self.assertEqual(self._reasons(created_first), {"already_billed"})
        # matched again, each keeps its verdict
        (created_first | created_second).action_bill_match_evaluate()
        self.assertEqual(created_second.bill_match_state, "ready")
        self.assertEqual(created_first.bill_match_state, "exception")

    def test_uom_mismatch(self):
        order = self._po([(self.product, 10, 100)])
        self._receive(order)
        bill = self._bill(
            [{"po_line": order.order_line, "qty": 10, "price": 100, "uom": self.uom_kg}]
        )
        self.assertEqual(bill.bill_match_state, "exception")
        self.assertEqual(self._reasons(bill), {"uom_mismatch"})

    def test_convertible_uom_is_compared_in_order_unit(self):
        # 12 units at 100 ordered; billed as 2 packs of 6 at 600
        order = self._po([(self.product, 12, 100)])
        self._receive(order)
        bill = self._bill(
            [{"po_line": order.order_line, "qty": 2, "price": 600, "uom": self.uom_pack6}]
        )
        self.assertEqual(bill.bill_match_state, "ready")
        self.assertEqual(bill.invoice_line_ids.bill_match_state, "matched")

    # -- tolerances -------------------------------------------------------

    def test_price_percent_tolerance(self):
        self._set_tolerance(self.company, price_percent=2)
        __, bill = self._received_and_billed(bill_price=101.5)
        self.assertEqual(bill.bill_match_state, "ready")
        line = bill.invoice_line_ids
        self.assertEqual(line.bill_match_state, "within_tolerance")
        self.assertAlmostEqual(line.bill_match_price_variance, 1.5)
        __, bill = self._received_and_billed(bill_price=102.5)
        self.assertEqual(self._reasons(bill), {"price_over_tolerance"})

    def test_price_absolute_tolerance(self):
        self._set_tolerance(self.company, price_amount=5)
        __, bill = self._received_and_billed(bill_price=104)
        self.assertEqual(bill.invoice_line_ids.bill_match_state, "within_tolerance")
        __, bill = self._received_and_billed(bill_price=106)
        self.assertEqual(self._reasons(bill), {"price_over_tolerance"})

    def test_greater_of_percent_and_absolute(self):
        self._set_tolerance(self.company, price_percent=2, price_amount=5)
        # cheap item: 2 % of 100 is 2, the absolute 5 wins
        __, bill = self._received_and_billed(bill_price=104)
        self.assertEqual(bill.bill_match_state, "ready")
        # dear item: 2 % of 1000 is 20, the percentage wins
        __, bill = self._received_and_billed(price=1000, bill_price=1015)
        self.assertEqual(bill.bill_match_state, "ready")
        __, bill = self._received_and_billed(price=1000, bill_price=1021)
        self.assertEqual(self._reasons(bill), {"price_over_tolerance"})

    def test_quantity_tolerance_percent_and_absolute(self):
        # 12 % of the 9 received is 1.08: one unit over passes
        self._set_tolerance(self.company, qty_percent=12)
        order = self._po([(self.product, 10, 100)])
        self._receive(order, qty=9)
        bill = self._bill([{"po_line": order.order_line, "qty": 10, "price": 100}])
        self.assertEqual(bill.bill_match_state, "ready")
        self.assertAlmostEqual(bill.invoice_line_ids.bill_match_qty_variance, 1)
        self._set_tolerance(self.company, qty_amount=0.5)
        bill.action_bill_match_evaluate()
        self.assertEqual(self._reasons(bill), {"qty_over_received"})
        self._set_tolerance(self.company, qty_amount=1)
        bill.action_bill_match_evaluate()
        self.assertEqual(bill.bill_match_state, "ready")

    def test_category_tolerance_overrides_company(self):
        self._set_tolerance(self.company, price_percent=10)
        self._set_tolerance(self.category, price_percent=1)
        __, bill = self._received_and_billed(bill_price=105)
        self.assertEqual(self._reasons(bill), {"price_over_tolerance"})

    def test_vendor_tolerance_overrides_category(self):
        self._set_tolerance(self.category, price_percent=1)
        self._set_tolerance(self.vendor, price_percent=10)
        __, bill = self._received_and_billed(bill_price=105)
        self.assertEqual(bill.bill_match_state, "ready")

    def test_unset_vendor_level_falls_through_to_category(self):
        self._set_tolerance(self.company, price_percent=0)
        self._set_tolerance(self.category, price_percent=10)
        self.vendor.with_company(self.company).bill_match_price_percent = 50
        self.assertFalse(self.vendor.with_company(self.company).bill_match_tolerance_set)
        __, bill = self._received_and_billed(bill_price=105)
        self.assertEqual(bill.bill_match_state, "ready")
        __, bill = self._received_and_billed(bill_price=120)
        self.assertEqual(self._reasons(bill), {"price_over_tolerance"})

    def test_negative_tolerance_is_refused(self):
        with self.assertRaisesRegex(Exception, "must not be negative"):
            self._set_tolerance(self.company, qty_percent=-1)

    # -- receipts ---------------------------------------------------------

    def test_partial_receipt_holds_then_releases_on_receipt(self):
        order = self._po([(self.product, 10, 100)])
        self._receive(order, qty=6)
        bill = self._bill([{"po_line": order.order_line, "qty": 10, "price": 100}])
        self.assertEqual(bill.bill_match_state, "hold")
        self.assertEqual(self._reasons(bill), {"qty_over_received"})
        self.assertEqual(bill.bill_match_owner_id, self.receiver)
        self.assertEqual(self._match_activities(bill).user_id, self.receiver)
        self.assertAlmostEqual(bill.invoice_line_ids.bill_match_qty_variance, 4)
        self.assertAlmostEqual(bill.invoice_line_ids.bill_match_qty_received, 6)
        self.assertTrue(bill.bill_match_date_exception)

        self._receive(order)  # the backorder: the other 4
        self.assertEqual(bill.bill_match_state, "ready")
        self.assertFalse(bill.bill_match_first_pass)
        self.assertTrue(bill.bill_match_date_resolved)
        issue = bill.bill_match_issue_ids
        self.assertEqual(issue.reason_code, "qty_over_received")
        self.assertTrue(issue.date_resolved)
        self.assertFalse(bill.bill_match_open_issue_ids)
        self.assertFalse(self._match_activities(bill))

    def test_receipt_does_not_touch_bills_of_disabled_company(self):
        order = self._po([(self.product, 10, 100)])
        self._receive(order, qty=6)
        bill = self._bill([{"po_line": order.order_line, "qty": 10, "price": 100}])
        self.company.bill_match_enabled = False
        self._receive(order)
        self.assertEqual(bill.bill_match_state, "hold")  # not re-evaluated

    def test_goods_returned_to_the_vendor_hold_a_ready_bill(self):
        order, bill = self._received_and_billed()
        self.assertEqual(bill.bill_match_state, "ready")
        receipt = order.picking_ids
        wizard = Form(
            self.env["stock.return.picking"].with_context(
                active_ids=receipt.ids, active_id=receipt.id, active_model="stock.picking"
            )
        ).save()
        wizard.product_return_moves.quantity = 4
        returned = self.env["stock.picking"].browse(wizard.action_create_returns()["res_id"])
        returned.move_ids.quantity = 4
        returned.move_ids.picked = True
        returned.button_validate()
        self.assertEqual(order.order_line.qty_received, 6)
        self.assertEqual(bill.bill_match_state, "hold")
        self.assertEqual(self._reasons(bill), {"qty_over_received"})

    # -- auto-linking -----------------------------------------------------

    def test_line_without_po_line_is_linked_to_the_only_open_po_line(self):
        order = self._po([(self.product, 10, 100), (self.product_b, 5, 20)])
        self._receive(order)
        bill = self._bill([{"product": self.product_b, "qty": 5, "price": 20}])
        self.assertEqual(
            bill.invoice_line_ids.purchase_line_id,
            order.order_line.filtered(lambda line: line.product_id == self.product_b),
        )
        self.assertEqual(bill.bill_match_state, "ready")

    def test_several_open_po_lines_are_taken_oldest_first(self):
        # A supplier bills two orders of the same product: each bill gets the next order.
        first = self._po([(self.product_b, 5, 20)])
        second = self._po([(self.product_b, 5, 20)])
        self._receive(first)
        self._receive(second)
        bill_1 = self._bill([{"product": self.product_b, "qty": 5, "price": 20}])
        bill_2 = self._bill([{"product": self.product_b, "qty": 5, "price": 20}])
        self.assertEqual(bill_1.invoice_line_ids.purchase_line_id, first.order_line)
        self.assertEqual(bill_2.invoice_line_ids.purchase_line_id, second.order_line)
        self.assertEqual((bill_1 | bill_2).mapped("bill_match_state"), ["ready", "ready"])

    def test_oldest_po_line_too_small_is_skipped(self):
        small = self._po([(self.product_b, 2, 20)])
        large = self._po([(self.product_b, 5, 20)])
        self._receive(small)
        self._receive(large)
        bill = self._bill([{"product": self.product_b, "qty": 5, "price": 20}])
        self.assertEqual(bill.invoice_line_ids.purchase_line_id, large.order_line)

    def test_received_order_is_preferred_to_an_older_one_not_received(self):
        self._po([(self.product_b, 5, 20)])  # older, nothing received
        received = self._po([(self.product_b, 5, 20)])
        self._receive(received)
        bill = self._bill([{"product": self.product_b, "qty": 5, "price": 20}])
        self.assertEqual(bill.invoice_line_ids.purchase_line_id, received.order_line)
        self.assertEqual(bill.bill_match_state, "ready")

    def test_no_link_when_no_open_po_line_covers_the_quantity(self):
        for __ in range(2):
            self._receive(self._po([(self.product_b, 5, 20)]))
        bill = self._bill([{"product": self.product_b, "qty": 7, "price": 20}])
        self.assertFalse(bill.invoice_line_ids.purchase_line_id)
        self.assertEqual(self._reasons(bill), {"no_po"})

    def test_no_link_to_other_vendor_po(self):
        other = self.env["res.partner"].create({"name": "Nhà cung cấp B"})
        self._receive(self._po([(self.product_b, 5, 20)], partner=other))
        bill = self._bill([{"product": self.product_b, "qty": 5, "price": 20}])
        self.assertFalse(bill.invoice_line_ids.purchase_line_id)

    # -- KPIs -------------------------------------------------------------

    def test_order_line_of_another_vendor_is_no_order(self):
        # A bill of vendor Z linked by hand to vendor A's received order line.
        order, __ = self._received_and_billed(qty=5, price=40.0, bill_qty=1)
        other = self.env["res.partner"].create({"name": "Nhà cung cấp Z"})
        bill = self._bill([{"po_line": order.order_line, "qty": 1, "price": 40.0}], partner=other)
        self.assertEqual(bill.bill_match_state, "exception")
        self.assertEqual(self._reasons(bill), {"no_po"})
        line = bill.invoice_line_ids
        self.assertEqual(line.bill_match_po_price_unit, 0.0)
        # and it does not count as billing vendor A's order
        second = self._bill([{"po_line": order.order_line, "qty": 4, "price": 40.0}])
        self.assertEqual(second.bill_match_state, "ready")

    def test_kpi_report_first_pass_rate(self):
        self._received_and_billed()
        self._received_and_billed(bill_price=150)
        rows = self.env["purchase.bill.match.report"]._read_group(
            [("company_id", "=", self.company.id), ("partner_id", "=", self.vendor.id)],
            aggregates=["first_pass_rate:avg", "bill_count:sum", "held_count:sum"],
        )
        self.assertEqual(rows, [(50.0, 2, 1)])

    def test_other_company_issues_are_not_visible(self):
        company_b = self.setup_other_company(name="Công ty B")["company"]
        company_b.bill_match_enabled = True
        bill_b = (
            self.env["account.move"]
            .with_company(company_b)
            .create(
                {
                    "move_type": "in_invoice",
                    "partner_id": self.vendor.id,
                    "invoice_date": fields.Date.today(),
                    "invoice_line_ids": [
                        Command.create({"name": "Cước vận chuyển", "price_unit": 50})
                    ],
                }
            )
        )
        bill_b.action_post()
        self.assertEqual(bill_b.bill_match_state, "exception")
        self.assertEqual(self._reasons(bill_b), {"no_po"})
        __, bill_a = self._received_and_billed(bill_price=150)
        user_a = self._bm_user("bm_company_a", "account.group_account_invoice")
        issues = self.env["purchase.bill.match.issue"].with_user(user_a).search([])
        self.assertEqual(issues.move_id, bill_a)
        report = self.env["purchase.bill.match.report"].with_user(user_a).search([])
        self.assertEqual(report.move_id, bill_a)

    def test_disabled_company_does_not_match(self):
        self.company.bill_match_enabled = False
        bill = self._bill([{"product": self.product, "qty": 1, "price": 100}])
        self.assertFalse(bill.bill_match_state)
        self.assertFalse(bill.bill_match_issue_ids)
