from odoo import api, models

from .account_move import TRUSTED


class AccountPartialReconcile(models.Model):
    _inherit = "account.partial.reconcile"

    # Every reconciliation ends here, also one created or edited directly over the API
    # without the reconciliation plan: a held bill is only reconciled with its own
    # reversals. Plans already checked (and the exchange difference or cash basis entries
    # Odoo adds to them) carry the marker.

    def _bill_match_check(self):
        if self.env.context.get("bill_match_reconcile") is TRUSTED:
            return
        for partial in self:
            moves = partial.debit_move_id.move_id | partial.credit_move_id.move_id
            moves._bill_match_check_reconcile()

    @api.model_create_multi
    def create(self, vals_list):
        partials = super().create(vals_list)
        partials._bill_match_check()
        return partials

    def write(self, vals):
        result = super().write(vals)
        if {"debit_move_id", "credit_move_id"} & set(vals):
            self._bill_match_check()
        return result
