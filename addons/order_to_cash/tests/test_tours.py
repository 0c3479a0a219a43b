from odoo import Command
from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestO2cTours(HttpCase):
    """Browser tours (headless Chromium) through the screens a user works in."""

    def test_hold_override_tour(self):
        """Pipeline kanban -> a held order -> manager override -> confirmation."""
        admin = self.env.ref("base.user_admin")
        company = admin.company_id
        company.o2c_verify_manual_orders = True
        rules = (
            self.env["o2c.check"]
            .with_context(active_test=False)
            .search([("company_id", "in", [company.id, False])])
        )
        rules.write({"active": False})
        rules.filtered(lambda r: r.rule == "customer_data").write(
            {"active": True, "channel_ids": [Command.clear()]}
        )
        walk_in = self.env["res.partner"].create(
            {"name": "Tour Walk-in Customer", "country_id": self.env.ref("base.vn").id}
        )
        product = self.env["product.product"].create({"name": "Tour fish sauce", "type": "consu"})
        order = (
            self.env["sale.order"]
            .with_user(admin)
            .create(
                {
                    "partner_id": walk_in.id,
                    "order_line": [Command.create({"product_id": product.id})],
                }
            )
        )
        order.action_o2c_check()
        self.assertTrue(order.o2c_hold)

        self.start_tour(
            "/odoo/action-order_to_cash.action_o2c_pipeline",
            "order_to_cash_hold_override",
            login="admin",
        )

        order.invalidate_recordset()
        self.assertEqual(order.state, "sale")
        self.assertFalse(order.o2c_hold)
        self.assertTrue(
            order.message_ids.filtered(
                lambda m: "Customer paid in advance by bank transfer" in (m.body or "")
            )
        )
