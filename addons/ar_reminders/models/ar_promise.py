from odoo import api, fields, models


class ArPromise(models.Model):
    """A customer's promise to pay: reminders pause until its date; a broken promise
    escalates at once."""

    _name = "ar.promise"
    _description = "Promise to Pay"
    _inherit = ["mail.thread"]
    _order = "date desc, id desc"

    partner_id = fields.Many2one(
        "res.partner", required=True, index=True, domain="[('parent_id', '=', False)]"
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    date = fields.Date(string="Promised Date", required=True, tracking=True)
    amount = fields.Monetary(string="Promised Amount", required=True, tracking=True)
    residual_at_promise = fields.Monetary(readonly=True)
    user_id = fields.Many2one("res.users", string="Collector", default=lambda self: self.env.user)
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
        """The open promise of each customer (the latest one), in one query."""
        result = {}
        promises = self.search(
            [
                ("partner_id", "in", partners.commercial_partner_id.ids),
                ("state", "=", "open"),
                ("date", ">=", today),
            ]
        )
        for promise in promises:
            result.setdefault(promise.partner_id.id, promise)
        return result

    @api.model
    def _cron_check_promises(self):
        """Close promises: kept when paid; broken when the date passed unpaid, and then
        the customer's reminders run at once."""
        today = fields.Date.context_today(self)
        for promise in self.search([("state", "=", "open")]):
            if promise._is_kept():
                promise.state = "kept"
            elif promise.date < today:
                promise._break(today)
        return True

    def _break(self, today):
        Reminder = self.env["ar.reminder"]
        for promise in self:
            promise.state = "broken"
            promise.message_post(
                body=self.env._(
                    "Promise broken: %(partner)s did not pay by %(date)s.",
                    partner=promise.partner_id.name,
                    date=promise.date,
                ),
                subtype_xmlid="mail.mt_note",
            )
            promise.partner_id.activity_schedule(
                "mail.mail_activity_data_call",
                summary=self.env._("Promise to pay broken"),
                user_id=promise.user_id.id or self.env.user.id,
            )
            Reminder._record_partners(promise.partner_id, today)._send()
