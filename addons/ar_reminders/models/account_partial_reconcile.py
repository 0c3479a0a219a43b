from odoo import api, models


class AccountPartialReconcile(models.Model):
    _inherit = "account.partial.reconcile"

    @api.model_create_multi
    def create(self, vals_list):
        partials = super().create(vals_list)
        lines = partials.debit_move_id | partials.credit_move_id
        by_company = {}
        for line in lines:
            by_company.setdefault(line.company_id, self.env["res.partner"])
            by_company[line.company_id] |= line.partner_id.commercial_partner_id
        for company, partners in by_company.items():
            held = partners.with_company(company).filtered(
                lambda p: p.ar_credit_hold or p.ar_shipments_stopped
            )
            if held:
                held._ar_release_credit_hold()
        return partials
