import base64
import datetime
import io

from PIL import Image

from odoo import Command
from odoo.exceptions import AccessError
from odoo.modules.module import load_script
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import SQL

from .common import ArCommon


def _png(colour):
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue())


@tagged("post_install", "-at_install")
class TestMultiCompany(ArCommon, HttpCase):
    """Two companies, one customer who owes both: nothing of one company shows in, or
    changes, the other's reminders."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.setup_other_company(name="Công ty Bình Minh")["company"]
        cls.company.name = "Công ty An Phát"
        cls.company_b.write(
            {"ar_sms_url": cls.gateway.url, "country_id": cls.env.ref("base.vn").id}
        )
        cls.company.logo = _png("red")
        cls.company_b.logo = _png("blue")
        cls.bank_a, cls.bank_b = cls.env["res.partner.bank"].create(
            [
                {"acc_number": "111000111", "partner_id": cls.company.partner_id.id},
                {"acc_number": "222000222", "partner_id": cls.company_b.partner_id.id},
            ]
        )
        cls.policy_b = cls.env["ar.reminder.policy"].create(
            {
                "name": "Policy B",
                "is_default": True,
                "company_id": cls.company_b.id,
                "level_ids": [
                    Command.create({"name": "B first", "offset_days": 1}),
                    Command.create(
                        {
                            "name": "B second",
                            "offset_days": 7,
                            "send_sms": True,
                            "sms_text": "{company}: {amount}",
                        }
                    ),
                ],
            }
        )

    def _statement_html(self, reminder):
        statement = self.env["ir.attachment"].search(
            [
                ("res_model", "=", "ar.reminder"),
                ("res_id", "=", reminder.id),
                ("name", "like", "Statement-"),
            ]
        )
        self.assertEqual(len(statement), 1)
        return statement.raw.decode()

    def _assert_only_company(self, html, own, other):
        company, bank, move = own
        o_company, o_bank, o_move = other
        # Both companies number their invoices INV/2026/00001: told apart by their amounts.
        self.assertIn(f">{move.amount_total:.2f}<", html)
        self.assertIn(bank.acc_number, html)
        self.assertIn(company.logo.decode(), html)
        self.assertIn(company.name, html)
        self.assertNotIn(f">{o_move.amount_total:.2f}<", html)
        self.assertNotIn(o_bank.acc_number, html)
        self.assertNotIn(o_company.logo.decode(), html)
        self.assertNotIn(o_company.name, html)

    def test_statement_of_each_company_in_one_run(self):
        """A run started in company B (and one in A) attaches to each reminder the statement
        of the reminder's company: its invoices, bank account and logo only."""
        move_a = self._invoice(days_overdue=3, amount=111)
        move_b = self._invoice(days_overdue=3, amount=222, company=self.company_b)
        self._run_cron(company=self.company_b)
        reminder_a = self._reminders().filtered(lambda r: r.company_id == self.company)
        reminder_b = self._reminders().filtered(lambda r: r.company_id == self.company_b)
        self.assertEqual(reminder_b.level_id.policy_id, self.policy_b)
        self._assert_only_company(
            self._statement_html(reminder_b),
            (self.company_b, self.bank_b, move_b),
            (self.company, self.bank_a, move_a),
        )
        self._assert_only_company(
            self._statement_html(reminder_a),
            (self.company, self.bank_a, move_a),
            (self.company_b, self.bank_b, move_b),
        )
        # The link in B's email opens B's statement.
        mail_b = self.env["mail.mail"].search(
            [("model", "=", "ar.reminder"), ("res_id", "=", reminder_b.id)]
        )
        self.assertIn(f"/ar/statement/{self.customer.id}/{self.company_b.id}/", mail_b.body_html)
        values = self.customer._ar_statement_values(self.company_b)
        self.assertEqual((values["total"], values["bank"]), (222.0, self.bank_b))

    def test_public_link_renders_the_right_company(self):
        move_a = self._invoice(days_overdue=3, amount=111)
        move_b = self._invoice(days_overdue=3, amount=222, company=self.company_b)
        url_b = self.customer._ar_statement_url(self.company_b)
        url_a = self.customer._ar_statement_url(self.company)
        path_b, path_a = (url[url.index("/ar/statement/") :] for url in (url_b, url_a))
        page_b = self.url_open(path_b)
        self.assertEqual(page_b.status_code, 200)
        self._assert_only_company(
            page_b.content.decode(),
            (self.company_b, self.bank_b, move_b),
            (self.company, self.bank_a, move_a),
        )
        self._assert_only_company(
            self.url_open(path_a).content.decode(),
            (self.company, self.bank_a, move_a),
            (self.company_b, self.bank_b, move_b),
        )
        # B's token does not open A's statement.
        forged = path_b.replace(f"/{self.company_b.id}/", f"/{self.company.id}/")
        self.assertEqual(self.url_open(forged).status_code, 404)

    def test_link_sent_before_statements_per_company(self):
        """A link of the old form (no company in it), already in customers' mailboxes,
        opens the statement of the company that sent the customer's latest reminder."""
        self._invoice(days_overdue=3, amount=222, company=self.company_b)
        self._run_cron()
        token = self.customer.sudo().ar_statement_token
        self.assertTrue(token, "made when the reminder email was rendered")
        page = self.url_open(f"/ar/statement/{self.customer.id}/{token}")
        self.assertEqual(page.status_code, 200)
        html = page.content.decode()
        self.assertIn(">222.00<", html)
        self.assertIn(self.bank_b.acc_number, html)
        self.assertNotIn(self.bank_a.acc_number, html)

    def test_promise_in_one_company_does_not_pause_the_other(self):
        self._invoice(days_overdue=9)
        self._invoice(days_overdue=9, company=self.company_b)
        self.env["ar.promise"].create(
            {
                "partner_id": self.customer.id,
                "company_id": self.company.id,
                "date": self.today + datetime.timedelta(days=3),
                "amount": 1000,
            }
        )
        self._run_cron()
        self.assertEqual(self._reminders().company_id, self.company_b)

    def test_broken_promise_escalates_its_own_company_only(self):
        self._invoice(days_overdue=9)
        self._invoice(days_overdue=9, company=self.company_b)
        promise = self.env["ar.promise"].create(
            {
                "partner_id": self.customer.id,
                "company_id": self.company.id,
                "date": self.today - datetime.timedelta(days=1),
                "amount": 1000,
            }
        )
        self._run_cron(method="_cron_check_promises", model="ar.promise")
        self.assertEqual(promise.state, "broken")
        # Recorded and sent at once in A; B's invoice waits for B's own reminder run.
        reminder = self._reminders()
        self.assertEqual(reminder.company_id, self.company)
        self.assertEqual(reminder.state, "sent")

    def test_opt_out_policy_and_collector_per_company(self):
        self._invoice(days_overdue=9)
        self._invoice(days_overdue=9, company=self.company_b)
        collector_a = new_test_user(self.env, login="collector-a", company_ids=self.company.ids)
        policy_a = self.env["ar.reminder.policy"].create(
            {
                "name": "Policy A for this customer",
                "company_id": self.company.id,
                "level_ids": [
                    Command.create(
                        {
                            "name": "A call",
                            "offset_days": 5,
                            "send_email": False,
                            "create_activity": True,
                        }
                    )
                ],
            }
        )
        self.customer.with_company(self.company).write(
            {"ar_policy_id": policy_a.id, "ar_collector_id": collector_a.id}
        )
        self.customer.with_company(self.company_b).ar_no_reminder = True
        customer_b = self.customer.with_company(self.company_b)
        self.assertFalse(customer_b.ar_policy_id)
        self.assertFalse(customer_b.ar_collector_id)
        self.assertFalse(self.customer.with_company(self.company).ar_no_reminder)
        self._run_cron()
        reminder = self._reminders()
        self.assertEqual(reminder.company_id, self.company, "opted out in B only")
        self.assertEqual(reminder.level_id.policy_id, policy_a)
        self.assertEqual(self.customer.activity_ids.user_id, collector_a)

    def test_records_of_a_company_are_hidden_from_the_other(self):
        self._invoice(days_overdue=9, company=self.company_b)
        self._run_cron()
        reminder_b = self._reminders()
        self.assertEqual(reminder_b.company_id, self.company_b)
        user_a = new_test_user(
            self.env,
            login="manager-a",
            groups="ar_reminders.group_ar_manager",
            company_ids=self.company.ids,
        )
        env_a = self.env(user=user_a)
        for record in (reminder_b, reminder_b.line_ids, self.policy_b, self.policy_b.level_ids):
            with self.assertRaises(AccessError, msg=record._name):
                record.with_env(env_a).check_access("read")
        self.assertFalse(env_a["ar.reminder.line"].search([("id", "in", reminder_b.line_ids.ids)]))
        self.assertFalse(env_a["ar.reminder.level"].search([("policy_id", "=", self.policy_b.id)]))

    def test_customer_restricted_to_another_company_does_not_stop_the_run(self):
        """A customer restricted to company A after an invoice of company B was posted (and
        a promise made in B): B's reminder cannot name it (check_company). It is skipped;
        the promise job and the reminder job go on and remind the other customers, and the
        customer's own invoice in A."""
        self._invoice(days_overdue=9)
        self._invoice(days_overdue=9, company=self.company_b)
        other = self.customer.copy({"name": "Khách hàng khác"})
        self._invoice(days_overdue=9, partner=other, company=self.company_b)
        promise = self.env["ar.promise"].create(
            {
                "partner_id": self.customer.id,
                "company_id": self.company_b.id,
                "date": self.today - datetime.timedelta(days=1),
                "amount": 1000,
            }
        )
        self.customer.company_id = self.company
        self._run_cron()
        reminder = self._reminders()
        self.assertEqual((reminder.company_id, reminder.state), (self.company, "sent"))
        reminder_other = self._reminders(other)
        self.assertEqual(
            (reminder_other.company_id, reminder_other.state), (self.company_b, "sent")
        )
        # The broken promise in B records B's reminders of this customer: none.
        self._run_cron(method="_cron_check_promises", model="ar.promise")
        self.assertEqual(promise.state, "broken")
        self.assertEqual(self._reminders(), reminder)

    def test_email_link_is_the_reminders_company_whatever_the_current_one(self):
        """The reminder email links the statement of the reminder's company, also when it
        is rendered in another current company (a resend, a preview), and after the
        migration of a template that still holds the old link."""
        self._invoice(days_overdue=3, amount=222, company=self.company_b)
        self._run_cron()
        reminder_b = self._reminders()
        self.assertEqual(reminder_b.company_id, self.company_b)
        template = self.env.ref("ar_reminders.mail_template_reminder")
        expected = f"/ar/statement/{self.customer.id}/{self.company_b.id}/"

        def link(env_company):
            # Current company ``env_company``, both allowed (a user of both companies).
            companies = env_company | self.company | self.company_b
            body = template.with_context(allowed_company_ids=companies.ids)._render_field(
                "body_html", reminder_b.ids
            )[reminder_b.id]
            return str(body)

        self.assertIn(expected, link(self.company))
        old_call = "commercial_partner_id._ar_statement_url()"
        new_call = "commercial_partner_id._ar_statement_url(object.company_id)"
        # A database upgraded from the version whose template linked env.company, in two
        # languages.
        self.env["res.lang"]._activate_lang("vi_VN")
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """UPDATE mail_template
                      SET body_html = jsonb_set(body_html, '{vi_VN}', body_html->'en_US')
                      WHERE id = %(id)s;
                   UPDATE mail_template
                      SET body_html = replace(body_html::text, %(new)s, %(old)s)::jsonb
                    WHERE id = %(id)s""",
                id=template.id,
                new=new_call,
                old=old_call,
            )
        )
        self.env.invalidate_all()
        self.assertIn(old_call, template.with_context(lang="vi_VN").body_html)
        self.assertNotIn(expected, link(self.company), "the old template links A's statement")
        post_migration = load_script(
            "ar_reminders/migrations/19.0.1.1.0/post-migration.py", "ar_reminders_post_1_1"
        )
        post_migration.fix_statement_link(self.env.cr)
        self.env.invalidate_all()
        for lang in ("en_US", "vi_VN"):
            body = template.with_context(lang=lang).body_html
            self.assertNotIn(old_call, body)
            self.assertIn(new_call, body)
        self.assertIn(expected, link(self.company))

    def test_a_reminder_that_cannot_be_saved_is_skipped_one_by_one(self):
        """Recording a batch where one reminder breaks a company rule: the others are
        recorded, that one is logged and skipped (no exception for the job)."""
        move_a = self._invoice(days_overdue=9)
        other = self.customer.copy({"name": "Khách hàng khác"})
        move_b = self._invoice(days_overdue=9, partner=other, company=self.company_b)
        other.company_id = self.company
        level_a, level_b = self.levels[7], self.policy_b.level_ids[1]
        vals_list = [
            {
                "partner_id": partner.id,
                "company_id": company.id,
                "level_id": level.id,
                "date": self.today,
                "amount_due": move.amount_residual_signed,
                "line_ids": [Command.create({"move_id": move.id, "level_id": level.id})],
            }
            for partner, company, level, move in (
                (self.customer, self.company, level_a, move_a),
                (other, self.company_b, level_b, move_b),
            )
        ]
        with self.assertLogs("odoo.addons.ar_reminders.models.ar_reminder", "WARNING") as logs:
            reminders = self.env["ar.reminder"].sudo()._record(vals_list)
        self.assertEqual(reminders.partner_id, self.customer)
        self.assertTrue(any("not recorded" in line for line in logs.output), logs.output)
        self.assertFalse(self._reminders(other))
