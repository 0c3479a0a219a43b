from odoo import Command

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


class O2cCommon(AccountTestInvoicingCommon):
    """Builds its own data: a Vietnamese customer, stored products with
    stock, channels and the module's verification rules."""

    @classmethod
    def get_default_groups(cls):
        return (
            super().get_default_groups()
            | cls.env.ref("sales_team.group_sale_manager")
            | cls.env.ref("stock.group_stock_user")
            | cls.env.ref("order_to_cash.group_o2c_manager")
        )

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(
            context=dict(
                cls.env.context,
                tracking_disable=True,
                mail_create_nolog=True,
                mail_notrack=True,
                no_reset_password=True,
            )
        )
        cls.company = cls.env.company
        # These tests verify back-office orders too (off by default, see TestCoreFlows).
        cls.company.o2c_verify_manual_orders = True
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], limit=1
        )
        cls.vn = cls.env.ref("base.vn")
        cls.hanoi = cls.env.ref("base.state_vn_VN-HN")
        cls.hcm = cls.env.ref("base.state_vn_VN-SG")
        cls.cod = cls.env.ref("order_to_cash.payment_method_cod")
        cls.bank = cls.env.ref("order_to_cash.payment_method_bank_transfer")
        cls.credit_method = cls.env.ref("order_to_cash.payment_method_credit")
        # The module's rules, whatever state an earlier user left them in.
        rules = (
            cls.env["o2c.check"]
            .with_context(active_test=False)
            .search([("company_id", "in", [cls.company.id, False])])
        )
        rules.write({"active": True, "channel_ids": [Command.clear()]})
        cls.checks = {check.rule: check for check in rules}
        cls.product_fish_sauce = cls._create_product(
            name="Fish sauce 500ml",
            default_code="T-NM500",
            barcode="8930000999017",
            is_storable=True,
            lst_price=85000.0,
            standard_price=52000.0,
            taxes_id=[Command.clear()],
        )
        cls.product_coffee = cls._create_product(
            name="Ground coffee 250g",
            default_code="T-CF250",
            is_storable=True,
            lst_price=120000.0,
            standard_price=70000.0,
            taxes_id=[Command.clear()],
        )
        cls.stock_location = cls.warehouse.lot_stock_id
        for product in (cls.product_fish_sauce, cls.product_coffee):
            cls.env["stock.quant"]._update_available_quantity(product, cls.stock_location, 100.0)
        cls.channel_shopee = cls.env["o2c.channel"].create(
            {
                "name": "Shopee",
                "code": "t-shopee",
                "channel_type": "marketplace",
                "marketplace": "shopee",
                "warehouse_id": cls.warehouse.id,
                "payment_method_ids": [Command.set((cls.cod | cls.bank).ids)],
                "default_payment_method_id": cls.cod.id,
            }
        )
        cls.channel_phone = cls.env["o2c.channel"].create(
            {"name": "Phone", "code": "t-phone", "channel_type": "phone"}
        )
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Nguyễn Thị Lan",
                "phone": "+84 912 345 678",
                "street": "25 Lê Lợi",
                "city": "Phường Sài Gòn",
                "state_id": cls.hcm.id,
                "country_id": cls.vn.id,
            }
        )

    @classmethod
    def _payload(cls, ref="SP-1", **overrides):
        payload = {
            "channel": "t-shopee",
            "external_ref": ref,
            "payment_method": "cod",
            "customer": {
                "name": "Lê Văn Hùng",
                "phone": "+84 903 111 222",
                "street": "8 Nguyễn Huệ",
                "ward": "Phường Sài Gòn",
                "province": "VN-SG",
                "country": "VN",
            },
            "lines": [{"default_code": "T-NM500", "qty": 2}],
        }
        payload.update(overrides)
        return payload

    @classmethod
    def _order(cls, partner=None, lines=None, channel=None, method=None):
        """A quotation made in the back office."""
        lines = lines or [(cls.product_fish_sauce, 1.0)]
        return cls.env["sale.order"].create(
            {
                "partner_id": (partner or cls.customer).id,
                "o2c_channel_id": channel.id if channel else False,
                "o2c_payment_method_id": method.id if method else False,
                "order_line": [
                    Command.create({"product_id": product.id, "product_uom_qty": qty})
                    for product, qty in lines
                ],
            }
        )

    def _run_recheck_job(self):
        """Run the recheck job as the scheduler would, on a cursor of its own."""
        self.env.flush_all()
        # A scheduled job runs without a language in its context.
        context = {key: value for key, value in self.env.context.items() if key != "lang"}
        with self.enter_registry_test_mode(), self.registry.cursor() as cr:
            # Outside a cron run, _commit_progress commits the test cursor.
            self.env(cr=cr, context=context)["sale.order"]._cron_o2c_recheck()
        self.env.invalidate_all()

    def _result(self, order, rule):
        return order.o2c_check_result_ids.filtered(lambda r: r.rule == rule)

    @classmethod
    def _only_rules(cls, *rules):
        """Keep only the given verification rules active."""
        for rule, check in cls.checks.items():
            check.active = rule in rules
