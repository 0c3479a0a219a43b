from odoo import models

RECHECK_FIELDS = {
    "name",
    "phone",
    "street",
    "city",
    "state_id",
    "country_id",
    "vat",
    "is_company",
    "credit_limit",
    "use_partner_credit_limit",
    "trust",
}


class ResPartner(models.Model):
    _inherit = "res.partner"

    def write(self, vals):
        result = super().write(vals)
        if RECHECK_FIELDS.intersection(vals):
            # Completed customer data or a new limit may release held quotations.
            self.env["sale.order"]._o2c_recheck_held(
                [("partner_id", "child_of", self.commercial_partner_id.ids)], held_only=False
            )
        return result
