from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .after_sales_common import AfterSalesCommon


@tagged("post_install", "-at_install")
class TestReturnFlow(AfterSalesCommon):
    def assertRaisesRegex(self, exception, regex):
        # Odoo wraps assertRaises (not assertRaisesRegex) in a savepoint: keep the
        # rollback and check the message on the way out.
        test = self

        class _Check:
            def __enter__(self):
                self.context = test.assertRaises(exception)
                self.catcher = self.context.__enter__()
                return self.catcher

            def __exit__(self, *exc):
                result = self.context.__exit__(*exc)
                test.assertRegex(str(self.catcher.exception), regex)
                return result

        return _Check()

    def test_refund_flow_end_to_end(self):
        """Approve, receive through the real return transfer, scrap one line and
        restock the other, then refund by credit note."""
        order = self._delivered_order([(self.product_fish_sauce, 3), (self.product_coffee, 2)])
        fish, coffee = (
            self._line(order, self.product_fish_sauce),
            self._line(order, self.product_coffee),
        )
        self.assertEqual(order.o2c_stage, "paid")
        self.assertEqual(self._on_hand(self.product_fish_sauce), 97)
        self.assertEqual(self._on_hand(self.product_coffee), 98)

        request = self._request([(fish, 2, "damaged"), (coffee, 1, "changed_mind")])
        self.assertRegex(request.name, r"^RMA/\d{4}/\d{4}$")
        self.assertEqual(order.o2c_stage, "after_sales", "an open request is stage 6")
        self.assertTrue(order.o2c_date_after_sales)
        self.assertEqual(order.o2c_return_count, 1)

        request.action_approve()
        self.assertEqual(request.state, "approved")
        picking = request.picking_ids
        self.assertEqual(len(picking), 1)
        self.assertEqual(picking.return_id, order.picking_ids.filtered(lambda p: not p.return_id))
        self.assertEqual(picking.location_id.usage, "customer")
        self.assertTrue(all(picking.move_ids.mapped("to_refund")))
        self.assertEqual(
            {m.product_id: m.product_uom_qty for m in picking.move_ids},
            {self.product_fish_sauce: 2, self.product_coffee: 1},
        )

        self._validate(picking)
        self.assertEqual(request.state, "received")
        self.assertEqual(fish.qty_delivered, 1)
        self.assertEqual(coffee.qty_delivered, 1)
        self.assertEqual(self._on_hand(self.product_fish_sauce), 99)
        self.assertEqual(self._on_hand(self.product_coffee), 99)

        with self.assertRaisesRegex(UserError, "inspection outcome"):
            request.action_done()
        request.line_ids.filtered(lambda line: line.sale_line_id == fish).inspection = "scrap"
        request.line_ids.filtered(lambda line: line.sale_line_id == coffee).inspection = "restock"
        request.action_done()

        self.assertEqual(request.state, "done")
        self.assertTrue(request.date_done)
        self.assertEqual(
            self._on_hand(self.product_fish_sauce), 97, "the damaged units are scrapped"
        )
        self.assertEqual(self._on_hand(self.product_coffee), 99, "the other unit is back in stock")
        scrap = request.line_ids.scrap_id
        self.assertEqual((scrap.state, scrap.scrap_qty), ("done", 2))

        credit_note = request.credit_note_ids
        self.assertEqual(len(credit_note), 1)
        self.assertEqual(credit_note.move_type, "out_refund")
        self.assertEqual(credit_note.partner_id, order.partner_invoice_id)
        self.assertAlmostEqual(credit_note.amount_total, 2 * 85000 + 120000)
        self.assertEqual(
            credit_note.invoice_line_ids.sale_line_ids,
            fish,
            "lines invoiced on delivered quantities follow the return; lines invoiced on "
            "ordered quantities are refunded without asking to invoice them again",
        )
        credit_note.action_post()
        self.assertEqual(fish.qty_invoiced, 1)
        self.assertEqual(coffee.qty_invoiced, 2)
        self.assertEqual(order.invoice_status, "invoiced")

        # Visible from both sides.
        self.assertEqual(request.action_view_credit_notes()["res_id"], credit_note.id)
        self.assertEqual(request.action_view_pickings()["res_id"], picking.id)
        action = order.action_o2c_returns()
        self.assertEqual(self.env["o2c.return"].search(action["domain"]), request)
        self.assertEqual(action["context"]["default_partner_id"], self.customer.id)
        self.assertEqual(order.o2c_return_line_ids.return_id, request)

        self.assertEqual(order.o2c_stage, "after_sales", "handled, the window still open")
        order.action_lock()
        self.assertEqual(order.o2c_stage, "closed")

    def test_replacement_flow_end_to_end(self):
        """A replacement: the goods come back without lowering what the order
        delivered and invoiced; a free order sends them again."""
        order = self._delivered_order([(self.product_coffee, 2)])
        coffee = self._line(order, self.product_coffee)
        request = self._request([(coffee, 1, "wrong_item")], resolution="replacement")
        request.action_approve()
        picking = request.picking_ids
        self.assertFalse(any(picking.move_ids.mapped("to_refund")))
        self._validate(picking)
        self.assertEqual(request.state, "received")
        self.assertEqual(coffee.qty_delivered, 2, "a replacement keeps the order delivered")
        self.assertEqual(self._on_hand(self.product_coffee), 99)

        request.line_ids.inspection = "repair"
        request.action_done()
        self.assertEqual(request.state, "done")
        self.assertFalse(request.credit_note_ids)
        self.assertEqual(self._on_hand(self.product_coffee), 99, "kept in stock for repair")
        self.assertIn("Kept aside for repair", request.message_ids[0].body)

        replacement = request.replacement_order_ids
        self.assertEqual(len(replacement), 1)
        self.assertEqual(replacement.partner_id, order.partner_id)
        self.assertEqual(replacement.o2c_replaced_order_id, order)
        self.assertIn(request.name, replacement.origin)
        [line] = replacement.order_line
        self.assertEqual(
            (line.product_id, line.product_uom_qty, line.price_unit, line.discount),
            (self.product_coffee, 1, 120000, 100),
        )
        self.assertEqual(replacement.amount_total, 0)
        self.assertEqual(order.invoice_status, "invoiced", "nothing to refund or invoice again")

        replacement.action_confirm()
        self._validate(replacement.picking_ids)
        self.assertEqual(self._on_hand(self.product_coffee), 98)
        self.assertEqual(line.qty_delivered, 1)

    def test_over_return_refused(self):
        order = self._delivered_order([(self.product_fish_sauce, 3)], paid=False)
        fish = order.order_line
        first = self._request([(fish, 2, "damaged")])
        with self.assertRaisesRegex(
            ValidationError,
            r"2 Units of \[T-NM500\] Fish sauce 500ml \(order S\d+\) asked back, but only 1 can "
            r"be returned: 3 delivered, 2 already returned",
        ):
            self._request([(fish, 2, "damaged")])
        # Split over two lines, the quantities add up.
        with self.assertRaisesRegex(ValidationError, "2 Units .* but only 1 can be returned"):
            self._request([(fish, 1, "damaged"), (fish, 1, "wrong_item")])
        with self.assertRaisesRegex(ValidationError, "only 3 can be returned"):
            first.line_ids.quantity = 4

        first.refuse_reason = "Outside the return window"
        first.action_refuse()
        self.assertEqual(first.state, "refused")
        second = self._request([(fish, 3, "damaged")])
        self.assertEqual(second.line_ids.quantity, 3, "a refused request frees its quantity")
        with self.assertRaisesRegex(ValidationError, "only 0 can be returned"):
            first.action_draft()

    def test_over_return_after_a_return_made_in_inventory(self):
        order = self._delivered_order([(self.product_fish_sauce, 3)], paid=False)
        wizard = (
            self.env["stock.return.picking"]
            .with_context(active_id=order.picking_ids.id, active_model="stock.picking")
            .create({"picking_id": order.picking_ids.id})
        )
        wizard.product_return_moves.quantity = 2
        wizard._create_return()
        with self.assertRaisesRegex(ValidationError, "only 1 can be returned"):
            self._request([(order.order_line, 2, "damaged")])

    def test_one_request_for_two_orders_of_one_customer(self):
        first = self._delivered_order([(self.product_fish_sauce, 2)])
        second = self._delivered_order([(self.product_coffee, 3)])
        request = self._request(
            [(first.order_line, 1, "damaged"), (second.order_line, 2, "not_as_described")]
        )
        self.assertEqual(request.order_ids, first | second)
        self.assertEqual((first.o2c_stage, second.o2c_stage), ("after_sales", "after_sales"))
        request.action_approve()
        self.assertEqual(len(request.picking_ids), 2, "one return transfer per delivery")
        self.assertEqual(
            request.picking_ids.return_id,
            (first.picking_ids | second.picking_ids).filtered(
                lambda p: p.location_dest_id.usage == "customer"
            ),
        )
        self._validate(request.picking_ids[0])
        self.assertEqual(request.state, "approved", "waits for every transfer")
        self._validate(request.picking_ids[1])
        self.assertEqual(request.state, "received")
        request.line_ids.inspection = "restock"
        request.action_done()
        self.assertEqual(len(request.credit_note_ids), 2, "one credit note per order")
        amounts = {m.invoice_origin: m.amount_total for m in request.credit_note_ids}
        self.assertEqual(
            amounts,
            {f"{request.name}, {first.name}": 85000, f"{request.name}, {second.name}": 240000},
        )
        self.assertEqual(first.o2c_return_count, 1)
        self.assertEqual(second.o2c_return_line_ids.return_id, request)

    def test_request_mixing_customers_refused(self):
        other = self.env["res.partner"].create({"name": "Trần Văn Nam"})
        mine = self._delivered_order([(self.product_fish_sauce, 1)], paid=False)
        theirs = self._delivered_order([(self.product_coffee, 1)], partner=other, paid=False)
        with self.assertRaisesRegex(
            ValidationError, rf"order\(s\) {theirs.name} belong to Trần Văn Nam"
        ):
            self._request([(mine.order_line, 1, "damaged"), (theirs.order_line, 1, "damaged")])
        request = self._request([(mine.order_line, 1, "damaged")])
        with self.assertRaisesRegex(
            ValidationError, "one request covers the orders of one customer"
        ):
            self.env["o2c.return.line"].create(
                {"return_id": request.id, "sale_line_id": theirs.order_line.id, "quantity": 1}
            )

    def test_only_managers_approve_and_refusal_needs_a_reason(self):
        salesman = new_test_user(
            self.env,
            login="o2c_rma_salesman",
            groups="sales_team.group_sale_salesman_all_leads",
            company_id=self.company.id,
            company_ids=self.company.ids,
        )
        order = self._delivered_order([(self.product_fish_sauce, 1)], paid=False)
        request = self._request([(order.order_line, 1, "changed_mind")])
        with self.assertRaises(AccessError):
            request.with_user(salesman).action_approve()
        with self.assertRaisesRegex(UserError, "refusal reason"):
            request.action_refuse()
        self.assertEqual(request.state, "draft")
        request.action_approve()
        with self.assertRaisesRegex(UserError, "only be changed while the request is a draft"):
            request.line_ids.write({"quantity": 1, "reason": "damaged"})

    def test_stage_back_out_when_request_ends(self):
        order = self._delivered_order([(self.product_fish_sauce, 2)])
        order.o2c_after_sales_over = True
        self.assertEqual(order.o2c_stage, "closed")
        request = self._request([(order.order_line, 1, "changed_mind")])
        self.assertEqual(order.o2c_stage, "after_sales")
        request.action_cancel()
        self.assertEqual(order.o2c_stage, "closed")
        request.action_draft()
        self.assertEqual(order.o2c_stage, "after_sales")
        request.action_approve()
        self.assertEqual(order.o2c_stage, "after_sales")
        self._validate(request.picking_ids)
        self.assertEqual(order.o2c_stage, "after_sales", "received, not resolved yet")
        request.line_ids.inspection = "restock"
        request.action_done()
        self.assertEqual(order.o2c_stage, "closed")
        request.credit_note_ids.action_post()
        self.assertEqual(order.o2c_stage, "closed")
