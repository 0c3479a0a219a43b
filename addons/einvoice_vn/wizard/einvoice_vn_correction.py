from odoo import api, fields, models


class EinvoiceVnCorrection(models.TransientModel):
    _name = "einvoice.vn.correction"
    _description = "Adjust or Replace an E-invoice"

    origin_move_id = fields.Many2one("account.move", string="Original Invoice", required=True)
    kind = fields.Selection(
        [("adjustment", "Adjustment"), ("replacement", "Replacement")],
        required=True,
        default="adjustment",
    )
    move_id = fields.Many2one(
        "account.move",
        string="Correcting Invoice",
        required=True,
        domain="[('partner_id.commercial_partner_id', '=', commercial_partner_id),"
        " ('state', '=', 'posted'),"
        " ('move_type', 'in', kind == 'adjustment' and ['out_invoice', 'out_refund']"
        " or ['out_invoice']),"
        " ('id', '!=', origin_move_id), ('einvoice_vn_document_id', '=', False)]",
        help="Adjustment: a customer invoice increases the original invoice, a credit note "
        "decreases it. Replacement: the complete new customer invoice.",
    )
    commercial_partner_id = fields.Many2one(related="origin_move_id.commercial_partner_id")
    reason = fields.Char(required=True)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if self.env.context.get("active_model") == "account.move":
            values["origin_move_id"] = self.env.context.get("active_id")
        return values

    def action_issue(self):
        self.ensure_one()
        self.move_id._einvoice_vn_issue_correction(self.origin_move_id, self.kind, self.reason)
        return {"type": "ir.actions.act_window_close"}
