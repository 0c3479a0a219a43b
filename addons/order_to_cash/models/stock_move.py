from odoo import models


class StockMove(models.Model):
    _inherit = "stock.move"

    def _action_done(self, cancel_backorder=False):
        moves = super()._action_done(cancel_backorder=cancel_backorder)
        arrived = moves.filtered(
            lambda m: (
                m.state == "done"
                and m.product_id.is_storable
                and m.location_dest_id.usage == "internal"
                and m.location_id.usage != "internal"
            )
        )
        if arrived:
            # Stock arrived: quotations of this company held for these products may pass
            # now; the recheck job verifies them again.
            self.env["sale.order"]._o2c_recheck_held(
                [("order_line.product_id", "in", arrived.product_id.ids)], arrived.company_id
            )
        return moves
