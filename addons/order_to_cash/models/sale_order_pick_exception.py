from odoo import api, fields, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    o2c_pick_exception = fields.Boolean(
        string="Pick Exception",
        compute="_compute_o2c_pick_exception",
        store=True,
        index="btree_not_null",
        help="A delivery was shipped short: the rest waits in a backorder. Cleared when "
        "the backorder is shipped or cancelled.",
    )
    o2c_pick_exception_reason = fields.Text(
        string="Pick Exception Reason", compute="_compute_o2c_pick_exception", store=True
    )

    @api.depends(
        "picking_ids.state",
        "picking_ids.backorder_id",
        "picking_ids.move_ids.product_uom_qty",
        "picking_ids.move_ids.state",
    )
    def _compute_o2c_pick_exception(self):
        for order in self:
            open_backorders = order.picking_ids.filtered(
                lambda p: (
                    p.backorder_id
                    and p.state not in ("done", "cancel")
                    and p.location_id.usage != "customer"
                )
            )
            order.o2c_pick_exception = bool(open_backorders)
            order.o2c_pick_exception_reason = (
                "\n".join(b._o2c_short_pick_reason() for b in open_backorders) or False
            )
