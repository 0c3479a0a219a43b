import datetime

from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import SQL, mute_logger

from ..models.ar_reminder import STALE_SENDING
from .common import ArCommon


@tagged("post_install", "-at_install")
class TestExactlyOnce(ArCommon):
    """Each reminder's email and SMS go out once: a failure in one reminder fails that one
    only, and nothing is sent again by a later run."""

    def _sms_to(self, partner):
        phone = self.env["ar.reminder"].search([("partner_id", "=", partner.id)]).sms_phone
        return [r for r in self.gateway.received if r["body"]["to"] == phone]

    def _age(self, reminder, delta):
        """Move the reminder's last write back in time (a run of another day)."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "UPDATE ar_reminder SET write_date = write_date - %s WHERE id = %s",
                delta,
                reminder.id,
            )
        )
        self.env.invalidate_all()

    def _mails(self, reminder):
        return self.env["mail.mail"].search(
            [("model", "=", "ar.reminder"), ("res_id", "=", reminder.id)]
        )

    def test_unknown_sms_placeholder_is_refused_when_the_level_is_saved(self):
        level = self.levels[7]
        with self.assertRaisesRegex(ValidationError, r"\{amout\}"):
            level.sms_text = "{partner} owes {amout}"
        with self.assertRaisesRegex(ValidationError, r"\{partner\.name\}"):
            level.sms_text = "Dear {partner.name}"
        with self.assertRaisesRegex(ValidationError, "Single '}'"):
            level.sms_text = "{partner} owes }"
        with self.assertRaisesRegex(ValidationError, r"\{amout\}"):
            self.env["ar.reminder.level"].create(
                {
                    "policy_id": self.policy.id,
                    "name": "Bad",
                    "offset_days": 60,
                    "send_sms": True,
                    "sms_text": "{amout}",
                }
            )
        level.sms_text = "{company}: {partner}, {count} hóa đơn, {amount}."

    def test_unknown_email_placeholder_is_refused_when_the_level_is_saved(self):
        template = self.env["mail.template"].create(
            {
                "name": "Typo",
                "model_id": self.env["ir.model"]._get_id("ar.reminder"),
                "subject": "{{ object.company_id.name }}: {{ object.amout_due }}",
                "body_html": "<p>Hello</p>",
            }
        )
        with self.assertRaisesRegex(ValidationError, r"object\.amout_due"):
            self.levels[1].mail_template_id = template
        other_model = self.env["mail.template"].create(
            {"name": "Partner", "model_id": self.env["ir.model"]._get_id("res.partner")}
        )
        with self.assertRaisesRegex(ValidationError, "res.partner"):
            self.levels[1].mail_template_id = other_model
        template.subject = "{{ object.company_id.name }}: {{ object.amount_due }}"
        self.levels[1].mail_template_id = template

    def test_report_failure_in_the_middle_of_a_batch(self):
        """The statement of the second of three customers fails to render: that reminder
        fails with the reason (no email, no SMS); the first and third are sent; the next run
        sends nothing again."""
        customers = self.env["res.partner"].create(
            [
                {
                    "name": name,
                    "email": f"{index}@example.com",
                    "phone": f"0912 000 00{index}",
                    "country_id": self.env.ref("base.vn").id,
                }
                for index, name in enumerate(["First Co", "Broken Co", "Third Co"])
            ]
        )
        for customer in customers:
            self._invoice(days_overdue=8, partner=customer)
        # A customisation of the statement that breaks for one customer: a real rendering
        # error raised by QWeb in the middle of the batch.
        self.env["ir.ui.view"].create(
            {
                "name": "broken statement",
                "type": "qweb",
                "inherit_id": self.env.ref("ar_reminders.report_ar_statement_document").id,
                "arch": """<xpath expr="//div[hasclass('page')]" position="inside">
                    <t t-if="partner.name == 'Broken Co'" t-out="partner.no_such_field"/>
                </xpath>""",
            }
        )
        self._run_cron()
        first, broken, third = (self._reminders(c) for c in customers)
        for reminder in (first, third):
            self.assertEqual(
                (reminder.state, reminder.email_state, reminder.sms_state),
                ("sent", "sent", "sent"),
                reminder.error,
            )
            self.assertEqual(len(self._sms_to(reminder.partner_id)), 1)
            self.assertEqual(len(self._mails(reminder)), 1)
        self.assertEqual(broken.state, "failed")
        self.assertIn("no_such_field", broken.error)
        self.assertEqual((broken.email_state, broken.sms_state), ("none", "none"))
        self.assertFalse(self._mails(broken))
        self.assertEqual(len(self.gateway.received), 2)

        self._run_cron()
        self.assertEqual(len(self.gateway.received), 2, "nothing sent twice")
        self.assertEqual(self._reminders(customers), first | broken | third)
        self.assertEqual(len(self._mails(first)), 1)
        self.assertEqual(broken.state, "failed", "a failed reminder waits for a person")

    def test_level_saved_with_a_bad_placeholder_before_the_check(self):
        """A level saved before texts were checked: its SMS fails naming the placeholder,
        its email still goes, and the run goes on."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "UPDATE ar_reminder_level SET sms_text = %s WHERE id = %s",
                '{"en_US": "{partner} owes {amout}"}',
                self.levels[7].id,
            )
        )
        self.env.invalidate_all()
        self._invoice(days_overdue=8)
        other = self.customer.copy({"name": "Other customer"})
        self._invoice(days_overdue=2, partner=other)
        self._run_cron()
        reminder = self._reminders()
        self.assertEqual(
            (reminder.state, reminder.email_state, reminder.sms_state),
            ("partial", "sent", "failed"),
        )
        self.assertIn("amout", reminder.error)
        self.assertFalse(self.gateway.received)
        self.assertEqual(self._reminders(other).state, "sent")

    def test_interrupted_sms_is_handed_to_a_person(self):
        """A reminder left in 'sending' (its worker stopped after handing the SMS to the
        gateway) is not sent again: the next run marks it for a person to check. The crash
        itself is exercised end to end in tests/e2e/test_reminders_e2e.py."""
        self._invoice(days_overdue=8)
        self.gateway.statuses = [200]
        self._run_cron()
        reminder = self._reminders()
        self.assertEqual(reminder.sms_state, "sent")
        # The state a killed worker leaves: 'sending' committed, the answer not; the
        # next run is the next day's.
        reminder.sudo().write({"state": "sending", "sms_state": "sending"})
        self._age(reminder, datetime.timedelta(days=1))
        self._run_cron()
        self.assertEqual((reminder.state, reminder.sms_state), ("failed", "unknown"))
        self.assertIn("may or may not have been sent", reminder.error)
        self.assertEqual(len(self.gateway.received), 1, "not sent again")
        self.assertEqual(reminder.activity_ids.summary, "Check whether the reminder SMS was sent")

    def _assert_sms_unknown(self, reminder, reason):
        self.assertEqual(
            (reminder.state, reminder.email_state, reminder.sms_state),
            ("failed", "sent", "unknown"),
        )
        self.assertIn(reason, reminder.error)
        self.assertIn("may or may not have been sent", reminder.error)
        self.assertEqual(reminder.activity_ids.summary, "Check whether the reminder SMS was sent")

    def test_gateway_error_5xx_is_not_a_failure(self):
        """A 500 from the gateway may come after it handed the SMS on: the SMS is recorded
        as unknown with a to-do to check the gateway, and never sent again."""
        self._invoice(days_overdue=8)
        self.gateway.statuses = [500]
        self._run_cron()
        reminder = self._reminders()
        self._assert_sms_unknown(reminder, "HTTP 500")
        self._run_cron()
        self.assertEqual(len(self.gateway.received), 1, "not sent again")

    def test_gateway_read_timeout_is_not_a_failure(self):
        """The gateway received the SMS and holds its answer beyond the client's timeout."""
        self.env["ir.config_parameter"].sudo().set_param("ar_reminders.sms_timeout", 1)
        self.gateway.hold_text = "còn nợ"
        self.addCleanup(self.gateway.release.set)
        self.addCleanup(setattr, self.gateway, "hold_text", None)
        self._invoice(days_overdue=8)
        self._run_cron()
        reminder = self._reminders()
        self.assertTrue(self.gateway.held.is_set())
        self._assert_sms_unknown(reminder, "did not answer in time")
        self.gateway.hold_text = None
        self._run_cron()
        self.assertEqual(len(self.gateway.received), 1, "not sent again")

    def test_recovery_leaves_a_reminder_just_being_sent_alone(self):
        """A reminder another worker has just committed as 'sending' is about to be sent by
        it: the recovery pass leaves it alone. Once older than the stale limit it was
        abandoned, and is handed to a person (never sent again)."""
        self._invoice(days_overdue=8)
        self._run_cron()
        reminder = self._reminders()
        self.assertEqual(len(self.gateway.received), 1)
        reminder.sudo().write({"state": "sending", "sms_state": "sending"})
        self._run_cron()
        self.assertEqual((reminder.state, reminder.sms_state), ("sending", "sending"))
        self.assertFalse(reminder.activity_ids)
        self._age(reminder, STALE_SENDING - datetime.timedelta(minutes=1))
        self._run_cron()
        self.assertEqual((reminder.state, reminder.sms_state), ("sending", "sending"))
        self._age(reminder, datetime.timedelta(minutes=2))
        self._run_cron()
        self.assertEqual((reminder.state, reminder.sms_state), ("failed", "unknown"))
        self.assertEqual(reminder.activity_ids.summary, "Check whether the reminder SMS was sent")
        self.assertEqual(len(self.gateway.received), 1, "not sent again")

    def test_a_promise_that_fails_does_not_stop_the_others(self):
        """Closing one broken promise fails in the database (a constraint of the site
        refuses it): that promise stays open for the next run, logged; the other broken
        promise is closed and its reminder recorded and sent."""
        other = self.customer.copy({"name": "Other customer"})
        self._invoice(days_overdue=9)
        self._invoice(days_overdue=9, partner=other)
        yesterday = self.today - datetime.timedelta(days=1)
        # The failing one is the first checked (latest first).
        working, failing = self.env["ar.promise"].create(
            [
                {"partner_id": partner.id, "date": yesterday, "amount": 1000, "note": note}
                for partner, note in ((other, False), (self.customer, "unbreakable"))
            ]
        )
        self.env.flush_all()
        # A real database error, rolled back with the test.
        self.env.cr.execute(
            SQL(
                "ALTER TABLE ar_promise ADD CONSTRAINT test_ar_unbreakable "
                "CHECK (state <> 'broken' OR note IS DISTINCT FROM 'unbreakable')"
            )
        )
        with (
            mute_logger("odoo.sql_db"),
            self.assertLogs("odoo.addons.ar_reminders.models.ar_promise", "WARNING") as logs,
        ):
            self._run_cron(method="_cron_check_promises", model="ar.promise")
        message = f"Promise to pay {failing.id} could not be checked"
        self.assertTrue(any(message in line for line in logs.output), logs.output)
        self.assertEqual((failing.state, working.state), ("open", "broken"))
        self.assertFalse(self._reminders())
        self.assertEqual(self._reminders(other).state, "sent")

    def test_reminder_left_queued_by_a_stopped_run_is_checked_before_sending(self):
        """Reminders recorded yesterday by a run that stopped before sending them: the one
        whose invoice has been paid since is cancelled with the reason (nothing sent); the
        one still true is sent."""
        paid_customer = self.customer.copy({"name": "Paid since"})
        paid_move = self._invoice(days_overdue=8, partner=paid_customer)
        self._invoice(days_overdue=8)
        yesterday = self.today - datetime.timedelta(days=1)
        Reminder = self.env["ar.reminder"]
        Reminder._record_partners(self.customer | paid_customer, yesterday)
        stale, still_true = self._reminders(paid_customer), self._reminders()
        self.assertEqual((stale.state, still_true.state), ("queued", "queued"))
        self._pay(paid_move)
        self._run_cron()
        self.assertEqual(stale.state, "cancelled")
        self.assertIn("no longer open", stale.error)
        self.assertIn(paid_move.name, stale.error)
        self.assertFalse(self._mails(stale))
        self.assertEqual(still_true.state, "sent", still_true.error)
        self.assertEqual(len(self.gateway.received), 1)
        self.assertEqual(self.gateway.received[0]["body"]["to"], still_true.sms_phone)
