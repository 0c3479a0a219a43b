from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import O2cCommon


@tagged("post_install", "-at_install")
class TestCoreFlows(O2cCommon):
    """Installing the addon changes nothing for orders that do not come through a
    sales channel, unless the company opts in."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.o2c_verify_manual_orders = False
        # A customer as a salesperson types one in: no phone, no street.
        cls.walk_in = cls.env["res.partner"].create({"name": "Khách lẻ"})

    def test_manual_order_is_not_verified(self):
        order = self._order(partner=self.walk_in)
        order.action_o2c_check()
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertFalse(order.o2c_hold)
        self.assertFalse(order.o2c_check_result_ids)
        self.assertFalse(order.o2c_checked_on)

    def test_channel_order_is_verified(self):
        order = self._order(partner=self.walk_in, channel=self.channel_phone)
        order.action_o2c_check()
        self.assertTrue(order.o2c_hold)
        self.assertEqual(self._result(order, "customer_data").code, "missing")

    def test_company_opts_manual_orders_in(self):
        self.company.o2c_verify_manual_orders = True
        order = self._order(partner=self.walk_in)
        order.action_o2c_check()
        self.assertTrue(order.o2c_hold)
        # Opting out again releases it at the next verification.
        self.company.o2c_verify_manual_orders = False
        order.action_o2c_check()
        self.assertFalse(order.o2c_hold)
        self.assertFalse(order.o2c_check_result_ids)
        order.action_confirm()
        self.assertEqual(order.state, "sale")


@tagged("post_install", "-at_install")
class TestRecheckScope(O2cCommon):
    """Causes of a hold changing (customer data, payments, stock) queue held
    quotations of the companies concerned; the rules run in the recheck job,
    each order in its own company."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._only_rules("customer_data")
        cls.company_b = cls.setup_other_company(name="Công ty B")["company"]
        cls.company_b.o2c_verify_manual_orders = True
        cls.shared = cls.env["res.partner"].create({"name": "Khách chung", "country_id": cls.vn.id})

    def _held_order(self, company):
        order = (
            self.env["sale.order"]
            .with_company(company)
            .create(
                {
                    "partner_id": self.shared.id,
                    "company_id": company.id,
                    "order_line": [
                        Command.create(
                            {"product_id": self.product_fish_sauce.id, "product_uom_qty": 1}
                        )
                    ],
                }
            )
        )
        order.action_o2c_check()
        self.assertTrue(order.o2c_hold)
        return order

    def test_partner_write_queues_only_the_users_companies(self):
        order_a = self._held_order(self.company)
        order_b = self._held_order(self.company_b)
        user_a = new_test_user(
            self.env,
            login="o2c_scope_a",
            groups="sales_team.group_sale_salesman_all_leads,base.group_partner_manager",
            company_id=self.company.id,
            company_ids=self.company.ids,
        )
        self.shared.with_user(user_a).write(
            {
                "phone": "+84 912 000 111",
                "street": "1 Lê Lợi",
                "city": "Phường Bến Thành",
                "state_id": self.hcm.id,
            }
        )
        # Nothing ran inside the user's write: A is queued, B (not the user's) is not.
        self.assertTrue(order_a.o2c_recheck_pending)
        self.assertTrue(order_a.o2c_hold)
        self.assertFalse(order_b.o2c_recheck_pending)
        self._run_recheck_job()
        self.assertFalse(order_a.o2c_hold)
        self.assertFalse(order_a.o2c_recheck_pending)
        self.assertTrue(order_b.o2c_hold)

    def test_payment_queues_only_its_company(self):
        self._only_rules("credit")
        self.shared.with_company(self.company).trust = "bad"
        self.shared.with_company(self.company_b).trust = "bad"
        order_a = self._held_order(self.company)
        order_b = self._held_order(self.company_b)
        invoice = self.init_invoice(
            "out_invoice", partner=self.shared, amounts=[1000], post=True, taxes=[]
        )
        self.assertEqual(invoice.company_id, self.company)
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({})._create_payments()
        self.assertTrue(order_a.o2c_recheck_pending)
        self.assertFalse(order_b.o2c_recheck_pending)


@tagged("post_install", "-at_install")
class TestLanguage(O2cCommon):
    """Hold reasons and chatter notes are worded in the user's language."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._only_rules("customer_data")
        cls.env["res.lang"]._activate_lang("vi_VN")
        cls.env["ir.module.module"]._load_module_terms(["order_to_cash"], ["vi_VN"])

    def test_hold_reason_in_the_users_language(self):
        self.env.user.lang = "vi_VN"
        walk_in = self.env["res.partner"].create({"name": "Khách lẻ"})
        order = self._order(partner=walk_in).with_context(lang=None)
        order.action_o2c_check()
        self.assertTrue(order.o2c_hold)
        self.assertIn("Thiếu thông tin khách hàng", order.o2c_hold_reason)
        note = order.message_ids[:1]
        self.assertIn("tạm giữ", note.body)

    def test_recheck_job_words_holds_in_the_company_language(self):
        """The job has no language of its own: an order without a salesperson gets
        its reasons in the company's language."""
        self.env.user.lang = "en_US"
        self.company.partner_id.lang = "vi_VN"
        walk_in = self.env["res.partner"].create({"name": "Khách lẻ"})
        order = self._order(partner=walk_in)
        order.user_id = False
        order.with_context(lang="en_US").action_o2c_check()
        self.assertIn("Missing customer data", order.o2c_hold_reason)
        walk_in.phone = "0900000001"  # still no street: another reason, worded again
        self._run_recheck_job()
        self.assertTrue(order.o2c_hold)
        self.assertIn("Thiếu thông tin khách hàng", order.o2c_hold_reason)


@tagged("post_install", "-at_install")
class TestChannelCompany(O2cCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.setup_other_company(name="Công ty B")["company"]
        cls.warehouse_b = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company_b.id)], limit=1
        )

    def test_channel_refuses_another_companys_warehouse(self):
        with self.assertRaisesRegex(UserError, "belongs to another company"):
            self.env["o2c.channel"].create(
                {
                    "name": "Lazada",
                    "code": "t-lazada",
                    "company_id": self.company.id,
                    "warehouse_id": self.warehouse_b.id,
                }
            )

    def test_order_refuses_another_companys_channel(self):
        channel_b = self.env["o2c.channel"].create(
            {"name": "Tiki B", "code": "t-tiki", "company_id": self.company_b.id}
        )
        with self.assertRaisesRegex(UserError, "belongs to another company"):
            self._order(channel=channel_b)

    def test_user_of_a_does_not_see_channels_of_b(self):
        self.env["o2c.channel"].create(
            {"name": "Tiki B", "code": "t-tiki", "company_id": self.company_b.id}
        )
        user_a = new_test_user(
            self.env,
            login="o2c_channel_a",
            groups="sales_team.group_sale_salesman",
            company_id=self.company.id,
            company_ids=self.company.ids,
        )
        codes = self.env["o2c.channel"].with_user(user_a).search([]).mapped("code")
        self.assertIn("t-shopee", codes)
        self.assertNotIn("t-tiki", codes)

    def test_rule_of_a_company_refuses_channels_of_another(self):
        channel_b = self.env["o2c.channel"].create(
            {"name": "Tiki B", "code": "t-tiki", "company_id": self.company_b.id}
        )
        rule = self.checks["payment_method"]
        rule.company_id = self.company
        with self.assertRaisesRegex(ValidationError, "Tiki B"):
            rule.channel_ids = channel_b
        # A rule shared by all companies may watch any company's channel.
        rule.company_id = False
        rule.channel_ids = channel_b
        self.assertEqual(rule.channel_ids, channel_b)
