from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    o2c_verify_manual_orders = fields.Boolean(
        string="Verify Manual Orders",
        help="Apply the verification rules to quotations typed in the backend without a "
        "sales channel too. Off by default: installing Order to Cash then changes nothing "
        "for orders that do not come through a channel.",
    )
