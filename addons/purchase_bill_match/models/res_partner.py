from odoo import models


class ResPartner(models.Model):
    _name = "res.partner"
    _inherit = ["res.partner", "purchase.bill.match.tolerance.mixin"]
