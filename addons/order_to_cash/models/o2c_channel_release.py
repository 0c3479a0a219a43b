from odoo import fields, models


class O2cChannel(models.Model):
    _inherit = "o2c.channel"

    release_priority = fields.Integer(
        default=0,
        help="Orders of channels with a higher release priority go to the warehouse first "
        "(e.g. a marketplace with a 24-hour shipping SLA above the website).",
    )
