from odoo import models

from ..tools import mst


class ResPartner(models.Model):
    _inherit = "res.partner"

    def check_vat_vn(self, vat):
        """base_vat checks the format only; add the MST check digit."""
        return super().check_vat_vn(vat) and mst.is_valid(vat)
