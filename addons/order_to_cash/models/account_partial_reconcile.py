from odoo import api, models


class AccountPartialReconcile(models.Model):
    _inherit = "account.partial.reconcile"

    @api.model_create_multi
    def create(self, vals_list):
        partials = super().create(vals_list)
        lines = (partials.debit_move_id | partials.credit_move_id).filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        )
        if lines:
            # A payment lowers the exposure: the recheck job re-verifies the customer's
            # held quotations in the company of the payment.
            self.env["sale.order"]._o2c_recheck_held(
                [("partner_id", "child_of", lines.partner_id.commercial_partner_id.ids)],
                lines.company_id,
            )
        return partials
