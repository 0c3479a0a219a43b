from odoo import fields, models


class O2cCheckResult(models.Model):
    """Outcome of one verification rule on one order, kept until the next
    run of the rules replaces it."""

    _name = "o2c.check.result"
    _description = "Order Verification Result"
    _order = "order_id, sequence, id"

    order_id = fields.Many2one("sale.order", required=True, ondelete="cascade", index=True)
    check_id = fields.Many2one("o2c.check", required=True, ondelete="cascade", index=True)
    rule = fields.Selection(related="check_id.rule")
    sequence = fields.Integer()
    state = fields.Selection(
        [("pass", "Passed"), ("warn", "Warning"), ("block", "Blocking")],
        required=True,
    )
    message = fields.Char(required=True)
    code = fields.Char(help="Stable outcome code, for integrations.")
    overridden = fields.Boolean(readonly=True)
    override_reason = fields.Char(readonly=True)
    override_user_id = fields.Many2one("res.users", readonly=True)
    company_id = fields.Many2one(related="order_id.company_id", store=True)
