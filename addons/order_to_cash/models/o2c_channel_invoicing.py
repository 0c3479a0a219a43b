from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..pipeline import invoicing

WEEKDAYS = [
    ("1", "Monday"),
    ("2", "Tuesday"),
    ("3", "Wednesday"),
    ("4", "Thursday"),
    ("5", "Friday"),
    ("6", "Saturday"),
    ("7", "Sunday"),
]


class O2cChannel(models.Model):
    _inherit = "o2c.channel"

    invoicing_policy = fields.Selection(
        [
            ("manual", "Manual"),
            ("at_order", "At Order"),
            ("at_delivery", "At Delivery"),
            ("periodic", "Periodic"),
        ],
        required=True,
        default="manual",
        tracking=True,
        help="Manual: invoices are made by hand, as in Odoo. At Order: the ordered quantities "
        "are invoiced once the order is confirmed and not on hold. At Delivery: what a "
        "validated delivery shipped is invoiced. Periodic: one invoice per customer for the "
        "orders of each week or month, made on the invoicing day.",
    )
    invoicing_period = fields.Selection(
        [(invoicing.WEEKLY, "Weekly"), (invoicing.MONTHLY, "Monthly")],
        default=invoicing.WEEKLY,
        tracking=True,
    )
    invoicing_weekday = fields.Selection(
        WEEKDAYS,
        default="1",
        help="Weekly invoicing: the day on which last week's orders (Monday to Sunday) "
        "are invoiced.",
    )
    invoicing_month_day = fields.Integer(
        string="Invoicing Day of Month",
        default=1,
        help="Monthly invoicing: the day (1 to 28) on which last month's orders are invoiced.",
    )
    invoicing_last_run = fields.Date(
        string="Last Periodic Invoicing",
        readonly=True,
        copy=False,
        help="The invoicing day of the last complete periodic run.",
    )
    auto_post = fields.Boolean(
        string="Post Invoices",
        tracking=True,
        help="Post the invoices the channel creates automatically; otherwise they stay in "
        "draft for review.",
    )

    @api.constrains(
        "invoicing_policy", "invoicing_period", "invoicing_weekday", "invoicing_month_day"
    )
    def _check_invoicing_schedule(self):
        for channel in self.filtered(lambda c: c.invoicing_policy == "periodic"):
            try:
                invoicing.check_schedule(channel.invoicing_period, channel._o2c_invoicing_day())
            except invoicing.ScheduleError as error:
                field = (
                    "invoicing_period"
                    if error.field == "invoicing_period"
                    else (
                        "invoicing_weekday"
                        if channel.invoicing_period == invoicing.WEEKLY
                        else "invoicing_month_day"
                    )
                )
                raise ValidationError(
                    self.env._(
                        "Channel %(channel)s: %(field)s cannot be %(value)s for periodic "
                        "invoicing (weekly: a weekday; monthly: a day from 1 to 28).",
                        channel=channel.name,
                        field=self._fields[field].get_description(self.env)["string"],
                        value=error.value or self.env._("empty"),
                    )
                ) from error

    def _o2c_invoicing_day(self):
        """The invoicing day as the pure core counts it (weekday 1-7 or day 1-28)."""
        self.ensure_one()
        if self.invoicing_period == invoicing.WEEKLY:
            return int(self.invoicing_weekday or 0)
        return self.invoicing_month_day

    release_priority = fields.Integer(
        default=0,
        help="Orders of channels with a higher release priority go to the warehouse first "
        "(e.g. a marketplace with a 24-hour shipping SLA above the website).",
    )
