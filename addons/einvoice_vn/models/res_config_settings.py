from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    einvoice_vn_status_url = fields.Char(
        related="company_id.einvoice_vn_status_url", readonly=False
    )
    einvoice_vn_status_token = fields.Char(
        related="company_id.einvoice_vn_status_token", readonly=False
    )
    einvoice_vn_authority_tax_ids = fields.Char(
        related="company_id.einvoice_vn_authority_tax_ids", readonly=False
    )
    einvoice_vn_trusted_ca = fields.Text(
        related="company_id.einvoice_vn_trusted_ca", readonly=False
    )
    einvoice_vn_status_cache_hours = fields.Integer(
        related="company_id.einvoice_vn_status_cache_hours", readonly=False
    )
