from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    ar_disputed = fields.Boolean(
        string="Disputed", tracking=True, help="Disputed invoices get no reminders."
    )
    ar_dispute_reason = fields.Char(string="Dispute Reason")

    # Odoo does not index the commercial partner of a move. The reminders, the statement
    # and the credit hold release read a customer's open invoices by it: index just those.
    _ar_open_receivable_idx = models.Index(
        "(commercial_partner_id) WHERE move_type IN ('out_invoice', 'out_refund') "
        "AND state = 'posted' AND payment_state IN ('not_paid', 'partial')"
    )
