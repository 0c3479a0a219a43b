from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    bill_match_enabled = fields.Boolean(related="company_id.bill_match_enabled", readonly=False)
    bill_match_price_percent = fields.Float(
        related="company_id.bill_match_price_percent", readonly=False
    )
    bill_match_price_amount = fields.Float(
        related="company_id.bill_match_price_amount", readonly=False
    )
    bill_match_qty_percent = fields.Float(
        related="company_id.bill_match_qty_percent", readonly=False
    )
    bill_match_qty_amount = fields.Float(related="company_id.bill_match_qty_amount", readonly=False)
