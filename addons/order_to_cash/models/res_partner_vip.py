from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    o2c_vip = fields.Boolean(
        string="VIP Customer",
        help="Orders of VIP customers are released to the warehouse before other orders "
        "promised for the same day.",
    )
