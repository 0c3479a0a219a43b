from odoo import api, models


class AccountPartialReconcile(models.Model):
    _inherit = "account.partial.reconcile"

    @api.model_create_multi
    def create(self, vals_list):
        # Every reconciliation ends here, also one created directly over the API without
        # the reconciliation plan: a held bill is only reconciled with its own reversals.
        partials = super().create(vals_list)
        for partial in partials:
            moves = partial.debit_move_id.move_id | partial.credit_move_id.move_id
            moves._bill_match_check_reconcile()
        return partials
