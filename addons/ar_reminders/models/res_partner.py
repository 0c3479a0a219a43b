from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    ar_no_reminder = fields.Boolean(
        string="No Payment Reminders", help="Reminders skip this customer (listed by the job)."
    )
    ar_policy_id = fields.Many2one(
        "ar.reminder.policy", string="Reminder Policy", help="Overrides the matching rules."
    )
    ar_collector_id = fields.Many2one("res.users", string="Collector")
    ar_credit_hold = fields.Boolean(
        string="Credit Hold by Reminders",
        readonly=True,
        help="Set by a reminder level; released when every overdue invoice is paid.",
    )
    ar_reminder_ids = fields.One2many("ar.reminder", "partner_id", string="Reminders")

    def _ar_release_credit_hold(self):
        """Paying every overdue invoice lifts a credit hold put by the reminders."""
        today = fields.Date.context_today(self)
        for partner in self:
            overdue = self.env["account.move"].search_count(
                [
                    ("commercial_partner_id", "=", partner.id),
                    ("move_type", "=", "out_invoice"),
                    ("state", "=", "posted"),
                    ("payment_state", "in", ("not_paid", "partial")),
                    ("invoice_date_due", "<", today),
                ]
            )
            if not overdue:
                partner.sudo().write({"trust": "normal", "ar_credit_hold": False})
                partner.message_post(
                    body=self.env._("Credit hold released: no overdue invoice left."),
                    subtype_xmlid="mail.mt_note",
                )
