import logging

from odoo import api, fields, models
from odoo.tools import format_date

_logger = logging.getLogger(__name__)


class ArPromise(models.Model):
    """A customer's promise to pay: reminders pause until its date; a broken promise
    escalates at once."""

    _name = "ar.promise"
    _description = "Promise to Pay"
    _inherit = ["mail.thread"]
    _order = "date desc, id desc"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner",
        required=True,
        index=True,
        check_company=True,
        domain="[('parent_id', '=', False)]",
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    date = fields.Date(string="Promised Date", required=True, tracking=True)
    amount = fields.Monetary(string="Promised Amount", required=True, tracking=True)
    residual_at_promise = fields.Monetary(readonly=True)
    user_id = fields.Many2one(
        "res.users", string="Collector", check_company=True, default=lambda self: self.env.user
    )
    note = fields.Text()
    state = fields.Selection(
        [("open", "Open"), ("kept", "Kept"), ("broken", "Broken")],
        default="open",
        required=True,
        tracking=True,
        index=True,
    )

    @api.model_create_multi
    def create(self, vals_list):
        promises = super().create(vals_list)
        for promise in promises:
            promise.residual_at_promise = promise._residual()
        return promises

    def _residual(self):
        self.ensure_one()
        moves = self.env["account.move"].search(
            [
                ("commercial_partner_id", "=", self.partner_id.commercial_partner_id.id),
                ("company_id", "=", self.company_id.id),
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
            ]
        )
        return sum(moves.mapped("amount_residual_signed"))

    def _is_kept(self):
        self.ensure_one()
        paid = self.residual_at_promise - self._residual()
        return self.currency_id.compare_amounts(paid, self.amount) >= 0

    @api.model
    def _active_by_partner(self, partners, today):
        """The open promise of each customer in each company (the latest one), in one query:
        {(customer id, company id): promise}. A promise made to one company pauses the
        reminders of that company only."""
        result = {}
        promises = self.search(
            [
                ("partner_id", "in", partners.commercial_partner_id.ids),
                ("state", "=", "open"),
                ("date", ">=", today),
            ]
        )
        for promise in promises:
            result.setdefault((promise.partner_id.id, promise.company_id.id), promise)
        return result

    @api.model
    def _cron_check_promises(self):
        """Close promises: kept when paid; broken when the date passed unpaid, and then
        the customer's reminders in that company run at once. Each promise is closed and its
        reminders recorded in one commit, before anything is sent; the reminders are then
        sent one at a time, each committed (see ``ar.reminder._send_each``)."""
        Cron = self.env["ir.cron"]
        today = fields.Date.context_today(self)
        promises = self.search([("state", "=", "open")])
        Cron._commit_progress(remaining=len(promises))
        for promise in promises:
            reminders = promise._check_one(today)
            # Out of time: stop here. Reminders recorded and not sent yet are sent by the
            # reminder job (it sends what is queued).
            if not Cron._commit_progress(1):
                return True
            reminders._send_each()
        return True

    def _check_one(self, today):
        """Close this promise if kept or broken, in its own savepoint: an error is logged
        and leaves this promise open for the next run; the others go on. Return the
        reminders recorded (not sent)."""
        self.ensure_one()
        reminders = self.env["ar.reminder"]
        # Another worker on the same promise: skip it rather than wait or close it twice.
        if not self.try_lock_for_update():
            return reminders
        self.invalidate_recordset(["state"])
        if self.state != "open":
            return reminders
        try:
            with self.env.cr.savepoint():
                if self._is_kept():
                    self.state = "kept"
                elif self.date < today:
                    reminders = self._break(today)
        except Exception:
            _logger.warning("Promise to pay %s could not be checked", self.id, exc_info=True)
            self.env.invalidate_all()
            return self.env["ar.reminder"]
        return reminders

    def _break(self, today):
        """Mark broken, tell the collector, and record (not send) the reminders now due in
        the promise's company; return them."""
        reminders = self.env["ar.reminder"]
        for promise in self:
            promise.state = "broken"
            partner = promise.partner_id
            env = partner._ar_lang_env()
            promise.message_post(
                body=env._(
                    "Promise broken: %(partner)s did not pay by %(date)s.",
                    partner=partner.name,
                    date=format_date(env, promise.date),
                ),
                subtype_xmlid="mail.mt_note",
            )
            collector = promise.user_id or self.env.user
            partner.activity_schedule(
                "mail.mail_activity_data_call",
                summary=self.with_context(lang=collector.lang).env._("Promise to pay broken"),
                user_id=collector.id,
            )
            reminders |= self.env["ar.reminder"]._record_partners(
                partner, today, companies=promise.company_id
            )
        return reminders
