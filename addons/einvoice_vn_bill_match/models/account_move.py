from odoo import models

EINVOICE_CHECK_FAILED = "einvoice_check_failed"


class AccountMove(models.Model):
    _inherit = "account.move"

    def _bill_match_reason_labels(self):
        labels = super()._bill_match_reason_labels()
        labels[EINVOICE_CHECK_FAILED] = self.env._("Supplier e-invoice check failed")
        return labels

    def _bill_match_extra_holds(self):
        """A bill read from a supplier e-invoice whose checks failed (signature, certificate,
        buyer tax id, amounts, seller status, ...) is not paid until the checks pass or the
        AP manager approves it."""
        holds = super()._bill_match_extra_holds()
        inbound = self.sudo().einvoice_vn_inbound_id
        failed = inbound.check_ids.filtered(lambda c: c.result == "fail")
        if failed:
            holds.append(
                (
                    EINVOICE_CHECK_FAILED,
                    self.env._(
                        "Supplier e-invoice %(invoice)s failed: %(checks)s",
                        invoice=inbound.display_name,
                        checks="; ".join(failed.mapped("message")),
                    ),
                )
            )
        return holds
