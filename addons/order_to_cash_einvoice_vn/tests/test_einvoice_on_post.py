from odoo import SUPERUSER_ID, Command
from odoo.tests import tagged

from odoo.addons.einvoice_vn.tests.common import EinvoiceCommon


@tagged("post_install", "-at_install")
class TestEinvoiceOnPost(EinvoiceCommon):
    """Invoices the Order to Cash job posts for a channel issuing e-invoices are
    queued, not sent inline; einvoice_vn's own job sends each one once."""

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
        cls.env["o2c.check"].with_context(active_test=False).search([]).active = False
        cls.product_a.write({"taxes_id": [Command.set(cls.tax_10.ids)], "list_price": 150000})
        cls.channel = cls.env["o2c.channel"].create(
            {
                "name": "Website",
                "code": "t-web-einvoice",
                "channel_type": "website",
                "invoicing_policy": "at_order",
                "auto_post": True,
                "einvoice_on_post": True,
            }
        )

    def _run_invoicing_job(self):
        self.env.flush_all()
        context = {
            key: value
            for key, value in self.env.context.items()
            if key not in ("lang", "allowed_company_ids")
        }
        with self.enter_registry_test_mode(), self.registry.cursor() as cr:
            self.env(cr=cr, user=SUPERUSER_ID, context=context)[
                "sale.order"
            ]._cron_o2c_create_invoices()
        self.env.invalidate_all()

    def test_posted_invoice_is_queued_and_sent_once(self):
        order = self.env["sale.order"].create(
            {
                "partner_id": self.buyer.id,
                "o2c_channel_id": self.channel.id,
                "order_line": [Command.create({"product_id": self.product_a.id})],
            }
        )
        order.action_confirm()
        self._run_invoicing_job()
        invoice = order.invoice_ids
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(invoice.einvoice_vn_state, "to_send", "queued")
        self.assertFalse(self.provider.state.creations, "nothing sent by the invoicing job")

        self._run_send_cron()
        self._run_invoicing_job()
        self._run_send_cron()
        document = invoice.einvoice_vn_document_ids
        self.assertEqual(len(document), 1)
        self.assertEqual(document.state, "accepted")
        self.assertEqual(self.provider.state.creations, {document.transaction_uuid: 1})

    def test_channel_without_einvoices_leaves_them_alone(self):
        self.channel.einvoice_on_post = False
        order = self.env["sale.order"].create(
            {
                "partner_id": self.buyer.id,
                "o2c_channel_id": self.channel.id,
                "order_line": [Command.create({"product_id": self.product_a.id})],
            }
        )
        order.action_confirm()
        self._run_invoicing_job()
        self.assertEqual(order.invoice_ids.state, "posted")
        self.assertFalse(order.invoice_ids.einvoice_vn_document_ids)
