from odoo import api, fields, models


class O2cOverrideWizard(models.TransientModel):
    _name = "o2c.override.wizard"
    _description = "Override Verification Hold"

    order_ids = fields.Many2many("sale.order", string="Orders")
    hold_reason = fields.Text(compute="_compute_hold_reason", string="Blocking Checks")
    reason = fields.Text(required=True, help="Why the order may go ahead; kept in the chatter.")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if self.env.context.get("active_model") == "sale.order":
            values["order_ids"] = [(6, 0, self.env.context.get("active_ids", []))]
        return values

    @api.depends("order_ids")
    def _compute_hold_reason(self):
        for wizard in self:
            wizard.hold_reason = "\n".join(
                f"{order.name}: {order.o2c_hold_reason}"
                for order in wizard.order_ids
                if order.o2c_hold
            )

    def action_override(self):
        self.ensure_one()
        self.order_ids._o2c_override(self.reason)
        return {"type": "ir.actions.act_window_close"}
