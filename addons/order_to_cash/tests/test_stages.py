import datetime

from odoo import fields
from odoo.tests import Form, tagged

from .common import O2cCommon


@tagged("post_install", "-at_install")
class TestStages(O2cCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._only_rules()

    def _pay(self, invoice):
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({})._create_payments()

    def _run_close_cron(self):
        self.env.flush_all()
        with self.enter_registry_test_mode(), self.registry.cursor() as cr:
            # Outside a cron run, _commit_progress commits the test cursor.
            self.env(cr=cr)["sale.order"]._cron_o2c_close_after_sales()
        self.env.invalidate_all()

    def _deliver(self, picking):
        picking.move_ids.picked = True
        picking.button_validate()
        self.assertEqual(picking.state, "done")

    def test_full_flow_stages_and_dates(self):
        order = self._order(channel=self.channel_shopee, lines=[(self.product_coffee, 2)])
        self.assertEqual(order.o2c_stage, "accepted")
        self.assertEqual(order.o2c_date_accepted, order.create_date)

        order.action_confirm()
        self.assertEqual(order.o2c_stage, "verified")
        self.assertEqual(order.o2c_date_verified, order.date_order)

        picking = order.picking_ids
        self.assertEqual(picking.state, "assigned")
        picking.move_ids.picked = True
        self.assertEqual(order.o2c_stage, "packed")
        self.assertTrue(order.o2c_date_packed)

        picking.button_validate()
        self.assertEqual(order.o2c_stage, "shipped")
        self.assertEqual(order.o2c_date_shipped, picking.date_done)

        invoice = order._create_invoices()
        invoice.action_post()
        self.assertEqual(order.o2c_stage, "shipped", "invoiced but not paid yet")
        self.assertFalse(order.o2c_date_paid)

        self._pay(invoice)
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertEqual(order.o2c_stage, "paid")
        self.assertTrue(order.o2c_date_paid)
        self.assertEqual(
            self.env["sale.order"].search([("o2c_stage", "=", "paid"), ("id", "=", order.id)]),
            order,
            "the stage is stored and searchable",
        )

        # A return opens after-sales; the dates reached stay as they were.
        shipped_on = order.o2c_date_shipped
        wizard = Form(
            self.env["stock.return.picking"].with_context(
                active_id=picking.id, active_model="stock.picking"
            )
        ).save()
        wizard.product_return_moves.quantity = 1
        return_picking = wizard._create_return()
        self.assertEqual(order.o2c_stage, "after_sales")
        self.assertTrue(order.o2c_date_after_sales)
        self.assertEqual(order.o2c_date_shipped, shipped_on)

        self._deliver(return_picking)
        self.assertEqual(order.o2c_stage, "after_sales")
        order.action_lock()
        self.assertEqual(order.o2c_stage, "closed")
        self.assertTrue(order.o2c_date_closed)

    def test_unpaid_order_does_not_pass_shipped(self):
        order = self._order()
        order.action_confirm()
        self._deliver(order.picking_ids)
        order._create_invoices().action_post()
        order.action_lock()
        self.assertEqual(order.o2c_stage, "shipped")

    def test_two_step_delivery_packed_when_pick_done(self):
        self.warehouse.delivery_steps = "pick_ship"
        order = self._order(lines=[(self.product_fish_sauce, 3)])
        order.action_confirm()
        pick = order.picking_ids
        self.assertEqual(pick.location_dest_id.usage, "internal")
        self.assertEqual(order.o2c_stage, "verified")
        self._deliver(pick)
        self.assertEqual(order.o2c_stage, "packed")
        self.assertEqual(order.o2c_date_packed, pick.date_done)
        ship = order.picking_ids - pick
        self.assertEqual(ship.location_dest_id.usage, "customer")
        self._deliver(ship)
        self.assertEqual(order.o2c_stage, "shipped")

    def test_cron_closes_after_window(self):
        order = self._order(channel=self.channel_shopee)
        self.channel_shopee.after_sales_days = 15
        order.action_confirm()
        self._deliver(order.picking_ids)
        invoice = order._create_invoices()
        invoice.action_post()
        self._pay(invoice)
        self.assertEqual(order.o2c_stage, "paid")
        self._run_close_cron()
        self.assertEqual(order.o2c_stage, "paid", "the window is still open")
        order.o2c_date_paid = fields.Datetime.now() - datetime.timedelta(days=16)
        self._run_close_cron()
        self.assertTrue(order.o2c_after_sales_over)
        self.assertEqual(order.o2c_stage, "closed")

    def test_cancelled_order_stays_accepted(self):
        order = self._order()
        order._action_cancel()
        self.assertEqual(order.o2c_stage, "accepted")
        self.assertFalse(order.o2c_date_verified)
