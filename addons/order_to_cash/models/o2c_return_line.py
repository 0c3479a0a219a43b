from odoo import api, fields, models
from odoo.exceptions import UserError

from .after_sales_guard import check_workflow_fields

REASON_SELECTION = [
    ("damaged", "Damaged"),
    ("wrong_item", "Wrong Item"),
    ("not_as_described", "Not as Described"),
    ("changed_mind", "Changed Mind"),
    ("failed_delivery", "Failed Delivery"),
]
INSPECTION_SELECTION = [
    ("restock", "Restock"),
    ("scrap", "Scrap"),
    ("repair", "Repair"),
]

# What may still change once a request is approved.
INSPECTION_FIELDS = {"inspection", "note", "scrap_id"}
# Written by the request's own actions only (see after_sales_guard).
WORKFLOW_FIELDS = ("scrap_id",)
# Once a request reaches one of these states, its lines are final.
CLOSED_STATES = ("done", "refused", "cancel")


class O2cReturnLine(models.Model):
    _name = "o2c.return.line"
    _description = "Return Request Line"
    _order = "return_id, id"
    _check_company_auto = True

    return_id = fields.Many2one(
        "o2c.return", string="Return Request", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="return_id.company_id", store=True, index=True)
    state = fields.Selection(related="return_id.state", string="Status")
    sale_line_id = fields.Many2one(
        "sale.order.line",
        string="Order Line",
        required=True,
        index=True,
        check_company=True,
        domain="[('order_id.state', '=', 'sale'), ('display_type', '=', False), "
        "('product_id.type', '=', 'consu')]",
    )
    order_id = fields.Many2one(
        "sale.order",
        string="Order",
        related="sale_line_id.order_id",
        store=True,
        index=True,
    )
    product_id = fields.Many2one(
        "product.product", related="sale_line_id.product_id", store=True, string="Product"
    )
    product_uom_id = fields.Many2one(related="sale_line_id.product_uom_id", string="Unit")
    quantity = fields.Float(
        digits="Product Unit",
        required=True,
        default=1.0,
        help="Quantity asked back, in the order line's unit.",
    )
    reason = fields.Selection(REASON_SELECTION, required=True, default="damaged")
    note = fields.Char(help="What the customer or the inspector said about this line.")
    inspection = fields.Selection(
        INSPECTION_SELECTION,
        help="What happens to the goods once received: back to stock, scrapped, or kept "
        "aside for repair. Empty until inspected.",
    )
    scrap_id = fields.Many2one("stock.scrap", readonly=True, copy=False)

    _quantity_positive = models.Constraint(
        "CHECK(quantity > 0)", "The quantity to return must be positive."
    )

    @api.model_create_multi
    def create(self, vals_list):
        check_workflow_fields(self, vals_list, WORKFLOW_FIELDS)
        lines = super().create(vals_list)
        lines._o2c_check_draft()
        return lines

    def write(self, vals):
        check_workflow_fields(self, [vals], WORKFLOW_FIELDS)
        if set(vals) - INSPECTION_FIELDS:
            self._o2c_check_draft()
        closed = self.return_id.filtered(lambda r: r.state in CLOSED_STATES)
        if closed and set(vals) & {"inspection", "note"}:
            raise UserError(
                self.env._(
                    "Return %(names)s is closed: its inspection outcome and notes are final.",
                    names=", ".join(closed.mapped("name")),
                )
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_draft(self):
        self._o2c_check_draft()

    def _o2c_check_draft(self):
        done = self.return_id.filtered(lambda r: r.state != "draft")
        if done:
            raise UserError(
                self.env._(
                    "Return %(names)s: lines can only be changed while the request is a draft "
                    "(the inspection outcome and note excepted).",
                    names=", ".join(done.mapped("name")),
                )
            )

    @api.constrains("quantity", "sale_line_id")
    def _check_quantity(self):
        # Lines created on their own do not trigger the request's constraints.
        self.return_id._check_one_customer()
        self.return_id._o2c_check_quantities()
