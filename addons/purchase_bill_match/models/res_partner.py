from odoo import models

# The mixin must be defined before the models inheriting it.
from . import purchase_bill_match_tolerance_mixin  # noqa: F401


class ResPartner(models.Model):
    _name = "res.partner"
    _inherit = ["res.partner", "purchase.bill.match.tolerance.mixin"]
