from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools import sms

SMS_PLACEHOLDERS = ("partner", "amount", "count", "company")
MAIL_TEMPLATE_FIELDS = ("subject", "body_html", "partner_to", "email_to", "email_cc", "lang")


class ArReminderLevel(models.Model):
    """One step of a policy: when (days from the due date), how, and what escalation."""

    _name = "ar.reminder.level"
    _description = "Receivable Reminder Level"
    _order = "policy_id, offset_days, id"
    _check_company_auto = True

    policy_id = fields.Many2one(
        "ar.reminder.policy", required=True, ondelete="cascade", index=True, check_company=True
    )
    company_id = fields.Many2one(related="policy_id.company_id", store=True, index=True)
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
        "res.users",
        string="Hand Over To",
        check_company=True,
        help="Collector who takes the customer over.",
    )

    @api.constrains("sms_text")
    def _check_sms_text(self):
        """Every translation of the SMS text uses only the known placeholders: a text that
        cannot be rendered is refused here, not found by the cron in the middle of a run."""
        langs = [code for code, _name in self.env["res.lang"].get_installed()]
        for level in self:
            for lang in langs:
                text = level.with_context(lang=lang).sms_text
                if not text:
                    continue
                try:
                    unknown = sms.unknown_placeholders(text, SMS_PLACEHOLDERS)
                except sms.SmsError as exc:
                    raise ValidationError(
                        self.env._(
                            "SMS Text of level %(level)s (%(lang)s) is not valid: %(error)s",
                            level=level.name,
                            lang=lang,
                            error=str(exc),
                        )
                    ) from exc
                if unknown:
                    raise ValidationError(
                        self.env._(
                            "SMS Text of level %(level)s (%(lang)s) uses the unknown "
                            "placeholder %(placeholders)s; the known ones are %(known)s.",
                            level=level.name,
                            lang=lang,
                            placeholders=", ".join(unknown),
                            known=", ".join(f"{{{name}}}" for name in SMS_PLACEHOLDERS),
                        )
                    )

    @api.constrains("mail_template_id")
    def _check_mail_template_id(self):
        """The email template is one for reminders, and it reads only what a reminder has."""
        Reminder = self.env["ar.reminder"]
        langs = [code for code, _name in self.env["res.lang"].get_installed()]
        for level in self.filtered("mail_template_id"):
            template = level.mail_template_id.sudo()
            if template.model != Reminder._name:
                raise ValidationError(
                    self.env._(
                        "Email Template %(template)s of level %(level)s is made for "
                        "%(model)s, not for reminders.",
                        template=template.name,
                        level=level.name,
                        model=template.model,
                    )
                )
            for lang in langs:
                translated = template.with_context(lang=lang)
                for field in MAIL_TEMPLATE_FIELDS:
                    for name in sms.object_attributes(translated[field]):
                        if name not in Reminder._fields and not hasattr(Reminder, name):
                            raise ValidationError(
                                self.env._(
                                    "Email Template %(template)s of level %(level)s uses the "
                                    "unknown placeholder object.%(name)s (%(field)s).",
                                    template=template.name,
                                    level=level.name,
                                    name=name,
                                    field=template._fields[field].string,
                                )
                            )
