import datetime
import email
from email.header import decode_header, make_header
from unittest.mock import patch

from odoo.modules import module as odoo_module
from odoo.tests import tagged

from .common import ArCommon
from .smtp_server import SmtpServer


@tagged("post_install", "-at_install")
class TestReminders(ArCommon):
    def test_friendly_notice_before_due_date_then_nothing_twice(self):
        move = self._invoice(days_overdue=-2)
        self._run_cron()
        reminder = self._reminders()
        self.assertEqual(reminder.level_id, self.levels[-3])
        self.assertEqual(reminder.line_ids.move_id, move)
        self.assertEqual((reminder.state, reminder.email_state), ("sent", "sent"))
        mail = self.env["mail.mail"].search(
            [("model", "=", "ar.reminder"), ("res_id", "=", reminder.id)]
        )
        self.assertEqual(mail.recipient_ids, self.customer)
        self.assertIn(move.name, mail.body_html)
        self.assertIn("/ar/statement/", mail.body_html)
        self.assertIn(f"Statement-{self.customer.name}.pdf", mail.attachment_ids.mapped("name"))
        self._run_cron()
        self.assertEqual(self._reminders(), reminder, "the same level is never sent twice")

    def test_email_reaches_a_real_smtp_server(self):
        """The queued reminder goes out through Odoo's mail queue and SMTP client to a real
        SMTP server on 127.0.0.1, with the statement attached."""
        move = self._invoice(days_overdue=8)
        with SmtpServer() as smtp:
            self.env["ir.mail_server"].search([]).active = False
            self.env["ir.mail_server"].create(
                {
                    "name": "Test SMTP",
                    "smtp_host": "127.0.0.1",
                    "smtp_port": smtp.port,
                    "smtp_encryption": "none",
                }
            )
            self._run_cron()
            reminder = self._reminders()
            mail = self.env["mail.mail"].search(
                [("model", "=", "ar.reminder"), ("res_id", "=", reminder.id)]
            )
            self.assertEqual(mail.state, "outgoing", "queued by the cron, not sent inside it")
            # Odoo never opens an SMTP connection while a test runs; lift that guard for
            # this one call so its real client code talks to the server above.
            with patch.object(odoo_module, "current_test", None):
                mail.send(raise_exception=True)
        self.assertFalse(mail.exists(), "sent, then removed from the queue (auto-delete)")
        self.assertEqual(len(smtp.messages), 1)
        _sender, recipients, raw = smtp.messages[0]
        self.assertEqual(recipients, ["ketoan@achau.example"])
        message = email.message_from_bytes(raw)
        self.assertIn(reminder.level_id.name, str(make_header(decode_header(message["Subject"]))))
        bodies = [
            part.get_payload(decode=True).decode()
            for part in message.walk()
            if part.get_content_type() == "text/html"
        ]
        self.assertIn(move.name, bodies[0])
        self.assertIn("/ar/statement/", bodies[0])
        self.assertIn(
            f"Statement-{self.customer.name}.pdf",
            [
                str(make_header(decode_header(p.get_filename())))
                for p in message.walk()
                if p.get_filename()
            ],
        )

    def test_level_selection_skips_missed_levels_and_sends_sms(self):
        early, late = self._invoice(days_overdue=2), self._invoice(days_overdue=9, amount=2500)
        self._run_cron()
        by_level = {r.level_id.offset_days: r for r in self._reminders()}
        self.assertEqual(set(by_level), {1, 7})
        self.assertEqual(by_level[1].line_ids.move_id, early)
        self.assertEqual(by_level[7].line_ids.move_id, late)
        self.assertEqual(by_level[7].sms_state, "sent")
        self.assertTrue(by_level[7].sms_sent.startswith("+84912345678: "))
        [sms] = self.gateway.received
        self.assertEqual(sms["body"]["to"], "+84912345678")
        self.assertEqual(sms["body"]["brandname"], "SAOMAI")
        self.assertIn("còn nợ", sms["body"]["text"])
        self.assertEqual(sms["auth"], "Bearer test-key")

    def test_sms_failure_is_recorded_per_channel(self):
        self._invoice(days_overdue=8)
        self.gateway.statuses = [400]
        self._run_cron()
        reminder = self._reminders()
        self.assertEqual(
            (reminder.state, reminder.email_state, reminder.sms_state),
            ("partial", "sent", "failed"),
        )
        self.assertIn("HTTP 400", reminder.error)

    def test_bad_phone_is_named(self):
        self.customer.phone = "12"
        self._invoice(days_overdue=8)
        self._run_cron()
        self.assertIn("'12'", self._reminders().error)

    def test_disputed_and_opted_out_are_skipped(self):
        disputed = self._invoice(days_overdue=9)
        disputed.ar_disputed = True
        other = self.customer.copy({"name": "Opted out", "ar_no_reminder": True})
        self._invoice(days_overdue=9, partner=other)
        self._run_cron()
        self.assertFalse(self._reminders())
        self.assertFalse(self._reminders(other))

    def test_promise_pauses_then_broken_promise_escalates(self):
        self._invoice(days_overdue=9)
        promise = self.env["ar.promise"].create(
            {
                "partner_id": self.customer.id,
                "date": self.today + datetime.timedelta(days=3),
                "amount": 1000,
            }
        )
        self._run_cron()
        self.assertFalse(self._reminders(), "paused until the promised date")
        promise.date = self.today - datetime.timedelta(days=1)
        self._run_cron(method="_cron_check_promises", model="ar.promise")
        self.assertEqual(promise.state, "broken")
        self.assertEqual(self._reminders().level_id, self.levels[7], "escalated at once")
        self.assertTrue(self.customer.activity_ids)

    def test_kept_promise(self):
        move = self._invoice(days_overdue=9)
        promise = self.env["ar.promise"].create(
            {"partner_id": self.customer.id, "date": self.today, "amount": 1000}
        )
        self._pay(move)
        self._run_cron(method="_cron_check_promises", model="ar.promise")
        self.assertEqual(promise.state, "kept")

    def test_credit_hold_and_release_by_payment(self):
        move = self._invoice(days_overdue=31)
        self._run_cron()
        self.assertEqual(self._reminders().level_id, self.levels[30])
        partner = self.customer.with_company(self.company)
        self.assertEqual(partner.trust, "bad")
        self.assertTrue(partner.ar_credit_hold)
        self.assertTrue(partner.activity_ids, "activity for the collector")
        self._pay(move)
        self.assertEqual(partner.trust, "normal")
        self.assertFalse(partner.ar_credit_hold)

    def test_printed_letter(self):
        self.levels[7].print_letter = True
        self._invoice(days_overdue=8)
        self._run_cron()
        reminder = self._reminders()
        letters = self.env["ir.attachment"].search(
            [
                ("res_model", "=", "ar.reminder"),
                ("res_id", "=", reminder.id),
                ("name", "like", "Letter-"),
            ]
        )
        self.assertEqual(len(letters), 1)
        self.assertEqual(reminder.activity_ids.summary, "Print and post the reminder letter")

    def test_policy_by_customer_tag(self):
        tag = self.env["res.partner.category"].create({"name": "Key account"})
        vip = self.env["ar.reminder.policy"].create(
            {
                "name": "Key accounts",
                "company_id": self.company.id,
                "category_ids": [(6, 0, tag.ids)],
                "level_ids": [
                    (0, 0, {"name": "Call first", "offset_days": 5, "send_email": False})
                ],
            }
        )
        self.customer.category_id = tag
        self._invoice(days_overdue=9)
        self._run_cron()
        self.assertEqual(self._reminders().level_id.policy_id, vip)

    def test_no_cap_on_customers_per_run(self):
        customers = self.env["res.partner"].create(
            [{"name": f"Customer {i}", "email": f"c{i}@example.com"} for i in range(120)]
        )
        for customer in customers:
            self._invoice(days_overdue=2, amount=10, partner=customer)
        self._run_cron()
        self.assertEqual(
            self.env["ar.reminder"].search_count([("partner_id", "in", customers.ids)]), 120
        )
