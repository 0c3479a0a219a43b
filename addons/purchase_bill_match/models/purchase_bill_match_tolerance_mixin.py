from odoo import api, fields, models

from ..tools import matching
from .res_company import TOLERANCE_FIELD_NAMES, check_tolerances


class PurchaseBillMatchToleranceMixin(models.AbstractModel):
    """Tolerances set per company on a vendor or a product category.

    A level applies only when "Own match tolerances" is ticked; otherwise it
    falls through to the next level (vendor > category > company).
    """

    _name = "purchase.bill.match.tolerance.mixin"
    _description = "Bill match tolerances of a vendor or category"

    bill_match_tolerance_set = fields.Boolean(
        string="Own match tolerances",
        company_dependent=True,
        help="Use the tolerances below for bills of this record instead of "
        "the next level (vendor, then product category, then company).",
    )
    bill_match_price_percent = fields.Float(string="Price tolerance (%)", company_dependent=True)
    bill_match_price_amount = fields.Float(
        string="Price tolerance (amount per unit)", company_dependent=True
    )
    bill_match_qty_percent = fields.Float(string="Quantity tolerance (%)", company_dependent=True)
    bill_match_qty_amount = fields.Float(
        string="Quantity tolerance (units)", company_dependent=True
    )

    @api.constrains(*TOLERANCE_FIELD_NAMES)
    def _check_bill_match_tolerances(self):
        check_tolerances(self)

    def _bill_match_tolerance(self):
        """This level's :class:`Tolerance`, or None when it is not set."""
        self.ensure_one()
        if not self.bill_match_tolerance_set:
            return None
        return matching.Tolerance(*(self[name] for name in TOLERANCE_FIELD_NAMES))
