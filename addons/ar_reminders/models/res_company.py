from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools import sms

MANAGER = "ar_reminders.group_ar_manager"
DEFAULT_BODY = '{"to": "{phone}", "text": "{message}", "brandname": "{sender}"}'


class ResCompany(models.Model):
    _inherit = "res.company"

    ar_sms_url = fields.Char(string="SMS Gateway URL", groups=MANAGER)
    ar_sms_auth = fields.Char(
        string="SMS Gateway Authorization", groups=MANAGER, help="e.g. Bearer <token>"
    )
    ar_sms_body_template = fields.Text(
        string="SMS Body Template",
        default=DEFAULT_BODY,
        help="JSON; {phone}, {message} and {sender} are filled in.",
    )
    ar_sms_sender = fields.Char(string="SMS Brand Name")
    ar_sms_max_segments = fields.Integer(string="Max SMS Parts", default=2)
    ar_aging_edges = fields.Char(
        string="Aging Bucket Edges (days)",
        default="30,60,90,120",
        help="Comma separated upper bounds of the overdue buckets.",
    )
    ar_dso_method = fields.Selection(
        [("simple", "Simple"), ("countback", "Countback")],
        string="DSO Method",
        default="countback",
        required=True,
    )

    @api.constrains("ar_sms_body_template")
    def _check_ar_sms_body_template(self):
        for company in self.filtered("ar_sms_body_template"):
            try:
                sms.render_body(company.ar_sms_body_template, phone="", message="", sender="")
            except (sms.SmsError, KeyError, ValueError) as exc:
                raise ValidationError(
                    self.env._("SMS Body Template is not valid: %(error)s", error=str(exc))
                ) from exc

    @api.constrains("ar_aging_edges")
    def _check_ar_aging_edges(self):
        for company in self:
            company._ar_edges()

    def _ar_edges(self):
        self.ensure_one()
        try:
            edges = tuple(int(x) for x in (self.ar_aging_edges or "30,60,90,120").split(","))
        except ValueError as exc:
            raise ValidationError(
                self.env._(
                    "Aging Bucket Edges %(value)r must be whole numbers separated by commas.",
                    value=self.ar_aging_edges,
                )
            ) from exc
        if not edges or list(edges) != sorted(set(edges)) or edges[0] <= 0:
            raise ValidationError(
                self.env._(
                    "Aging Bucket Edges %(value)r must be increasing positive numbers.",
                    value=self.ar_aging_edges,
                )
            )
        return edges
