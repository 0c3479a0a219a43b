from odoo import api, models


class AccountPartialReconcile(models.Model):
    _inherit = "account.partial.reconcile"

    @api.model_create_multi
    def create(self, vals_list):
        partials = super().create(vals_list)
        lines = partials.debit_move_id | partials.credit_move_id
        partners = lines.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        ).partner_id.commercial_partner_id
        if partners:
            # A payment lowers the exposure: re-verify the customer's holds, with the
            # receivable recomputed (it is not stored and may be cached from before).
            self.env["res.partner"].invalidate_model(["credit", "debit"])
            self.env["sale.order"]._o2c_recheck_held([("partner_id", "child_of", partners.ids)])
        return partials
