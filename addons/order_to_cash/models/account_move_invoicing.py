import logging

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain

_logger = logging.getLogger(__name__)

POST_BATCH_SIZE = 100


class AccountMove(models.Model):
    _inherit = "account.move"

    o2c_auto_invoice = fields.Boolean(
        string="Automatic Invoice",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="Created by the Order to Cash invoicing job following its channel's policy.",
    )
    o2c_channel_id = fields.Many2one(
        "o2c.channel",
        string="Sales Channel",
        readonly=True,
        copy=False,
        index="btree_not_null",
        check_company=True,
    )

    @api.model
    def _o2c_to_post_domain(self):
        """Automatic invoices left in draft although their channel posts them: a
        run created them and could not post them (or stopped in between)."""
        return Domain(
            [
                ("o2c_auto_invoice", "=", True),
                ("state", "=", "draft"),
                ("o2c_channel_id.auto_post", "=", True),
            ]
        )

    @api.model
    def _o2c_post_pending(self):
        """Post the automatic drafts an earlier run left, in batches of locked rows,
        rather than invoice their orders again."""
        Cron = self.env["ir.cron"]
        domain = self._o2c_to_post_domain()
        last_id = 0
        while True:
            found = self.search(
                domain & Domain("id", ">", last_id), order="id", limit=POST_BATCH_SIZE
            )
            if not found:
                return True
            last_id = found[-1].id
            found.try_lock_for_update(allow_referencing=True)._o2c_post_auto_invoices()
            if not Cron._commit_progress(len(found)):
                return False

    def _o2c_post_auto_invoices(self):
        """Post each invoice in its own company and savepoint; one that cannot be
        posted stays in draft, and its orders say why (once)."""
        posted = self.browse()
        for move in self.filtered(lambda m: m.state == "draft"):
            move = move.with_company(move.company_id)  # noqa: PLW2901
            try:
                with self.env.cr.savepoint():
                    move.action_post()
                    move._o2c_after_auto_post()
            except Exception as error:  # one invoice must not stop the others
                # A business refusal (lock date, archived journal...) is no crash.
                log = _logger.warning if isinstance(error, UserError) else _logger.exception
                log("Order to Cash: posting %s failed: %s", move.display_name, error)
                move.line_ids.sale_line_ids.order_id._o2c_note_invoice_error(error)
                continue
            orders = move.line_ids.sale_line_ids.order_id
            orders.filtered("o2c_invoice_error").o2c_invoice_error = False
            posted |= move
        return posted

    def _o2c_after_auto_post(self):
        """Hook: these automatic invoices were just posted by the invoicing job, in
        the savepoint of their posting (a failure here leaves them in draft, to be
        posted again by the next run). Bridges queue follow-up work here."""
        return True
