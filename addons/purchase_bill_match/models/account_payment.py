from odoo import api, models

PAID_STATES = ("in_process", "paid")


class AccountPayment(models.Model):
    _inherit = "account.payment"

    # A payment linked to bills (invoice_ids) marks them "in payment" or paid once it is
    # in process, even without a journal entry to reconcile: refuse it for held bills,
    # whatever the way in (posting, validating, creating or writing it over the API).

    @api.model_create_multi
    def create(self, vals_list):
        payments = super().create(vals_list)
        payments.filtered(lambda p: p.state in PAID_STATES).invoice_ids._bill_match_check_payable()
        return payments

    def write(self, vals):
        result = super().write(vals)
        if {"state", "invoice_ids"} & set(vals):
            paying = self.filtered(lambda p: p.state in PAID_STATES)
            paying.invoice_ids._bill_match_check_payable()
        return result

    def action_post(self):
        self.invoice_ids._bill_match_check_payable()
        return super().action_post()
