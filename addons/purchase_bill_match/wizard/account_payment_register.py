from odoo import models


class AccountPaymentRegister(models.TransientModel):
    _inherit = "account.payment.register"

    def _create_payments(self):
        # Checked before anything is created: the wizard may be created over
        # RPC without passing through account.move.action_register_payment,
        # and journals without an outstanding account reconcile nothing.
        self.line_ids.move_id._bill_match_check_payable()
        return super()._create_payments()
