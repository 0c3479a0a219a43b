from odoo import fields, models


class StockPickingBatch(models.Model):
    _inherit = "stock.picking.batch"

    o2c_release = fields.Boolean(
        string="Released by Order to Cash",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="This pick wave was made by an Order to Cash release run.",
    )
