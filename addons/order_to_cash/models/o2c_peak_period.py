from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..pipeline import sla

STRETCH_HELP = (
    "Working hours allowed for this transition are multiplied by this factor when the "
    "transition starts (its previous stage is reached) on a day of the period, in the "
    "time zone of the SLA profile's working hours; a transition started the day before "
    "the period is not stretched."
)
STRETCH_FIELDS = {
    "verified": "stretch_verified",
    "packed": "stretch_packed",
    "shipped": "stretch_shipped",
    "delivered": "stretch_delivered",
}


class O2cPeakPeriod(models.Model):
    _name = "o2c.peak.period"
    _description = "Peak Period"
    _order = "date_from desc, id"

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    date_from = fields.Date(string="From", required=True)
    date_to = fields.Date(string="To", required=True)
    stretch_verified = fields.Float(
        string="Stretch Accepted → Verified", default=1.0, digits=(4, 2), help=STRETCH_HELP
    )
    stretch_packed = fields.Float(
        string="Stretch Verified → Packed", default=1.0, digits=(4, 2), help=STRETCH_HELP
    )
    stretch_shipped = fields.Float(
        string="Stretch Packed → Shipped", default=1.0, digits=(4, 2), help=STRETCH_HELP
    )
    stretch_delivered = fields.Float(
        string="Stretch Shipped → Delivered", default=1.0, digits=(4, 2), help=STRETCH_HELP
    )
    wave_max_orders = fields.Integer(
        string="Max Orders per Pick Wave",
        help="While the period runs, release waves hold at most this many orders (the "
        "smaller of this and the warehouse's cap wins). 0: no cap of its own.",
    )

    @api.constrains("date_from", "date_to", *STRETCH_FIELDS.values(), "wave_max_orders")
    def _check_o2c_peak(self):
        for peak in self:
            if peak.date_to < peak.date_from:
                raise ValidationError(
                    self.env._(
                        "Peak period %(name)s ends (%(to)s) before it starts (%(from)s).",
                        name=peak.name,
                        to=peak.date_to,
                        **{"from": peak.date_from},
                    )
                )
            for fname in STRETCH_FIELDS.values():
                if peak[fname] < 1.0:
                    raise ValidationError(
                        self.env._(
                            "%(field)s must be at least 1.0, not %(value)s (peak period %(name)s).",
                            field=self._fields[fname].get_description(self.env)["string"],
                            value=peak[fname],
                            name=peak.name,
                        )
                    )
            if peak.wave_max_orders < 0:
                raise ValidationError(
                    self.env._(
                        "Max Orders per Pick Wave cannot be negative (%(value)s) on peak "
                        "period %(name)s.",
                        value=peak.wave_max_orders,
                        name=peak.name,
                    )
                )

    def _o2c_peaks(self):
        """Plain :class:`sla.Peak` values of ``self``."""
        return [
            sla.Peak(
                peak.date_from,
                peak.date_to,
                {target: peak[fname] for target, fname in STRETCH_FIELDS.items()},
            )
            for peak in self
        ]

    @api.model
    def _o2c_company_peaks(self, companies):
        """``{company id: [sla.Peak]}`` of the active peak periods of ``companies``."""
        peaks = self.sudo().search([("company_id", "in", companies.ids)])
        result = {company.id: [] for company in companies}
        for peak in peaks:
            result[peak.company_id.id] += peak._o2c_peaks()
        return result

    @api.model
    def _o2c_wave_cap(self, company, day=None):
        """The smallest wave cap of ``company``'s peak periods running on ``day``
        (today in the company's time zone by default); 0 when none."""
        day = day or self.env["o2c.sla.profile"]._o2c_local_today(company)
        peaks = self.sudo().search(
            [
                ("company_id", "=", company.id),
                ("date_from", "<=", day),
                ("date_to", ">=", day),
                ("wave_max_orders", ">", 0),
            ]
        )
        return sla.peak_cap(
            [(sla.Peak(p.date_from, p.date_to), p.wave_max_orders) for p in peaks], day
        )
