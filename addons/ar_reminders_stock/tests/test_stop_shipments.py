from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from odoo.addons.ar_reminders.tests.common import ArCommon


@tagged("post_install", "-at_install")
class TestStopShipments(ArCommon):
    @classmethod
    def get_default_groups(cls):
        return super().get_default_groups() | cls.env.ref("stock.group_stock_user")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.levels[30].stop_shipments = True
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], limit=1
        )
        cls.product = cls.env["product.product"].create(
            {"name": "Nước mắm 500ml", "type": "consu", "is_storable": True}
        )
        cls.env["stock.quant"]._update_available_quantity(
            cls.product, cls.warehouse.lot_stock_id, 10
        )
        cls.delivery_address = cls.env["res.partner"].create(
            {"name": "Kho Bình Dương", "type": "delivery", "parent_id": cls.customer.id}
        )

    def _picking(self, picking_type, partner):
        picking = (
            self.env["stock.picking"]
            .with_company(picking_type.company_id)
            .create(
                {
                    "picking_type_id": picking_type.id,
                    "partner_id": partner.id,
                    "move_ids": [
                        Command.create(
                            {
                                "product_id": self.product.id,
                                "product_uom_qty": 1,
                                "location_id": picking_type.default_location_src_id.id
                                or self.env.ref("stock.stock_location_customers").id,
                                "location_dest_id": picking_type.default_location_dest_id.id
                                or self.env.ref("stock.stock_location_customers").id,
                            }
                        )
                    ],
                }
            )
        )
        picking.action_confirm()
        picking.action_assign()
        return picking

    def test_stop_shipments_until_paid(self):
        invoice = self._invoice(days_overdue=31)
        delivery = self._picking(self.warehouse.out_type_id, self.delivery_address)
        receipt = self._picking(self.warehouse.in_type_id, self.customer)
        self.assertFalse(delivery.ar_shipments_stopped)

        self._run_cron()
        self.assertEqual(self._reminders().level_id, self.levels[30])
        self.assertTrue(self.customer.ar_shipments_stopped)
        self.assertTrue(delivery.ar_shipments_stopped, "a contact's delivery is stopped too")
        with self.assertRaisesRegex(UserError, "Công ty Á Châu.*" + delivery.name):
            delivery.button_validate()
        with self.assertRaisesRegex(UserError, "stopped by payment reminders"):
            delivery._action_done()
        self.assertEqual(delivery.state, "assigned")
        self.assertIn("Shipments stopped", self.customer.message_ids[0].body)

        # Goods coming back from the customer are not held.
        receipt.button_validate()
        self.assertEqual(receipt.state, "done")

        self._pay(invoice)
        self.assertFalse(self.customer.ar_shipments_stopped)
        self.assertFalse(delivery.ar_shipments_stopped)
        delivery.button_validate()
        self.assertEqual(delivery.state, "done")

    def test_stop_is_per_company(self):
        """Debts in one company stop that company's deliveries only."""
        self._invoice(days_overdue=31)
        self._run_cron()
        other_company = self.setup_other_company(name="Chi nhánh Hà Nội")["company"]
        other_warehouse = self.env["stock.warehouse"].search(
            [("company_id", "=", other_company.id)], limit=1
        )
        here = self._picking(self.warehouse.out_type_id, self.customer)
        there = self._picking(other_warehouse.out_type_id, self.customer)
        # Whatever company the user works in, the shipping company's flag decides.
        for env_company in (self.company, other_company):
            self.env.invalidate_all()
            pickings = (here | there).with_company(env_company)
            self.assertEqual(pickings.mapped("ar_shipments_stopped"), [True, False])
            pickings[1]._ar_check_shipments_allowed()  # does not raise
            with self.assertRaises(UserError):
                pickings[0]._ar_check_shipments_allowed()
        self.assertFalse(self.customer.with_company(other_company).ar_shipments_stopped)
        self.assertFalse(self.customer.with_company(other_company).ar_credit_hold)

    def test_manager_releases_by_hand(self):
        self._invoice(days_overdue=40)
        delivery = self._picking(self.warehouse.out_type_id, self.customer)
        self._run_cron()
        self.assertTrue(self.customer.ar_shipments_stopped)

        collector = self.env["res.users"].create(
            {
                "name": "Collector",
                "login": "collector-stop",
                "group_ids": [Command.set(self.env.ref("ar_reminders.group_ar_collector").ids)],
            }
        )
        with self.assertRaises(AccessError):
            self.delivery_address.with_user(collector).action_ar_release_holds()
        self.assertTrue(self.customer.ar_shipments_stopped)

        # Released from a contact: the holds live on the company.
        self.delivery_address.action_ar_release_holds()
        self.assertFalse(self.customer.ar_shipments_stopped)
        self.assertFalse(self.customer.ar_credit_hold)
        self.assertEqual(self.customer.with_company(self.company).trust, "normal")
        delivery.button_validate()
        self.assertEqual(delivery.state, "done")
