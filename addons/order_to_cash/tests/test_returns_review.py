from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .after_sales_common import AfterSalesCommon


@tagged("post_install", "-at_install")
class TestReturnWorkflowGuards(AfterSalesCommon):
    """Workflow fields of return requests and complaints move only through their
    actions, never by a write over RPC."""

    def _salesman(self, login, groups="sales_team.group_sale_salesman_all_leads"):
        return new_test_user(
            self.env,
            login=login,
            groups=groups,
            company_id=self.company.id,
            company_ids=self.company.ids,
        )

    def test_salesman_cannot_skip_approval_by_writing_state(self):
        salesman = self._salesman("o2c_guard_salesman")
        order = self._delivered_order([(self.product_coffee, 2)])
        request = self._request([(order.order_line, 2, "changed_mind")], resolution="replacement")
        as_salesman = request.with_user(salesman)
        for values in (
            {"state": "received"},
            {"date_received": "2026-01-01 00:00:00"},
            {"approved_by_id": salesman.id},
            {"replacement_order_ids": [(6, 0, order.ids)]},
        ):
            with self.assertRaisesRegex(AccessError, next(iter(values))):
                as_salesman.write(values)
        self.assertEqual(request.state, "draft")
        self.assertFalse(request.replacement_order_ids)
        with self.assertRaises(UserError):
            as_salesman.action_done()
        self.assertFalse(request.replacement_order_ids)

    def test_resolved_request_cannot_be_resolved_again(self):
        order = self._delivered_order([(self.product_coffee, 5)])
        request = self._request([(order.order_line, 2, "changed_mind")])
        request.action_approve()
        self._validate(request.picking_ids)
        request.line_ids.inspection = "restock"
        request.action_done()
        self.assertEqual(len(request.credit_note_ids), 1)
        # Even the administrator cannot put it back to "received" for a second refund.
        with self.assertRaisesRegex(AccessError, "state"):
            request.write({"state": "received"})
        with self.assertRaisesRegex(AccessError, "credit_note_ids"):
            request.write({"credit_note_ids": [(5, 0, 0)]})
        with self.assertRaises(UserError):
            request.action_done()
        self.assertEqual(len(request.credit_note_ids), 1)
        # Once done, the inspection outcome is final too.
        with self.assertRaisesRegex(UserError, request.name):
            request.line_ids.inspection = "scrap"

    def test_complaint_state_only_through_actions(self):
        salesman = self._salesman("o2c_guard_complaint")
        order = self._delivered_order([(self.product_coffee, 1)], paid=False)
        complaint = self.env["o2c.complaint"].create({"order_id": order.id, "description": "Late"})
        as_salesman = complaint.with_user(salesman)
        for values in (
            {"state": "resolved"},
            {"date_resolved": "2026-01-01 00:00:00"},
            {"resolve_hours": 1.0},
        ):
            with self.assertRaisesRegex(AccessError, next(iter(values))):
                as_salesman.write(values)
        self.assertEqual(complaint.state, "open")
        as_salesman.resolution = "Apologised, voucher sent"
        as_salesman.action_resolve()
        self.assertEqual(complaint.state, "resolved")
        self.assertTrue(complaint.date_resolved)


@tagged("post_install", "-at_install")
class TestReturnPartialReceipt(AfterSalesCommon):
    def _receive_partly(self, picking, quantity, backorder=True):
        picking.move_ids.quantity = quantity
        picking.move_ids.picked = True
        res = picking.button_validate()
        self.assertIsInstance(res, dict, "a partial receipt asks about the backorder")
        wizard = Form.from_action(self.env, res).save()
        if backorder:
            wizard.process()
        else:
            wizard.process_cancel_backorder()
        self.assertEqual(picking.state, "done")

    def test_partial_receipt_waits_for_the_backorder(self):
        order = self._delivered_order([(self.product_fish_sauce, 3)])
        request = self._request([(order.order_line, 2, "damaged")], resolution="replacement")
        request.action_approve()
        picking = request.picking_ids
        self._receive_partly(picking, 1)
        backorder = self.env["stock.picking"].search([("backorder_id", "=", picking.id)])
        self.assertEqual(backorder.o2c_return_id, request)
        self.assertEqual(request.picking_ids, picking | backorder)
        self.assertEqual(request.state, "approved", "one unit is still on its way back")
        self._validate(backorder)
        self.assertEqual(request.state, "received")

    def test_scrap_and_replace_what_came_back(self):
        order = self._delivered_order([(self.product_fish_sauce, 3)])
        request = self._request([(order.order_line, 2, "damaged")], resolution="replacement")
        request.action_approve()
        self._receive_partly(request.picking_ids, 1, backorder=False)
        self.assertEqual(request.state, "received")
        self.assertEqual(self._on_hand(self.product_fish_sauce), 98)
        request.line_ids.inspection = "scrap"
        request.action_done()
        self.assertEqual(request.line_ids.scrap_id.scrap_qty, 1)
        self.assertEqual(self._on_hand(self.product_fish_sauce), 97)
        self.assertEqual(request.replacement_order_ids.order_line.product_uom_qty, 1)

    def test_refund_what_came_back(self):
        order = self._delivered_order([(self.product_fish_sauce, 3)])
        request = self._request([(order.order_line, 2, "damaged")])
        request.action_approve()
        self._receive_partly(request.picking_ids, 1, backorder=False)
        request.line_ids.inspection = "restock"
        request.action_done()
        self.assertEqual(request.credit_note_ids.invoice_line_ids.quantity, 1)


@tagged("post_install", "-at_install")
class TestReturnBeforeInvoice(AfterSalesCommon):
    def test_refund_of_order_policy_line_waits_for_its_invoice(self):
        order = self._delivered_order([(self.product_coffee, 5)], paid=False)
        line = order.order_line
        request = self._request([(line, 2, "changed_mind")])
        request.action_approve()
        self._validate(request.picking_ids)
        request.line_ids.inspection = "restock"
        with self.assertRaisesRegex(
            UserError, f"Ground coffee 250g of order {order.name}.*Invoice the order first"
        ):
            request.action_done()
        self.assertEqual(request.state, "received")
        self.assertFalse(request.credit_note_ids)

        invoice = order._create_invoices()
        invoice.action_post()
        self.assertEqual(invoice.invoice_line_ids.quantity, 5, "invoiced on ordered quantities")
        request.action_done()
        self.assertEqual(request.state, "done")
        self.assertEqual(request.credit_note_ids.invoice_line_ids.quantity, 2)
        self.assertEqual(request.credit_note_ids.reversed_entry_id, invoice)

    def test_refund_of_delivery_policy_line_before_invoice_needs_no_credit_note(self):
        order = self._delivered_order([(self.product_fish_sauce, 5)], paid=False)
        line = order.order_line
        request = self._request([(line, 2, "damaged")])
        request.action_approve()
        self._validate(request.picking_ids)
        request.line_ids.inspection = "restock"
        request.action_done()
        self.assertFalse(request.credit_note_ids)
        self.assertEqual(line.qty_to_invoice, 3)


@tagged("post_install", "-at_install")
class TestReturnCancelAfterReceipt(AfterSalesCommon):
    def test_cancel_refused_once_a_transfer_is_done(self):
        first_order = self._delivered_order([(self.product_fish_sauce, 3)])
        second_order = self._delivered_order([(self.product_fish_sauce, 3)])
        request = self._request(
            [(first_order.order_line, 2, "damaged"), (second_order.order_line, 2, "damaged")]
        )
        request.action_approve()
        first = request.picking_ids.filtered(
            lambda p: p.move_ids.sale_line_id == first_order.order_line
        )
        self._validate(first)
        with self.assertRaisesRegex(UserError, first.name):
            request.action_cancel()
        self.assertEqual(request.state, "approved")

    def test_done_transfers_of_a_cancelled_request_count_as_returned(self):
        order = self._delivered_order([(self.product_fish_sauce, 3)])
        request = self._request([(order.order_line, 2, "damaged")])
        request.action_approve()
        self._validate(request.picking_ids)
        # A request cancelled that way before the guard existed.
        self.env.flush_all()
        self.env.cr.execute("UPDATE o2c_return SET state = 'cancel' WHERE id = %s", (request.id,))
        request.invalidate_recordset(["state"])
        with self.assertRaisesRegex(ValidationError, "only 1"):
            self._request([(order.order_line, 3, "damaged")])
        self.assertTrue(self._request([(order.order_line, 1, "damaged")]))


@tagged("post_install", "-at_install")
class TestAfterSalesOwnDocuments(AfterSalesCommon):
    def test_own_documents_salesman_sees_only_own_returns_and_complaints(self):
        own = new_test_user(
            self.env,
            login="o2c_own_docs",
            groups="sales_team.group_sale_salesman",
            company_id=self.company.id,
            company_ids=self.company.ids,
        )
        everyone = new_test_user(
            self.env,
            login="o2c_all_docs",
            groups="sales_team.group_sale_salesman_all_leads",
            company_id=self.company.id,
            company_ids=self.company.ids,
        )
        theirs = self._delivered_order([(self.product_coffee, 1)], paid=False)
        theirs.user_id = everyone
        mine = self._delivered_order([(self.product_coffee, 1)], paid=False)
        mine.user_id = own
        return_theirs = self._request([(theirs.order_line, 1, "damaged")])
        return_mine = self._request([(mine.order_line, 1, "damaged")])
        Complaint = self.env["o2c.complaint"]
        complaint_theirs = Complaint.create({"order_id": theirs.id, "description": "x"})
        complaint_mine = Complaint.create({"order_id": mine.id, "description": "y"})
        returns = return_theirs | return_mine
        complaints = complaint_theirs | complaint_mine

        Return = self.env["o2c.return"]
        self.assertEqual(Return.with_user(own).search([("id", "in", returns.ids)]), return_mine)
        self.assertEqual(
            Complaint.with_user(own).search([("id", "in", complaints.ids)]), complaint_mine
        )
        self.assertEqual(
            self.env["o2c.return.line"].with_user(own).search([]).return_id, return_mine
        )
        with self.assertRaises(AccessError):
            return_theirs.with_user(own).read(["name"])
        with self.assertRaises(AccessError):
            complaint_theirs.with_user(own).read(["name"])
        self.assertEqual(Return.with_user(everyone).search([("id", "in", returns.ids)]), returns)
        self.assertEqual(
            Complaint.with_user(everyone).search([("id", "in", complaints.ids)]), complaints
        )


@tagged("post_install", "-at_install")
class TestReturnTransferLink(AfterSalesCommon):
    def test_stock_user_cannot_link_or_unlink_a_transfer_and_a_return(self):
        stock_user = new_test_user(
            self.env,
            login="o2c_link_stock_user",
            groups="stock.group_stock_user",
            company_id=self.company.id,
            company_ids=self.company.ids,
        )
        order = self._delivered_order([(self.product_coffee, 3)])
        request = self._request([(order.order_line, 2, "damaged")])
        request.action_approve()
        return_picking = request.picking_ids
        self.assertEqual(len(return_picking), 1)
        delivery = order.picking_ids - return_picking
        Picking = self.env["stock.picking"].with_user(stock_user)
        with self.assertRaisesRegex(AccessError, "o2c_return_id"):
            delivery.with_user(stock_user).write({"o2c_return_id": request.id})
        with self.assertRaisesRegex(AccessError, "o2c_return_id"):
            return_picking.with_user(stock_user).write({"o2c_return_id": False})
        with self.assertRaisesRegex(AccessError, "o2c_return_id"):
            Picking.create(
                {
                    "picking_type_id": delivery.picking_type_id.id,
                    "location_id": delivery.location_id.id,
                    "location_dest_id": delivery.location_dest_id.id,
                    "o2c_return_id": request.id,
                }
            )
        self.assertFalse(delivery.o2c_return_id)
        self.assertEqual(return_picking.o2c_return_id, request)
        self.assertEqual(request.picking_ids, return_picking)
        # The stock user still receives the goods: the return's own code takes over.
        return_picking.with_user(stock_user).move_ids.picked = True
        return_picking.with_user(stock_user).button_validate()
        self.assertEqual(request.state, "received")
