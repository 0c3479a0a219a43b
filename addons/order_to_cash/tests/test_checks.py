from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import O2cCommon


@tagged("post_install", "-at_install")
class TestChecks(O2cCommon):
    def test_customer_data_pass_and_block(self):
        self._only_rules("customer_data")
        order = self._order()
        order.action_o2c_check()
        self.assertEqual(self._result(order, "customer_data").state, "pass")
        self.assertFalse(order.o2c_hold)

        walk_in = self.env["res.partner"].create({"name": "Walk-in", "country_id": self.vn.id})
        order = self._order(partner=walk_in)
        order.action_o2c_check()
        result = self._result(order, "customer_data")
        self.assertEqual(result.state, "block")
        self.assertEqual(result.code, "missing")
        for field in ("phone", "street", "province", "ward"):
            self.assertIn(field, result.message)
        self.assertTrue(order.o2c_hold)

    def test_customer_data_district_not_needed(self):
        """Two-level units since July 2025: province + ward is complete."""
        self._only_rules("customer_data")
        order = self._order()
        self.assertFalse(order.partner_id.street2)
        order.action_o2c_check()
        self.assertFalse(order.o2c_hold)

    def test_tax_id_rule(self):
        self._only_rules("tax_id")
        partner = self.customer.copy({"name": "Công ty ABC", "is_company": True})
        order = self._order(partner=partner)
        order.action_o2c_check()
        self.assertEqual(self._result(order, "tax_id").code, "missing")
        # Wrong check digit, stored as by an old import (base_vat, when installed, would
        # refuse it on input); the write rechecks the held order.
        partner.with_context(no_vat_validation=True).vat = "0100109107"
        self._run_recheck_job()
        self.assertEqual(self._result(order, "tax_id").code, "invalid")
        self.assertIn("0100109107", self._result(order, "tax_id").message)
        partner.vat = "0100109106-001"
        self._run_recheck_job()
        self.assertEqual(self._result(order, "tax_id").state, "pass")
        self.assertFalse(order.o2c_hold)

    def test_payment_method_per_channel(self):
        self._only_rules("payment_method")
        order = self._order(channel=self.channel_shopee, method=self.credit_method)
        order.action_o2c_check()
        result = self._result(order, "payment_method")
        self.assertEqual((result.state, result.code), ("block", "not_allowed"))
        self.assertIn("credit", result.message)
        order.o2c_payment_method_id = self.cod
        order.action_o2c_check()
        self.assertFalse(order.o2c_hold)
        # A channel with no list accepts everything.
        order = self._order(channel=self.channel_phone, method=self.credit_method)
        order.action_o2c_check()
        self.assertEqual(self._result(order, "payment_method").state, "pass")

    def test_rule_scoped_to_channel(self):
        self._only_rules("payment_method")
        self.checks["payment_method"].channel_ids = self.channel_phone
        order = self._order(channel=self.channel_shopee, method=self.credit_method)
        order.action_o2c_check()
        self.assertFalse(self._result(order, "payment_method"))
        self.assertFalse(order.o2c_hold)

    def test_warning_does_not_hold(self):
        self._only_rules("payment_method")
        self.checks["payment_method"].severity = "warn"
        order = self._order(channel=self.channel_shopee, method=self.credit_method)
        order.action_o2c_check()
        self.assertEqual(self._result(order, "payment_method").state, "warn")
        self.assertFalse(order.o2c_hold)
        self.assertEqual(order.o2c_warning_count, 1)
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertEqual(
            self._result(order, "payment_method").state,
            "warn",
            "confirmation re-runs blocking rules only; the warning stays listed",
        )

    def test_archived_rule_no_longer_holds(self):
        self._only_rules("payment_method")
        order = self._order(channel=self.channel_shopee, method=self.credit_method)
        order.action_o2c_check()
        self.assertTrue(order.o2c_hold)
        self.checks["payment_method"].active = False
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertFalse(self._result(order, "payment_method"))

    def test_credit_limit_counts_receivable_and_open_orders(self):
        self._only_rules("credit")
        self.customer.credit_limit = 300000
        self.customer.use_partner_credit_limit = True
        invoice = self.init_invoice(
            "out_invoice", partner=self.customer, amounts=[100000], post=True, taxes=[]
        )
        confirmed = self._order(lines=[(self.product_coffee, 1)])  # 120,000
        confirmed.action_confirm()
        order = self._order(lines=[(self.product_fish_sauce, 1)])  # 85,000
        order.action_o2c_check()
        result = self._result(order, "credit")
        self.assertEqual(result.code, "over_limit")
        self.assertTrue(order.o2c_hold)
        # 100,000 receivable + 120,000 to invoice + 85,000 = 305,000 > 300,000
        self.assertIn("5,000", result.message)
        with self.assertRaises(UserError):
            order.action_confirm()
        # The customer pays the invoice: the hold is re-checked and released.
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({})._create_payments()
        self.assertTrue(order.o2c_recheck_pending)
        self._run_recheck_job()
        self.assertFalse(order.o2c_hold)
        self.assertEqual(self._result(order, "credit").state, "pass")
        order.action_confirm()
        self.assertEqual(order.state, "sale")

    def test_bad_trust_blocks(self):
        self._only_rules("credit")
        self.customer.trust = "bad"
        order = self._order()
        order.action_o2c_check()
        self.assertEqual(self._result(order, "credit").code, "bad_trust")
        self.customer.trust = "normal"
        self._run_recheck_job()
        self.assertFalse(order.o2c_hold)

    def test_stock_block_then_arrival_releases(self):
        self._only_rules("stock")
        self.checks["stock"].severity = "block"
        order = self._order(lines=[(self.product_coffee, 150)])
        order.action_o2c_check()
        result = self._result(order, "stock")
        self.assertEqual(result.code, "short")
        self.assertIn("150", result.message)
        self.assertTrue(order.o2c_hold)
        receipt = self.env["stock.picking"].create(
            {
                "picking_type_id": self.warehouse.in_type_id.id,
                "location_id": self.env.ref("stock.stock_location_suppliers").id,
                "location_dest_id": self.stock_location.id,
                "move_ids": [
                    Command.create(
                        {
                            "product_id": self.product_coffee.id,
                            "product_uom_qty": 60,
                            "location_id": self.env.ref("stock.stock_location_suppliers").id,
                            "location_dest_id": self.stock_location.id,
                        }
                    )
                ],
            }
        )
        receipt.action_confirm()
        receipt.button_validate()
        self.assertEqual(receipt.state, "done")
        self._run_recheck_job()
        self.assertFalse(order.o2c_hold)
        self.assertEqual(self._result(order, "stock").state, "pass")

    def test_duplicate_across_channels(self):
        self._only_rules("duplicate")
        first = self._order(channel=self.channel_shopee, lines=[(self.product_coffee, 2)])
        first.action_o2c_check()
        self.assertFalse(first.o2c_hold)
        twin = self._order(channel=self.channel_phone, lines=[(self.product_coffee, 2)])
        twin.action_o2c_check()
        self.assertEqual(self._result(twin, "duplicate").code, "duplicate")
        self.assertIn(first.name, self._result(twin, "duplicate").message)
        other = self._order(channel=self.channel_phone, lines=[(self.product_coffee, 3)])
        other.action_o2c_check()
        self.assertFalse(other.o2c_hold)

    def test_margin_below_cost_and_minimum(self):
        self._only_rules("margin")
        check = self.checks["margin"]
        check.write({"severity": "block", "min_margin": 45})
        order = self._order(lines=[(self.product_fish_sauce, 1)])  # 85,000 vs 52,000: 38.82%
        order.action_o2c_check()
        self.assertEqual(self._result(order, "margin").code, "low_margin")
        self.assertIn("38.82", self._result(order, "margin").message)
        check.min_margin = 30
        order.order_line.price_unit = 50000
        order.action_o2c_check()
        self.assertEqual(self._result(order, "margin").code, "below_cost")
        order.order_line.price_unit = 85000
        order.action_o2c_check()
        self.assertEqual(self._result(order, "margin").state, "pass")

    def test_override_by_manager_and_recheck_keeps_it(self):
        self._only_rules("payment_method")
        order = self._order(channel=self.channel_shopee, method=self.credit_method)
        order.action_o2c_check()
        self.assertTrue(order.o2c_hold)
        wizard = Form(
            self.env["o2c.override.wizard"].with_context(
                active_model="sale.order", active_ids=order.ids
            )
        )
        wizard.reason = "Known distributor, pays on account"
        wizard.save().action_override()
        self.assertFalse(order.o2c_hold)
        result = self._result(order, "payment_method")
        self.assertTrue(result.overridden)
        self.assertEqual(result.override_user_id, self.env.user)
        # The same failure found again stays overridden; confirmation passes.
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertTrue(self._result(order, "payment_method").overridden)

    def test_new_failure_after_override_holds_again(self):
        self._only_rules("customer_data")
        walk_in = self.env["res.partner"].create({"name": "Walk-in", "phone": "0900000000"})
        order = self._order(partner=walk_in)
        order.action_o2c_check()
        order._o2c_override("Customer will pick up")
        self.assertFalse(order.o2c_hold)
        walk_in.phone = False  # a different failure: phone missing too
        self._run_recheck_job()
        self.assertTrue(order.o2c_hold)

    def test_override_needs_reason(self):
        self._only_rules("payment_method")
        order = self._order(channel=self.channel_shopee, method=self.credit_method)
        order.action_o2c_check()
        with self.assertRaises(UserError):
            order._o2c_override("  ")
        self.assertTrue(order.o2c_hold)

    def test_hold_blocks_confirmation_everywhere(self):
        self._only_rules("payment_method")
        order = self._order(channel=self.channel_shopee, method=self.credit_method)
        order.action_o2c_check()
        with self.assertRaisesRegex(UserError, "on hold"):
            order.action_confirm()
        self.assertEqual(order.state, "draft")
        with self.assertRaises(UserError):
            order.write({"state": "sale"})
