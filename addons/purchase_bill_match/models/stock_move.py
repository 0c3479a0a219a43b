from odoo import models


class StockMove(models.Model):
    _inherit = "stock.move"

    def _action_done(self, cancel_backorder=False):
        moves = super()._action_done(cancel_backorder=cancel_backorder)
        po_lines = moves.purchase_line_id
        if po_lines:
            # One search for all bills of all received (or returned) order lines.
            returned = moves.filtered(lambda m: m._is_purchase_return())
            self.env["account.move"].sudo()._bill_match_reevaluate_po_lines(
                po_lines, returned=returned.purchase_line_id
            )
        return moves
