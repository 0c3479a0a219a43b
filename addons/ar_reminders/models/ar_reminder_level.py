from odoo import fields, models


class ArReminderLevel(models.Model):
    """One step of a policy: when (days from the due date), how, and what escalation."""

    _name = "ar.reminder.level"
    _description = "Receivable Reminder Level"
    _order = "policy_id, offset_days, id"

    policy_id = fields.Many2one("ar.reminder.policy", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="policy_id.company_id", store=True)
    name = fields.Char(required=True, translate=True)
    offset_days = fields.Integer(
        string="Days from Due Date",
        required=True,
        help="Negative: before the due date (friendly notice); positive: days overdue.",
    )
    send_email = fields.Boolean(string="Email", default=True)
    mail_template_id = fields.Many2one(
        "mail.template",
        string="Email Template",
        domain="[('model', '=', 'ar.reminder')]",
        help="Vietnamese and English come from the template's translations and the "
        "customer's language.",
    )
    attach_statement = fields.Boolean(
        string="Attach Statement PDF",
        default=True,
        help="Attach the customer's statement to the email (rendered for each reminder); "
        "the email always links to the statement online.",
    )
    send_sms = fields.Boolean(string="SMS")
    sms_text = fields.Text(
        string="SMS Text",
        translate=True,
        help="Placeholders: {partner}, {amount}, {count}, {company}.",
    )
    create_activity = fields.Boolean(string="Activity for the Collector")
    print_letter = fields.Boolean(string="Printed Letter")
    credit_hold = fields.Boolean(
        help="Put the customer on credit hold (Debtor trust: bad); new orders are held. "
        "Paying every overdue invoice releases it."
    )
    stop_shipments = fields.Boolean(
        help="Stop shipments: delivery orders to the customer cannot be validated (with "
        "Inventory installed). Paying every overdue invoice releases it."
    )
    collector_id = fields.Many2one(
        "res.users", string="Hand Over To", help="Collector who takes the customer over."
    )
