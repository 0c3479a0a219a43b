from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools import matching

TOLERANCE_FIELD_NAMES = (
    "bill_match_price_percent",
    "bill_match_price_amount",
    "bill_match_qty_percent",
    "bill_match_qty_amount",
)


def check_tolerances(records):
    """ValidationError naming the field and value of a negative tolerance."""
    for record in records:
        for name in TOLERANCE_FIELD_NAMES:
            if record[name] < 0:
                raise ValidationError(
                    record.env._(
                        "%(field)s of %(record)s must not be negative (got %(value)s).",
                        field=record._fields[name].get_description(record.env)["string"],
                        record=record.display_name,
                        value=record[name],
                    )
                )


class ResCompany(models.Model):
    _inherit = "res.company"

    bill_match_enabled = fields.Boolean(
        string="Three-way match of vendor bills",
        help="Match posted vendor bills against purchase orders and receipts "
        "and block their payment while they are on hold or in exception.",
    )
    bill_match_price_percent = fields.Float(string="Price tolerance (%)")
    bill_match_price_amount = fields.Float(string="Price tolerance (amount per unit)")
    bill_match_qty_percent = fields.Float(string="Quantity tolerance (%)")
    bill_match_qty_amount = fields.Float(string="Quantity tolerance (units)")

    @api.constrains(*TOLERANCE_FIELD_NAMES)
    def _check_bill_match_tolerances(self):
        check_tolerances(self)

    def _bill_match_tolerance(self):
        self.ensure_one()
        return matching.Tolerance(*(self[name] for name in TOLERANCE_FIELD_NAMES))
