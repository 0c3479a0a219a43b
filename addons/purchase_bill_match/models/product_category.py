from odoo import models


class ProductCategory(models.Model):
    _name = "product.category"
    _inherit = ["product.category", "purchase.bill.match.tolerance.mixin"]
