from odoo import models


class EinvoiceVnInbound(models.Model):
    _inherit = "einvoice.vn.inbound"

    def action_recheck(self):
        """Checks run again (e.g. the seller became active): match the posted bills again so
        their payment hold follows the new results."""
        result = super().action_recheck()
        self.move_id.filtered(lambda m: m.state == "posted")._bill_match_evaluate(manual=True)
        return result
