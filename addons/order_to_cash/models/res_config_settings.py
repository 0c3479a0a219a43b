from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    o2c_verify_manual_orders = fields.Boolean(
        related="company_id.o2c_verify_manual_orders", readonly=False
    )

    o2c_wave_max_orders = fields.Integer(related="company_id.o2c_wave_max_orders", readonly=False)
    o2c_wave_max_lines = fields.Integer(related="company_id.o2c_wave_max_lines", readonly=False)
    o2c_release_max_waves = fields.Integer(
        related="company_id.o2c_release_max_waves", readonly=False
    )
