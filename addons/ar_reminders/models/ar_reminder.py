import datetime
import logging

import psycopg2

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_amount, format_date

from ..tools import levels as level_rules
from ..tools import sms

_logger = logging.getLogger(__name__)

BATCH_PARTNERS = 50
# A reminder left in 'sending' longer than this was abandoned by its worker (the gateway
# call has a timeout far shorter): only then is it handed to a person.
STALE_SENDING = datetime.timedelta(minutes=10)


class ArReminder(models.Model):
    """One reminder: a customer, a level, a day, the invoices it is about.

    The row (and one line per invoice and level, unique) is written and committed before
    anything is sent: a second cron worker, or a run after a crash, finds the level already
    recorded and never sends it again. Each reminder is then sent in its own transactions:
    everything that stays in the database (email queued, activity, letter, escalation) is
    committed together with ``sending`` before the SMS gateway is called, and the gateway's
    answer is committed right after. A reminder found in ``sending`` by a later run stopped
    between the two: its SMS may have gone out, so it is handed to a person, never resent.
    """

    _name = "ar.reminder"
    _description = "Receivable Reminder"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner", required=True, index=True, readonly=True, check_company=True
    )
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    level_id = fields.Many2one(
        "ar.reminder.level", required=True, readonly=True, index=True, check_company=True
    )
    date = fields.Date(required=True, index=True, readonly=True)
    line_ids = fields.One2many("ar.reminder.line", "reminder_id", readonly=True)
    move_ids = fields.Many2many("account.move", compute="_compute_move_ids", string="Invoices")
    amount_due = fields.Monetary(readonly=True, currency_field="currency_id")
    currency_id = fields.Many2one(related="company_id.currency_id")
    state = fields.Selection(
        [
            ("queued", "Queued"),
            ("sending", "Sending"),
            ("sent", "Sent"),
            ("partial", "Partly Sent"),
            ("failed", "Failed"),
            ("cancelled", "Cancelled"),
        ],
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
        [
            ("none", "-"),
            ("sending", "Sending"),
            ("sent", "Sent"),
            ("failed", "Failed"),
            ("unknown", "Unknown: check the gateway"),
        ],
        default="none",
        readonly=True,
    )
    sms_phone = fields.Char(string="SMS Number", readonly=True)
    sms_message = fields.Text(string="SMS Message", readonly=True)
    sms_sent = fields.Text(string="SMS Sent", readonly=True, help="Number and text of the SMS.")
    error = fields.Text(readonly=True)

    def _compute_move_ids(self):
        for reminder in self:
            reminder.move_ids = reminder.line_ids.move_id

    def action_ar_open_statement(self):
        """The customer's statement in the reminder's company, shown in the web client."""
        self.ensure_one()
        action = (
            self.env.ref("ar_reminders.action_report_ar_statement")
            .with_company(self.company_id)
            .report_action(self.partner_id, config=False)
        )
        action["report_type"] = "qweb-html"
        action["context"] = dict(
            action.get("context") or {}, allowed_company_ids=[self.company_id.id]
        )
        return action

    # ------------------------------------------------------------------
    # Cron
    # ------------------------------------------------------------------

    @api.model
    def _cron_send_reminders(self):
        """Find due reminders, record them, send them; batches of locked customers, no cap
        on the number of customers per run."""
        Cron = self.env["ir.cron"]
        today = fields.Date.context_today(self)
        self._recover_interrupted()
        partner_ids = self._candidate_partner_ids(today)
        Cron._commit_progress(remaining=len(partner_ids))
        Partner = self.env["res.partner"]
        for start in range(0, len(partner_ids), BATCH_PARTNERS):
            partners = Partner.browse(partner_ids[start : start + BATCH_PARTNERS])
            locked = partners.try_lock_for_update(allow_referencing=True)
            reminders = self._record_partners(locked, today)
            # Committed before sending: the record is the guard against sending twice.
            Cron._commit_progress()
            reminders._send_each()
            if not Cron._commit_progress(len(partners)):
                return
        # Reminders recorded by a run that stopped before sending them (nothing of them but
        # the record was committed). One in progress elsewhere is locked or no longer
        # queued, and skipped.
        self.search([("state", "=", "queued")], order="id")._send_each()

    @api.model
    def _recover_interrupted(self):
        """Reminders a stopped run left in ``sending``: the SMS was handed to the gateway,
        or about to be, and the answer never recorded. Sending again could reach the
        customer twice: mark them failed for a person to check the gateway.

        Only those untouched for ``STALE_SENDING``: a reminder another worker has just
        committed as ``sending`` is about to be sent by it. Each is locked and read again
        on its own (one being sent is locked by its worker and skipped), marked, and
        committed."""
        Cron = self.env["ir.cron"]
        # write_date is the writing transaction's time: compared on the database's clock.
        limit = self.env.cr.now() - STALE_SENDING
        interrupted = self.search(
            [("state", "=", "sending"), ("write_date", "<", limit)], order="id"
        )
        for reminder in interrupted:
            if not reminder.try_lock_for_update():
                continue
            reminder.invalidate_recordset()
            if reminder.state == "sending" and reminder.write_date < limit:
                reminder._mark_interrupted()
            if not Cron._commit_progress():
                return

    def _mark_interrupted(self):
        self.ensure_one()
        self._mark_sms_unknown(
            self.env._(
                "The run stopped after handing the SMS to %(phone)s to the gateway and before "
                "recording its answer: it may or may not have been sent. It is not sent again "
                "automatically; check the gateway's log and send it by hand if it did not "
                "arrive.",
                phone=self.sms_phone or "?",
            )
        )

    def _mark_sms_unknown(self, message):
        """The SMS may or may not have gone out: recorded as unknown (never sent again
        automatically) with a to-do for a person to check the gateway."""
        self.ensure_one()
        self.write(
            {
                "state": "failed",
                "sms_state": "unknown",
                "error": "\n".join(filter(None, [self.error, message])),
            }
        )
        self.activity_schedule(
            "mail.mail_activity_data_todo",
            summary=self.env._("Check whether the reminder SMS was sent"),
            note=message,
            user_id=self._collector().id,
        )

    @api.model
    def _candidate_partner_ids(self, today):
        # Opt-outs are per company: they are read in _record_partners, not here.
        horizon = -min(self.env["ar.reminder.level"].search([]).mapped("offset_days") or [0])
        moves = self.env["account.move"].search(
            [
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("payment_state", "in", ("not_paid", "partial")),
                ("ar_disputed", "=", False),
                ("invoice_date_due", "<=", today + datetime.timedelta(days=max(horizon, 0))),
            ]
        )
        return sorted(set(moves.mapped("commercial_partner_id").ids))

    def _open_invoices(self, partners, companies=None):
        # One query per batch of customers (partial index on open customer invoices).
        domain = [
            ("commercial_partner_id", "in", partners.ids),
            ("move_type", "=", "out_invoice"),
            ("state", "=", "posted"),
            ("payment_state", "in", ("not_paid", "partial")),
        ]
        if companies is not None:
            domain.append(("company_id", "in", companies.ids))
        return self.env["account.move"].search(domain)

    def _record_partners(self, partners, today, companies=None):
        """Write the reminders due for these customers (not sent yet), in ``companies``
        (default: every company they have invoices in).

        Invoices, levels already sent, promises and policies are read once for the whole
        batch, and the reminders created together: the cost per customer does not depend on
        how many invoices the database holds. Opt-out, policy and promises are those of the
        invoice's company.
        """
        partners = partners.commercial_partner_id
        invoices = self._open_invoices(partners, companies)
        sent = self.env["ar.reminder.line"]._sent_levels(invoices)
        promises = self.env["ar.promise"]._active_by_partner(partners, today)
        grouped = {}
        for move in invoices:
            key = (move.commercial_partner_id, move.company_id)
            grouped.setdefault(key, []).append(move)
        policies = {}
        vals_list = []
        for (partner, company), moves in grouped.items():
            if not self._partner_fits_company(partner, company):
                # A customer since restricted to another company: its reminder in this
                # company could not be saved (check_company). Skipped, the run goes on.
                _logger.warning(
                    "No reminder for %s in %s: the customer belongs to %s only (invoices %s)",
                    partner.display_name,
                    company.name,
                    partner.company_id.name,
                    ", ".join(move.name for move in moves),
                )
                continue
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
            promise = promises.get((partner.id, company.id))
            opted_out = partner.with_company(company).ar_no_reminder
            due = {}
            for move in moves:
                pause = level_rules.paused(
                    today,
                    promise_date=promise.date if promise else None,
                    promise_broken=False,
                    disputed=move.ar_disputed,
                    opted_out=opted_out,
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

    @api.model
    def _partner_fits_company(self, partner, company):
        """Whether a reminder of ``company`` may name ``partner`` (the check_company rule
        of ``partner_id``, as Odoo's ``_check_company`` applies it)."""
        partner = partner.sudo().with_context(active_test=False)
        domain = partner._check_company_domain(company)
        return not domain or bool(partner.filtered_domain(domain))

    def _record(self, vals_list):
        """Create the reminders in one go; when another worker recorded some of these
        invoice levels first (unique index), or one of them cannot be saved, create them one
        by one: a reminder that cannot be saved is logged and skipped, the others are
        recorded."""
        if not vals_list:
            return self.browse()
        try:
            with self.env.cr.savepoint():
                reminders = self.create(vals_list)
                self.env.flush_all()
        except (psycopg2.IntegrityError, UserError, ValidationError) as exc:
            self.env.invalidate_all()
            if len(vals_list) == 1:
                if not isinstance(exc, psycopg2.IntegrityError):
                    _logger.warning(
                        "Reminder of customer %s in company %s not recorded: %s",
                        vals_list[0].get("partner_id"),
                        vals_list[0].get("company_id"),
                        exc,
                    )
                return self.browse()
            reminders = self.browse()
            for vals in vals_list:
                reminders |= self._record([vals])
        return reminders

    # ------------------------------------------------------------------
    # Sending, one reminder at a time
    # ------------------------------------------------------------------

    def _send_each(self):
        """Send these reminders one by one, each in its own commits: a failure in one marks
        that one failed and the others go on; a crash loses at most the one in progress,
        which the next run hands to a person (``_recover_interrupted``)."""
        Cron = self.env["ir.cron"]
        for reminder in self:
            reminder._send_one()
            if not Cron._commit_progress():
                break

    def _send_one(self):
        self.ensure_one()
        # Locked, then read again: another worker may have taken it since it was searched.
        if not self.try_lock_for_update():
            return
        self.invalidate_recordset()
        if self.state != "queued":
            return
        reminder = self.with_company(self.company_id)
        today = fields.Date.context_today(self)
        if self.date < today:
            # Recorded by a run that stopped before sending it: what it says may no
            # longer be true.
            reason = reminder._stale_reason(today)
            if reason:
                reminder._cancel_stale(reason)
                return
        try:
            with self.env.cr.savepoint():
                sms_pending = reminder._prepare_channels()
        except Exception as exc:
            # Reported on the reminder (failed, with the reason) for a person to act on.
            _logger.warning("Reminder %s failed", self.id, exc_info=True)
            self.write(
                {
                    "state": "failed",
                    "error": self.env._(
                        "Not sent: %(error)s", error=f"{type(exc).__name__}: {exc}"
                    ),
                }
            )
            return
        if sms_pending:
            # The email, the activity, the escalation and 'sending' are committed before the
            # gateway is called: from here on the SMS is never sent twice.
            self.env["ir.cron"]._commit_progress()
            reminder._send_pending_sms()

    def _stale_reason(self, today):
        """Why a reminder recorded on an earlier day and never sent must not go out now
        (an invoice paid or disputed since, a promise to pay, an opt-out, another amount
        due), or None."""
        moves = self.line_ids.move_id
        closed = moves.filtered(
            lambda m: m.state != "posted" or m.payment_state not in ("not_paid", "partial")
        )
        if closed:
            return self.env._(
                "invoices no longer open: %(invoices)s", invoices=", ".join(closed.mapped("name"))
            )
        disputed = moves.filtered("ar_disputed")
        if disputed:
            return self.env._(
                "invoices in dispute: %(invoices)s", invoices=", ".join(disputed.mapped("name"))
            )
        partner = self.partner_id.commercial_partner_id.with_company(self.company_id)
        if partner.ar_no_reminder:
            return self.env._("the customer asked for no reminders")
        promise = self.env["ar.promise"]._active_by_partner(partner, today)
        promise = promise.get((partner.id, self.company_id.id))
        if promise:
            return self.env._(
                "paused by a promise to pay until %(date)s",
                date=format_date(self.env, promise.date),
            )
        due = sum(moves.mapped("amount_residual_signed"))
        if self.currency_id.compare_amounts(due, self.amount_due):
            return self.env._(
                "the amount due changed from %(old)s to %(new)s",
                old=format_amount(self.env, self.amount_due, self.currency_id),
                new=format_amount(self.env, due, self.currency_id),
            )
        return None

    def _cancel_stale(self, reason):
        """Cancel a reminder nothing of which was sent; its invoice levels are released, so
        that a later run reminds the invoices still open with today's amounts."""
        self.ensure_one()
        self.write(
            {
                "state": "cancelled",
                "error": self.env._(
                    "Recorded on %(date)s and not sent then; cancelled: %(reason)s.",
                    date=format_date(self.env, self.date),
                    reason=reason,
                ),
            }
        )
        self.line_ids.sudo().unlink()

    def _prepare_channels(self):
        """Everything of the reminder that stays in the database, written in one go with its
        state; return whether an SMS remains to be handed to the gateway."""
        level = self.level_id
        errors = []
        values = {}
        if level.send_email:
            values["email_state"] = self._send_email(errors)
        sms_pending = False
        if level.send_sms:
            try:
                phone, message = self._sms_prepare()
            except sms.SmsError as exc:
                errors.append(f"SMS: {exc}")
                values["sms_state"] = "failed"
            else:
                values.update(sms_state="sending", sms_phone=phone, sms_message=message)
                sms_pending = True
        if level.create_activity:
            self._create_activity()
        if level.print_letter:
            self._prepare_letter()
        self._escalate()
        values["error"] = "\n".join(errors) or False
        values["state"] = "sending" if sms_pending else self._final_state(values)
        self.write(values)
        return sms_pending

    @api.model
    def _final_state(self, values):
        channels = [values[key] for key in ("email_state", "sms_state") if key in values]
        failed = [state for state in channels if state == "failed"]
        if not failed:
            return "sent"
        return "failed" if len(failed) == len(channels) else "partial"

    def _send_pending_sms(self):
        """Hand the recorded SMS to the gateway and commit its answer."""
        self.ensure_one()
        # A new transaction: lock the row and read it again. Not obtained: another worker
        # holds it (a recovery pass, or a second sender); it is left to them, never waited
        # for. While this lock is held, recovery passes skip it.
        if not self.try_lock_for_update():
            return
        self.invalidate_recordset()
        if self.sms_state != "sending":
            return
        company = self.company_id.sudo()
        errors = [self.error] if self.error else []
        timeout = int(
            self.env["ir.config_parameter"].sudo().get_param("ar_reminders.sms_timeout")
            or sms.TIMEOUT
        )
        try:
            sms.send(
                company.ar_sms_url,
                company.ar_sms_body_template,
                self.sms_phone,
                self.sms_message,
                sender=company.ar_sms_sender or "",
                auth=company.ar_sms_auth or None,
                timeout=timeout,
            )
        except sms.SmsUncertain as exc:
            # The gateway got the message and gave no clear answer: it may have gone out.
            self._mark_sms_unknown(
                self.env._(
                    "The SMS gateway gave no clear answer for the SMS to %(phone)s "
                    "(%(error)s): it may or may not have been sent. It is not sent again "
                    "automatically; check the gateway's log and send it by hand if it did "
                    "not arrive.",
                    phone=self.sms_phone or "?",
                    error=exc,
                )
            )
            self.env["ir.cron"]._commit_progress()
            return
        except Exception as exc:
            if not isinstance(exc, sms.SmsError):
                _logger.warning("SMS of reminder %s failed", self.id, exc_info=True)
            errors.append(f"SMS: {exc}")
            sms_state = "failed"
        else:
            sms_state = "sent"
        values = {"sms_state": sms_state}
        if self.level_id.send_email:
            values["email_state"] = self.email_state
        values["state"] = self._final_state(values)
        values["error"] = "\n".join(errors) or False
        if sms_state == "sent":
            # Kept on the reminder itself: a chatter message per SMS costs as much as the SMS.
            values["sms_sent"] = f"{self.sms_phone}: {self.sms_message}"
        self.write(values)
        self.env["ir.cron"]._commit_progress()

    def _collector(self):
        partner = self.partner_id.commercial_partner_id.with_company(self.company_id)
        return self.level_id.collector_id or partner.ar_collector_id or self.env.user

    def _send_email(self, errors):
        partner = self.partner_id
        if not partner.email:
            errors.append(self.env._("%(partner)s has no email address.", partner=partner.name))
            return "failed"
        template = self.level_id.mail_template_id or self.env.ref(
            "ar_reminders.mail_template_reminder"
        )
        # Queued, not sent inside the cron: Odoo's mail queue sends in its own batches. It
        # is rendered in the reminder's company (statement link, letterhead).
        self.with_company(self.company_id).with_context(
            mail_notify_force_send=False
        ).message_post_with_source(
            template,
            subtype_xmlid="mail.mt_comment",
            attachment_ids=self._invoice_pdfs().ids,
        )
        return "sent"

    def _statement_pdf(self):
        """The customer's statement in the reminder's company (its invoices, bank account,
        QR and letterhead)."""
        pdf, _type = (
            self.env["ir.actions.report"]
            .with_company(self.company_id)
            ._render_qweb_pdf(
                "ar_reminders.report_ar_statement", self.partner_id.commercial_partner_id.ids
            )
        )
        return pdf

    def _invoice_pdfs(self):
        """The customer's statement (rendered now, when the level asks for it) and the
        invoice PDFs already generated (Odoo keeps them as the invoice's attachment)."""
        invoices = self.line_ids.move_id.invoice_pdf_report_id
        if not self.level_id.attach_statement:
            return invoices
        statement = self.env["ir.attachment"].create(
            {
                "name": f"Statement-{self.partner_id.name}.pdf",
                "raw": self._statement_pdf(),
                "mimetype": "application/pdf",
                "res_model": self._name,
                "res_id": self.id,
            }
        )
        return statement | invoices

    def _sms_prepare(self):
        """The number and the text of the SMS, checked; SmsError naming what is wrong."""
        company = self.company_id.sudo()
        if not company.ar_sms_url:
            raise sms.SmsError(self.env._("No SMS gateway is set on the company."))
        phone = sms.to_e164(
            self.partner_id.phone,
            self.partner_id.country_id.code or company.country_id.code or "VN",
        )
        message = self._sms_message()
        sms.check_length(message, company.ar_sms_max_segments or 2)
        return phone, message

    def _sms_message(self):
        env = self.partner_id._ar_lang_env()
        text = self.level_id.with_env(env).sms_text or env._(
            "{company}: {partner} owes {amount} on {count} invoice(s). Please pay. Thank you."
        )
        # Levels saved before their texts were checked may still hold a bad placeholder.
        try:
            return text.format(
                partner=self.partner_id.name,
                amount=format_amount(env, self.amount_due, self.currency_id),
                count=len(self.line_ids),
                company=self.company_id.name,
            )
        except (KeyError, IndexError, ValueError, AttributeError) as exc:
            raise sms.SmsError(
                self.env._(
                    "SMS Text %(text)r of level %(level)s cannot be filled in: %(error)s",
                    text=text,
                    level=self.level_id.name,
                    error=f"{type(exc).__name__}: {exc}",
                )
            ) from exc

    def _prepare_letter(self):
        """A letter to print and post: the statement PDF kept on the reminder, and a to-do
        for the collector."""
        self.env["ir.attachment"].create(
            {
                "name": f"Letter-{self.partner_id.name}-{self.date}.pdf",
                "raw": self._statement_pdf(),
                "mimetype": "application/pdf",
                "res_model": self._name,
                "res_id": self.id,
            }
        )
        collector = self._collector()
        self.activity_schedule(
            "mail.mail_activity_data_todo",
            summary=self.with_context(lang=collector.lang).env._(
                "Print and post the reminder letter"
            ),
            user_id=collector.id,
        )

    def _create_activity(self):
        collector = self._collector()
        env = self.with_context(lang=collector.lang).env
        self.partner_id.activity_schedule(
            "mail.mail_activity_data_call",
            summary=env._(
                "Collect %(amount)s",
                amount=format_amount(env, self.amount_due, self.currency_id),
            ),
            note=env._("Reminder level %(level)s reached.", level=self.level_id.with_env(env).name),
            user_id=collector.id,
        )

    def _escalate(self):
        level = self.level_id
        partner = self.partner_id.commercial_partner_id.with_company(self.company_id).sudo()
        # Notes on the customer are written in the customer's language.
        env = partner._ar_lang_env()
        level_name = level.with_env(env).name
        values = {}
        notes = []
        if level.credit_hold and partner.trust != "bad":
            values.update(trust="bad", ar_credit_hold=True)
            notes.append(env._("Credit hold by reminder level %(level)s.", level=level_name))
        if level.stop_shipments and not partner.ar_shipments_stopped:
            values["ar_shipments_stopped"] = True
            notes.append(env._("Shipments stopped by reminder level %(level)s.", level=level_name))
        if level.collector_id:
            values["ar_collector_id"] = level.collector_id.id
        if values:
            partner.write(values)
        for note in notes:
            partner.message_post(body=note, subtype_xmlid="mail.mt_note")
