from odoo import models


class AccountPayment(models.Model):
    _inherit = "account.payment"

    def action_post(self):
        # A payment linked to bills (invoice_ids) marks them "in payment" even
        # without a journal entry to reconcile: refuse it for held bills.
        self.invoice_ids._bill_match_check_payable()
        return super().action_post()
