from odoo import Command, api, fields, models
from odoo.exceptions import UserError


class EinvoiceVnInboundUpload(models.TransientModel):
    """Upload supplier e-invoices (XML or ZIP, one or many) and see what became of each."""

    _name = "einvoice.vn.inbound.upload"
    _description = "Upload Supplier E-invoices"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    journal_id = fields.Many2one(
        "account.journal",
        string="Purchase Journal",
        check_company=True,
        domain="[('type', '=', 'purchase')]",
        help="Journal of the bills; by default the first purchase journal of the company "
        "the invoice is addressed to.",
    )
    attachment_ids = fields.Many2many("ir.attachment", string="Files")
    state = fields.Selection([("upload", "Upload"), ("done", "Done")], default="upload")
    result_ids = fields.One2many("einvoice.vn.inbound.upload.result", "wizard_id", readonly=True)
    move_ids = fields.Many2many("account.move", compute="_compute_move_ids")

    @api.depends("result_ids.move_id")
    def _compute_move_ids(self):
        for wizard in self:
            wizard.move_ids = wizard.result_ids.move_id

    def action_import(self):
        self.ensure_one()
        if not self.attachment_ids:
            raise UserError(self.env._("Choose the XML or ZIP files of the supplier e-invoices."))
        files = [(attachment.name, attachment.raw) for attachment in self.attachment_ids]
        results = self.env["einvoice.vn.inbound"]._import_many(
            files, source="upload", journal=self.journal_id or None
        )
        # The uploaded files were only carriers: the invoices keep their own archived copy.
        self.attachment_ids.unlink()
        if not any(result["inbound"] for result in results):
            raise UserError(
                self.env._("No supplier e-invoice was imported:")
                + "\n"
                + "\n".join(f"- {result['error']}" for result in results)
            )
        self.write(
            {
                "state": "done",
                "result_ids": [
                    Command.create(
                        {
                            "file_name": result["name"],
                            "inbound_id": result["inbound"].id,
                            "move_id": result["inbound"].move_id.id,
                            "error": result["error"] or False,
                        }
                    )
                    for result in results
                ],
            }
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "views": [(False, "form")],
            "target": "new",
        }

    def action_open_bills(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Bills from Supplier E-invoices"),
            "res_model": "account.move",
            "domain": [("id", "in", self.move_ids.ids)],
            "views": [(False, "list"), (False, "form")],
            "context": {"default_move_type": "in_invoice"},
        }


class EinvoiceVnInboundUploadResult(models.TransientModel):
    _name = "einvoice.vn.inbound.upload.result"
    _description = "Supplier E-invoice Upload Result"

    wizard_id = fields.Many2one("einvoice.vn.inbound.upload", required=True, ondelete="cascade")
    file_name = fields.Char(readonly=True)
    inbound_id = fields.Many2one("einvoice.vn.inbound", string="Supplier E-invoice", readonly=True)
    move_id = fields.Many2one("account.move", string="Vendor Bill", readonly=True)
    state = fields.Selection(related="inbound_id.state", string="Checks")
    error = fields.Text(readonly=True)
