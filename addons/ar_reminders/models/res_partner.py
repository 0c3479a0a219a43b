import secrets

from odoo import fields, models
from odoo.exceptions import AccessError
from odoo.tools import consteq
from odoo.tools.misc import hmac

from ..tools import aging


class ResPartner(models.Model):
    _inherit = "res.partner"

    # Per company, like Odoo's property fields: a customer may pay one company on time and
    # another one late, and each company chooses its own collector and policy.
    ar_no_reminder = fields.Boolean(
        string="No Payment Reminders",
        company_dependent=True,
        help="Reminders of the current company skip this customer (listed by the job).",
    )
    ar_policy_id = fields.Many2one(
        "ar.reminder.policy",
        string="Reminder Policy",
        company_dependent=True,
        domain="[('company_id', '=', current_company_id)]",
        help="Overrides the matching rules in the current company.",
    )
    ar_collector_id = fields.Many2one(
        "res.users",
        string="Collector",
        company_dependent=True,
        domain="[('company_ids', 'in', current_company_id)]",
    )
    # Per company, like Odoo's Debtor trust: debts in one company hold nothing in another.
    ar_credit_hold = fields.Boolean(
        string="Credit Hold by Reminders",
        company_dependent=True,
        readonly=True,
        help="Set by a reminder level; released when every overdue invoice is paid.",
    )
    ar_shipments_stopped = fields.Boolean(
        string="Shipments Stopped by Reminders",
        company_dependent=True,
        readonly=True,
        help="Set by a reminder level: delivery orders to this customer cannot be validated "
        "(with Inventory). Released when every overdue invoice is paid.",
    )
    ar_reminder_ids = fields.One2many("ar.reminder", "partner_id", string="Reminders")
    ar_statement_token = fields.Char(copy=False, groups="base.group_system")

    def _ar_statement_url(self, company=None):
        """A link to the customer's statement PDF in ``company`` (default: the current one)
        that works without logging in. The token is signed for this customer and company:
        it cannot be turned into another company's statement."""
        self.ensure_one()
        company = company or self.env.company
        partner = self.sudo()
        if not partner.ar_statement_token:
            partner.ar_statement_token = secrets.token_urlsafe(24)
        base = partner.get_base_url()
        token = partner._ar_statement_token(company)
        return f"{base}/ar/statement/{partner.id}/{company.id}/{token}"

    def _ar_statement_token(self, company):
        partner = self.sudo()
        if not partner.ar_statement_token:
            return False
        return hmac(
            self.env(su=True),
            "ar_reminders-statement",
            (partner.id, company.id, partner.ar_statement_token),
        )

    def _ar_check_statement_token(self, company, token):
        """Whether ``token`` opens this customer's statement in ``company``."""
        expected = self._ar_statement_token(company)
        return bool(expected and token and consteq(expected, token))

    def _ar_statement_values(self, company=None):
        """Open invoices, aging and payment instructions for the statement of ``company``
        (default: the current one): only that company's invoices, bank account and QR."""
        self.ensure_one()
        company = company or self.env.company
        today = fields.Date.context_today(self)
        moves = self.env["account.move"].search(
            [
                ("commercial_partner_id", "=", self.commercial_partner_id.id),
                ("company_id", "=", company.id),
                ("move_type", "in", ("out_invoice", "out_refund")),
                ("state", "=", "posted"),
                ("payment_state", "in", ("not_paid", "partial")),
            ],
            order="invoice_date_due, id",
        )
        edges = company._ar_edges()
        buckets = aging.age(
            [
                {
                    "partner": 0,
                    "due_date": m.invoice_date_due or m.date,
                    "residual": m.amount_residual_signed,
                }
                for m in moves
            ],
            today,
            edges,
        ).get(0, [0] * (len(edges) + 2))
        total = sum(moves.mapped("amount_residual_signed"))
        bank = company.partner_id.bank_ids[:1]
        reference = self.commercial_partner_id.ref or self.commercial_partner_id.name
        qr = False
        if bank and total > 0:
            # VietQR (EMV) or another QR the bank account supports, when a module adds it.
            qr = bank.build_qr_code_base64(
                total, reference, None, company.currency_id, self.commercial_partner_id
            )
        return {
            "date": today,
            "moves": moves,
            "labels": aging.bucket_labels(edges),
            "aging": [float(a) for a in buckets],
            "total": total,
            "currency": company.currency_id,
            "bank": bank,
            "reference": reference,
            "qr": qr,
        }

    def _ar_release_credit_hold(self):
        """Paying every overdue invoice (of the company in context) lifts the credit hold
        and the stop on shipments put by the reminders in that company."""
        today = fields.Date.context_today(self)
        for partner in self:
            overdue = self.env["account.move"].search_count(
                [
                    ("commercial_partner_id", "=", partner.id),
                    ("company_id", "=", self.env.company.id),
                    ("move_type", "=", "out_invoice"),
                    ("state", "=", "posted"),
                    ("payment_state", "in", ("not_paid", "partial")),
                    ("invoice_date_due", "<", today),
                ]
            )
            if not overdue:
                partner._ar_release_holds(
                    lambda env: env._("Reminder holds released: no overdue invoice left.")
                )

    def _ar_lang_env(self):
        """The environment in the customer's language: what is posted on the customer is
        read by people who work in that language."""
        self.ensure_one()
        lang = self.commercial_partner_id.lang or self.lang
        return self.with_context(lang=lang).env if lang else self.env

    def _ar_release_holds(self, message):
        """Lift the holds of the company in context; ``message(env)`` gives the note, written
        in the customer's language."""
        values = {"ar_credit_hold": False, "ar_shipments_stopped": False}
        if self.ar_credit_hold:
            values["trust"] = "normal"
        self.sudo().write(values)
        self.message_post(body=message(self._ar_lang_env()), subtype_xmlid="mail.mt_note")

    def action_ar_release_holds(self):
        """A manager lifts the reminders' credit hold and stop on shipments by hand."""
        if not self.env.user.has_group("ar_reminders.group_ar_manager"):
            raise AccessError(
                self.env._("Only receivable managers can release a credit hold or shipments.")
            )
        for partner in self.commercial_partner_id:
            if partner.ar_credit_hold or partner.ar_shipments_stopped:
                partner._ar_release_holds(
                    lambda env: env._("Holds released by %(user)s.", user=self.env.user.name)
                )
        return True
