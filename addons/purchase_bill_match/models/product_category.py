from odoo import models

# The mixin must be defined before the models inheriting it.
from . import purchase_bill_match_tolerance_mixin  # noqa: F401


class ProductCategory(models.Model):
    _name = "product.category"
    _inherit = ["product.category", "purchase.bill.match.tolerance.mixin"]
