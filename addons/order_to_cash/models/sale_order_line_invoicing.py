from odoo import api, models


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    @api.depends("order_id.o2c_channel_id")
    def _compute_qty_to_invoice(self):
        """EXTEND 'sale': a channel invoicing at order or at delivery decides which
        quantity is invoiced, as a product's invoicing policy does in Odoo: the
        ordered one at order, the delivered one at delivery (for lines delivered
        by stock moves; services keep their product's policy). Manual and periodic
        channels keep the products' policies. Like Odoo for the product's policy,
        a later change of the channel's policy does not rewrite confirmed orders
        until their quantities move."""
        res = super()._compute_qty_to_invoice()
        for line in self:
            if (
                line.state != "sale"
                or line.display_type
                or line.product_id.type == "combo"
                or line.combo_item_id
            ):
                continue
            policy = line.order_id.o2c_channel_id.invoicing_policy
            if policy == "at_order":
                line.qty_to_invoice = line.product_uom_qty - line.qty_invoiced
            elif policy == "at_delivery" and line.qty_delivered_method == "stock_move":
                line.qty_to_invoice = line.qty_delivered - line.qty_invoiced
        return res
