from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    ar_disputed = fields.Boolean(
        string="Disputed", tracking=True, help="Disputed invoices get no reminders."
    )
    ar_dispute_reason = fields.Char(string="Dispute Reason")
