from odoo import api, fields, models
from odoo.exceptions import ValidationError

TRANSITION_SELECTION = [
    ("verified", "Accepted → Verified"),
    ("packed", "Verified → Packed"),
    ("shipped", "Packed → Shipped"),
    ("delivered", "Shipped → Delivered"),
]


class O2cSlaProfileLine(models.Model):
    _name = "o2c.sla.profile.line"
    _description = "SLA Target"
    _order = "profile_id, transition, id"

    profile_id = fields.Many2one("o2c.sla.profile", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="profile_id.company_id", store=True, index=True)
    transition = fields.Selection(TRANSITION_SELECTION, required=True)
    hours = fields.Float(
        string="Target (working hours)",
        required=True,
        help="Working hours of the profile's calendar allowed from the previous stage "
        "to this one, before any peak stretch.",
    )
    state_ids = fields.Many2many(
        "res.country.state",
        string="Delivery Provinces",
        help="Shipped → Delivered only: this target applies to delivery addresses in these "
        "provinces (a zone); a line without provinces applies to the others.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines.profile_id._o2c_rematch_open_orders(lines.company_id)
        return lines

    def write(self, vals):
        result = super().write(vals)
        if {"hours", "transition", "state_ids", "profile_id"} & set(vals):
            self.profile_id._o2c_rematch_open_orders(self.company_id)
        return result

    @api.constrains("hours", "transition", "state_ids")
    def _check_hours(self):
        for line in self:
            if line.hours <= 0:
                raise ValidationError(
                    self.env._(
                        "Target (working hours) must be greater than 0, not %(value)s "
                        "(SLA profile %(profile)s).",
                        value=line.hours,
                        profile=line.profile_id.name,
                    )
                )
            if line.state_ids and line.transition != "delivered":
                raise ValidationError(
                    self.env._(
                        "Delivery Provinces are only for Shipped → Delivered targets "
                        "(SLA profile %(profile)s).",
                        profile=line.profile_id.name,
                    )
                )
