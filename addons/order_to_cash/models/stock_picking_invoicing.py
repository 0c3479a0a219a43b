from odoo import models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def _action_done(self):
        """EXTEND 'stock': a delivery done for an order of a channel invoicing at
        delivery marks the order for the invoicing job, in this same transaction;
        the invoice itself is made by the job, never inside the validation."""
        res = super()._action_done()
        orders = (
            self.filtered(lambda p: p.state == "done" and p.location_dest_id.usage == "customer")
            .sale_id.filtered(
                lambda o: (
                    o.o2c_channel_id.invoicing_policy == "at_delivery" and not o.o2c_invoice_due
                )
            )
            .sudo()
        )
        if orders:
            orders.o2c_invoice_due = True
            self.env.ref("order_to_cash.ir_cron_o2c_create_invoices").sudo()._trigger()
        return res
