import base64

from odoo import fields, models
from odoo.exceptions import UserError


class O2cCodImportWizard(models.TransientModel):
    _name = "o2c.cod.import.wizard"
    _description = "Import a COD remittance statement"

    carrier_account_id = fields.Many2one(
        "o2c.carrier.account",
        required=True,
        domain="[('company_id', 'in', allowed_company_ids)]",
    )
    file = fields.Binary(required=True)
    file_name = fields.Char()

    def action_import(self):
        self.ensure_one()
        data = base64.b64decode(self.file or b"")
        if not data:
            raise UserError(self.env._("Choose the statement file (CSV or XLSX) to import."))
        statement, created = self.env["o2c.cod.statement"]._o2c_import(
            self.carrier_account_id, self.file_name or "statement", data
        )
        if not created:
            statement.message_post(
                body=self.env._(
                    "The same statement was imported again from %(file)s: nothing changed.",
                    file=self.file_name,
                )
            )
        return {
            "type": "ir.actions.act_window",
            "res_model": "o2c.cod.statement",
            "res_id": statement.id,
            "view_mode": "form",
            "target": "current",
        }
