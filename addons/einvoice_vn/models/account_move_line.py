from odoo import fields, models


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    einvoice_vn_supplier_code = fields.Char(
        string="Supplier's Product Code", copy=False, help="MHHDVu of the supplier's e-invoice."
    )
    einvoice_vn_supplier_name = fields.Char(
        string="Supplier's Product Name",
        copy=False,
        help="THHDVu of the supplier's e-invoice; posting the bill remembers its product.",
    )
