from odoo import api, fields, models


class O2cPackOverrideWizard(models.TransientModel):
    _name = "o2c.pack.override.wizard"
    _description = "Override Packing Check"

    picking_ids = fields.Many2many("stock.picking", string="Deliveries")
    reason = fields.Text(
        required=True, help="Why the parcel may leave as packed; kept in the chatter."
    )

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if self.env.context.get("active_model") == "stock.picking":
            values["picking_ids"] = [(6, 0, self.env.context.get("active_ids", []))]
        return values

    def action_override(self):
        self.ensure_one()
        self.picking_ids._o2c_override_packing(self.reason)
        return {"type": "ir.actions.act_window_close"}
