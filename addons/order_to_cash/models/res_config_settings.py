from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    o2c_verify_manual_orders = fields.Boolean(
        related="company_id.o2c_verify_manual_orders", readonly=False
    )
