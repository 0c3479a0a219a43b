from odoo import api, fields, models


class PurchaseBillMatchApprove(models.TransientModel):
    _name = "purchase.bill.match.approve"
    _description = "Approve a bill held by the three-way match"

    move_ids = fields.Many2many("account.move", string="Bills", required=True)
    reason = fields.Text(required=True)

    @api.model
    def default_get(self, fields_list):
        res = super().default_get(fields_list)
        if (
            "move_ids" in fields_list
            and self.env.context.get("active_model") == "account.move"
            and self.env.context.get("active_ids")
        ):
            res["move_ids"] = [fields.Command.set(self.env.context["active_ids"])]
        return res

    def action_approve(self):
        self.ensure_one()
        self.move_ids._bill_match_approve(self.reason)
        return {"type": "ir.actions.act_window_close"}
