from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import O2cCommon


@tagged("post_install", "-at_install")
class TestAccess(O2cCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._only_rules("payment_method")
        cls.salesman = new_test_user(
            cls.env,
            login="o2c_salesman",
            groups="sales_team.group_sale_salesman_all_leads,base.group_partner_manager",
            company_id=cls.company.id,
            company_ids=cls.company.ids,
        )
        cls.manager = new_test_user(
            cls.env,
            login="o2c_manager",
            groups="order_to_cash.group_o2c_manager",
            company_id=cls.company.id,
            company_ids=cls.company.ids,
        )
        cls.held = cls._order(channel=cls.channel_shopee, method=cls.credit_method)
        cls.held.action_o2c_check()

    def test_salesman_sees_hold_but_cannot_override(self):
        order = self.held.with_user(self.salesman)
        self.assertTrue(order.o2c_hold)
        self.assertTrue(order.o2c_check_result_ids.message)
        with self.assertRaises(AccessError):
            order.action_o2c_override()
        with self.assertRaises(AccessError):
            order._o2c_override("please")
        with self.assertRaises(AccessError):
            self.env["o2c.override.wizard"].with_user(self.salesman).create(
                {"order_ids": order.ids, "reason": "please"}
            )
        self.assertTrue(self.held.o2c_hold)

    def test_salesman_can_verify_and_take_orders(self):
        order = self.held.with_user(self.salesman)
        order.action_o2c_check()
        self.assertTrue(order.o2c_hold)
        [result] = (
            self.env["sale.order"].with_user(self.salesman).o2c_intake(self._payload("ACL-1"))
        )
        self.assertEqual(result["status"], "created", result["errors"])

    def test_salesman_cannot_configure(self):
        with self.assertRaises(AccessError):
            self.channel_phone.with_user(self.salesman).name = "Renamed"
        with self.assertRaises(AccessError):
            self.checks["credit"].with_user(self.salesman).severity = "warn"
        with self.assertRaises(AccessError):
            self.env["o2c.channel"].with_user(self.salesman).create({"name": "X", "code": "x"})

    def test_manager_overrides_and_configures(self):
        order = self.held.with_user(self.manager)
        order._o2c_override("Paid by bank transfer in advance")
        self.assertFalse(self.held.o2c_hold)
        self.channel_phone.with_user(self.manager).name = "Hotline"
        self.assertEqual(self.channel_phone.name, "Hotline")
        messages = self.held.message_ids.mapped("body")
        self.assertTrue(any("Paid by bank transfer in advance" in str(m) for m in messages))
