from odoo import models


class AccountMove(models.Model):
    _inherit = "account.move"

    def _o2c_after_auto_post(self):
        """EXTEND 'order_to_cash': queue the e-invoices of the invoices just posted
        by the invoicing job, for channels issuing them. Only queued here, in the
        posting's savepoint: einvoice_vn's sending job issues each one once."""
        res = super()._o2c_after_auto_post()
        to_issue = self.filtered(
            lambda m: m.o2c_channel_id.einvoice_on_post and m.einvoice_vn_needed
        )
        if to_issue:
            to_issue._einvoice_vn_documents().action_queue()
        return res
