from odoo import api, models
from odoo.exceptions import UserError


class AccountMoveSend(models.AbstractModel):
    """Send & Print: an "Issue Vietnamese e-invoice" option, as Odoo's own EDI modules add
    theirs; the signed XML is attached to the email."""

    _inherit = "account.move.send"

    @api.model
    def _is_einvoice_vn_applicable(self, move):
        return bool(
            move.einvoice_vn_needed
            and move.company_id.einvoice_vn_provider != "none"
            and move.einvoice_vn_state not in ("accepted", "cancelled", "adjusted", "replaced")
            # A credit note is issued only as the adjustment of the invoice it corrects.
            and (move.move_type == "out_invoice" or move.einvoice_vn_document_id)
        )

    @api.model
    def _get_all_extra_edis(self) -> dict:
        edis = super()._get_all_extra_edis()
        edis["einvoice_vn"] = {
            "label": self.env._("Issue Vietnamese e-invoice"),
            "is_applicable": self._is_einvoice_vn_applicable,
            "help": self.env._("Sign the invoice XML and send it for the tax authority code."),
        }
        return edis

    def _call_web_service_before_invoice_pdf_render(self, invoices_data):
        result = super()._call_web_service_before_invoice_pdf_render(invoices_data)
        for invoice, invoice_data in invoices_data.items():
            if "einvoice_vn" not in invoice_data["extra_edis"]:
                continue
            try:
                invoice.action_einvoice_vn_issue()
            except UserError as exc:
                errors = [str(exc.args[0])]
            else:
                doc = invoice.einvoice_vn_document_id
                errors = [] if doc.state == "accepted" else [doc.error_message or doc.state]
            if errors:
                invoice_data["error"] = {
                    "error_title": self.env._("The Vietnamese e-invoice was not issued"),
                    "errors": errors,
                }
        return result

    @api.model
    def _get_invoice_extra_attachments(self, move):
        doc = move.einvoice_vn_document_id
        issued = (
            doc.issued_attachment_id or doc.xml_attachment_id
            if doc.state == "accepted"
            else doc.browse()
        )
        return super()._get_invoice_extra_attachments(move) + (issued or self.env["ir.attachment"])
