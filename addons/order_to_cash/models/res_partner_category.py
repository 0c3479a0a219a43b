from odoo import api, models


class ResPartnerCategory(models.Model):
    _inherit = "res.partner.category"

    @api.model_create_multi
    def create(self, vals_list):
        tags = super().create(vals_list)
        tags.partner_ids._o2c_queue_sla_rematch()
        return tags

    def write(self, vals):
        """EXTEND base: customers tagged or untagged from the tag's side may match
        another SLA profile; the SLA job re-matches their open orders."""
        before = self.partner_ids if "partner_ids" in vals else None
        result = super().write(vals)
        if before is not None:
            (before | self.partner_ids)._o2c_queue_sla_rematch()
        return result
