from odoo import fields, models


class O2cChannel(models.Model):
    _inherit = "o2c.channel"

    einvoice_on_post = fields.Boolean(
        string="Issue E-invoices",
        tracking=True,
        help="Queue the invoices the channel posts automatically for Vietnamese "
        "e-invoicing; the e-invoice job signs and sends them.",
    )
