import datetime

import psycopg2

from odoo import api, fields, models
from odoo.tools import format_amount

from ..tools import levels as level_rules
from ..tools import sms

BATCH_PARTNERS = 50
STALE_HOURS = 1


class ArReminder(models.Model):
    """One reminder: a customer, a level, a day, the invoices it is about.

    The row (and one line per invoice and level, unique) is written and committed before
    anything is sent: a second cron worker, or a run after a crash, finds the level already
    recorded and never sends it again.
    """

    _name = "ar.reminder"
    _description = "Receivable Reminder"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date desc, id desc"

    partner_id = fields.Many2one("res.partner", required=True, index=True, readonly=True)
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    level_id = fields.Many2one("ar.reminder.level", required=True, readonly=True)
    date = fields.Date(required=True, index=True, readonly=True)
    line_ids = fields.One2many("ar.reminder.line", "reminder_id", readonly=True)
    move_ids = fields.Many2many("account.move", compute="_compute_move_ids", string="Invoices")
    amount_due = fields.Monetary(readonly=True, currency_field="currency_id")
    currency_id = fields.Many2one(related="company_id.currency_id")
    state = fields.Selection(
        [("queued", "Queued"), ("sent", "Sent"), ("partial", "Partly Sent"), ("failed", "Failed")],
        default="queued",
        required=True,
        index=True,
        readonly=True,
    )
    email_state = fields.Selection(
        [("none", "-"), ("sent", "Queued in mail"), ("failed", "Failed")],
        default="none",
        readonly=True,
    )
    sms_state = fields.Selection(
        [("none", "-"), ("sent", "Sent"), ("failed", "Failed")], default="none", readonly=True
    )
    sms_sent = fields.Text(string="SMS Sent", readonly=True, help="Number and text of the SMS.")
    error = fields.Text(readonly=True)

    def _compute_move_ids(self):
        for reminder in self:
            reminder.move_ids = reminder.line_ids.move_id

    # ------------------------------------------------------------------
    # Cron
    # ------------------------------------------------------------------

    @api.model
    def _cron_send_reminders(self):
        """Find due reminders, record them, send them; batches of locked customers, no cap
        on the number of customers per run."""
        Cron = self.env["ir.cron"]
        today = fields.Date.context_today(self)
        partner_ids = self._candidate_partner_ids(today)
        Cron._commit_progress(remaining=len(partner_ids))
        Partner = self.env["res.partner"]
        for start in range(0, len(partner_ids), BATCH_PARTNERS):
            partners = Partner.browse(partner_ids[start : start + BATCH_PARTNERS])
            locked = partners.try_lock_for_update(allow_referencing=True)
            reminders = self._record_partners(locked, today)
            # Committed before sending: the record is the guard against sending twice.
            Cron._commit_progress()
            reminders._send()
            if not Cron._commit_progress(len(partners)):
                break
        # Reminders recorded by a run that crashed before sending them: only old ones, and
        # only those this worker can lock, so a run in progress is never doubled.
        stale = fields.Datetime.now() - datetime.timedelta(hours=STALE_HOURS)
        leftovers = self.search([("state", "=", "queued"), ("create_date", "<", stale)])
        leftovers.try_lock_for_update()._send()

    @api.model
    def _candidate_partner_ids(self, today):
        horizon = -min(self.env["ar.reminder.level"].search([]).mapped("offset_days") or [0])
        moves = self.env["account.move"].search(
            [
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("payment_state", "in", ("not_paid", "partial")),
                ("ar_disputed", "=", False),
                ("invoice_date_due", "<=", today + datetime.timedelta(days=max(horizon, 0))),
                ("commercial_partner_id.ar_no_reminder", "=", False),
            ]
        )
        return sorted(set(moves.mapped("commercial_partner_id").ids))

    def _open_invoices(self, partners):
        # One query per batch of customers (partial index on open customer invoices).
        return self.env["account.move"].search(
            [
                ("commercial_partner_id", "in", partners.ids),
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("payment_state", "in", ("not_paid", "partial")),
            ]
        )

    def _record_partners(self, partners, today):
        """Write the reminders due for these customers (not sent yet).

        Invoices, levels already sent, promises and policies are read once for the whole
        batch, and the reminders created together: the cost per customer does not depend on
        how many invoices the database holds.
        """
        partners = partners.commercial_partner_id
        invoices = self._open_invoices(partners)
        sent = self.env["ar.reminder.line"]._sent_levels(invoices)
        promises = self.env["ar.promise"]._active_by_partner(partners, today)
        grouped = {}
        for move in invoices:
            key = (move.commercial_partner_id, move.company_id)
            grouped.setdefault(key, []).append(move)
        policies = {}
        vals_list = []
        for (partner, company), moves in grouped.items():
            if company not in policies:
                policies[company] = self.env["ar.reminder.policy"].search(
                    [("company_id", "=", company.id)]
                )
            policy = self.env["ar.reminder.policy"]._for_partner(
                partner, company, policies[company]
            )
            if not policy or not policy.level_ids:
                continue
            rules = [level_rules.Level(lv.id, lv.offset_days) for lv in policy.level_ids]
            promise = promises.get(partner.id)
            due = {}
            for move in moves:
                pause = level_rules.paused(
                    today,
                    promise_date=promise.date if promise else None,
                    promise_broken=False,
                    disputed=move.ar_disputed,
                    opted_out=partner.ar_no_reminder,
                )
                if pause or not move.invoice_date_due:
                    continue
                level = level_rules.due_level(
                    rules, move.invoice_date_due, today, sent.get(move.id, ())
                )
                if level:
                    due.setdefault(level.id, []).append(move)
            for level_id, level_moves in due.items():
                vals_list.append(
                    {
                        "partner_id": partner.id,
                        "company_id": company.id,
                        "level_id": level_id,
                        "date": today,
                        "amount_due": sum(m.amount_residual_signed for m in level_moves),
                        "line_ids": [
                            (0, 0, {"move_id": move.id, "level_id": level_id})
                            for move in level_moves
                        ],
                    }
                )
        return self._record(vals_list)

    def _record(self, vals_list):
        """Create the reminders in one go; when another worker recorded some of these
        invoice levels first (unique index), create the others one by one."""
        if not vals_list:
            return self.browse()
        try:
            with self.env.cr.savepoint():
                reminders = self.create(vals_list)
                self.env.flush_all()
        except psycopg2.IntegrityError:
            self.env.invalidate_all()
            if len(vals_list) == 1:
                return self.browse()
            reminders = self.browse()
            for vals in vals_list:
                reminders |= self._record([vals])
        return reminders

    # ------------------------------------------------------------------
    # Channels
    # ------------------------------------------------------------------

    def _send(self):
        for reminder in self:
            level = reminder.level_id
            errors = []
            values = {}
            if level.send_email:
                values["email_state"] = reminder._send_email(errors)
            if level.send_sms:
                values["sms_state"] = reminder._send_sms(errors)
            if level.create_activity:
                reminder._create_activity()
            if level.print_letter:
                reminder._prepare_letter()
            reminder._escalate()
            failed = [v for v in values.values() if v == "failed"]
            if not failed:
                values["state"] = "sent"
            elif len(failed) == len(values):
                values["state"] = "failed"
            else:
                values["state"] = "partial"
            values["error"] = "\n".join(errors) or False
            reminder.write(values)

    def _send_email(self, errors):
        partner = self.partner_id
        if not partner.email:
            errors.append(self.env._("%(partner)s has no email address.", partner=partner.name))
            return "failed"
        template = self.level_id.mail_template_id or self.env.ref(
            "ar_reminders.mail_template_reminder"
        )
        # Queued, not sent inside the cron: Odoo's mail queue sends in its own batches.
        self.with_context(mail_notify_force_send=False).message_post_with_source(
            template,
            subtype_xmlid="mail.mt_comment",
            attachment_ids=self._invoice_pdfs().ids,
        )
        return "sent"

    def _invoice_pdfs(self):
        """The customer's statement (rendered now, when the level asks for it) and the
        invoice PDFs already generated (Odoo keeps them as the invoice's attachment)."""
        invoices = self.line_ids.move_id.invoice_pdf_report_id
        if not self.level_id.attach_statement:
            return invoices
        pdf, _type = self.env["ir.actions.report"]._render_qweb_pdf(
            "ar_reminders.report_ar_statement", self.partner_id.commercial_partner_id.ids
        )
        statement = self.env["ir.attachment"].create(
            {
                "name": f"Statement-{self.partner_id.name}.pdf",
                "raw": pdf,
                "mimetype": "application/pdf",
                "res_model": self._name,
                "res_id": self.id,
            }
        )
        return statement | invoices

    def _sms_message(self):
        text = self.level_id.with_context(lang=self.partner_id.lang).sms_text or self.env._(
            "{company}: {partner} owes {amount} on {count} invoice(s). Please pay. Thank you."
        )
        return text.format(
            partner=self.partner_id.name,
            amount=format_amount(self.env, self.amount_due, self.currency_id),
            count=len(self.line_ids),
            company=self.company_id.name,
        )

    def _send_sms(self, errors):
        company = self.company_id.sudo()
        try:
            if not company.ar_sms_url:
                raise sms.SmsError(self.env._("No SMS gateway is set on the company."))
            phone = sms.to_e164(
                self.partner_id.phone,
                self.partner_id.country_id.code or company.country_id.code or "VN",
            )
            message = self._sms_message()
            sms.check_length(message, company.ar_sms_max_segments or 2)
            sms.send(
                company.ar_sms_url,
                company.ar_sms_body_template,
                phone,
                message,
                sender=company.ar_sms_sender or "",
                auth=company.ar_sms_auth or None,
            )
        except sms.SmsError as exc:
            errors.append(f"SMS: {exc}")
            return "failed"
        # Kept on the reminder itself: a chatter message per SMS costs as much as the SMS.
        self.sms_sent = f"{phone}: {message}"
        return "sent"

    def _prepare_letter(self):
        """A letter to print and post: the statement PDF kept on the reminder, and a to-do
        for the collector."""
        pdf, _type = self.env["ir.actions.report"]._render_qweb_pdf(
            "ar_reminders.report_ar_statement", self.partner_id.commercial_partner_id.ids
        )
        self.env["ir.attachment"].create(
            {
                "name": f"Letter-{self.partner_id.name}-{self.date}.pdf",
                "raw": pdf,
                "mimetype": "application/pdf",
                "res_model": self._name,
                "res_id": self.id,
            }
        )
        collector = self.level_id.collector_id or self.partner_id.ar_collector_id or self.env.user
        self.activity_schedule(
            "mail.mail_activity_data_todo",
            summary=self.env._("Print and post the reminder letter"),
            user_id=collector.id,
        )

    def _create_activity(self):
        collector = self.level_id.collector_id or self.partner_id.ar_collector_id or self.env.user
        self.partner_id.activity_schedule(
            "mail.mail_activity_data_call",
            summary=self.env._(
                "Collect %(amount)s",
                amount=format_amount(self.env, self.amount_due, self.currency_id),
            ),
            note=self.env._("Reminder level %(level)s reached.", level=self.level_id.name),
            user_id=collector.id,
        )

    def _escalate(self):
        level = self.level_id
        partner = self.partner_id.commercial_partner_id.with_company(self.company_id).sudo()
        values = {}
        notes = []
        if level.credit_hold and partner.trust != "bad":
            values.update(trust="bad", ar_credit_hold=True)
            notes.append(self.env._("Credit hold by reminder level %(level)s.", level=level.name))
        if level.stop_shipments and not partner.ar_shipments_stopped:
            values["ar_shipments_stopped"] = True
            notes.append(
                self.env._("Shipments stopped by reminder level %(level)s.", level=level.name)
            )
        if level.collector_id:
            values["ar_collector_id"] = level.collector_id.id
        if values:
            partner.write(values)
        for note in notes:
            partner.message_post(body=note, subtype_xmlid="mail.mt_note")
