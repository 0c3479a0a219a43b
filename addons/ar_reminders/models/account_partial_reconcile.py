from odoo import api, models


class AccountPartialReconcile(models.Model):
    _inherit = "account.partial.reconcile"

    @api.model_create_multi
    def create(self, vals_list):
        partials = super().create(vals_list)
        lines = partials.debit_move_id | partials.credit_move_id
        for company in lines.company_id:
            partners = (
                lines.filtered(lambda line: line.company_id == company)
                .partner_id.commercial_partner_id.with_company(company)
                .filtered(lambda p: p.ar_credit_hold or p.ar_shipments_stopped)
            )
            if partners:
                partners._ar_release_credit_hold()
        return partials
