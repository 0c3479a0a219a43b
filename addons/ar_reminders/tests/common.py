import datetime

from odoo import Command, fields

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

from .sms_gateway import SmsGateway


class ArCommon(AccountTestInvoicingCommon):
    """A company with an SMS gateway on 127.0.0.1, a reminder policy (-3, +1, +7 with SMS,
    +30 with credit hold) and a customer with email and phone."""

    @classmethod
    def get_default_groups(cls):
        return super().get_default_groups() | cls.env.ref("ar_reminders.group_ar_manager")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.gateway = SmsGateway().__enter__()
        cls.addClassCleanup(cls.gateway.__exit__, None, None, None)
        cls.company = cls.env.company
        cls.company.write(
            {
                "ar_sms_url": cls.gateway.url,
                "ar_sms_auth": "Bearer test-key",
                "ar_sms_sender": "SAOMAI",
                "country_id": cls.env.ref("base.vn").id,
            }
        )
        cls.today = fields.Date.context_today(cls.company)
        cls.policy = cls.env["ar.reminder.policy"].create(
            {
                "name": "Test policy",
                "is_default": True,
                "company_id": cls.company.id,
                "level_ids": [
                    Command.create({"name": "Friendly", "offset_days": -3}),
                    Command.create({"name": "First", "offset_days": 1}),
                    Command.create(
                        {
                            "name": "Second",
                            "offset_days": 7,
                            "send_sms": True,
                            "sms_text": "{company}: {partner} còn nợ {amount}.",
                        }
                    ),
                    Command.create(
                        {
                            "name": "Hold",
                            "offset_days": 30,
                            "send_email": False,
                            "create_activity": True,
                            "credit_hold": True,
                        }
                    ),
                ],
            }
        )
        cls.levels = {level.offset_days: level for level in cls.policy.level_ids}
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Công ty Á Châu",
                "email": "ketoan@achau.example",
                "phone": "0912 345 678",
                "country_id": cls.env.ref("base.vn").id,
            }
        )

    def setUp(self):
        super().setUp()
        self.gateway.received.clear()
        self.gateway.statuses.clear()

    @classmethod
    def _invoice(cls, days_overdue, amount=1000.0, partner=None, company=None):
        """A posted invoice (of ``company``, default the main one) whose due date is
        ``days_overdue`` days before today."""
        due = cls.today - datetime.timedelta(days=days_overdue)
        move = (
            cls.env["account.move"]
            .with_company(company or cls.company)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": (partner or cls.customer).id,
                    "invoice_date": min(due, cls.today),
                    "invoice_date_due": due,
                    "invoice_payment_term_id": False,
                    "invoice_line_ids": [
                        Command.create(
                            {"name": "Goods", "quantity": 1, "price_unit": amount, "tax_ids": []}
                        )
                    ],
                }
            )
        )
        move.action_post()
        move.invoice_date_due = due
        return move

    def _run_cron(self, company=None, method="_cron_send_reminders", model="ar.reminder"):
        """Run a cron method in its own cursor (its commits are real for the test), in the
        user's current company or in ``company``."""
        self.env.flush_all()
        with self.enter_registry_test_mode(), self.registry.cursor() as cr:
            env = self.env(cr=cr)
            if company:
                # ``company`` current, the user's other companies allowed (a cron sees all).
                companies = company | env.user.company_ids
                env = env(context=dict(env.context, allowed_company_ids=companies.ids))
            getattr(env[model], method)()
        self.env.invalidate_all()

    def _reminders(self, partner=None):
        return self.env["ar.reminder"].search(
            [("partner_id", "in", (partner or self.customer).ids)]
        )

    def _pay(self, moves):
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=moves.ids
        ).create({"group_payment": True})._create_payments()
